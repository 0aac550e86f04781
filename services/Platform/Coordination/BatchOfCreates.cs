namespace DirectConnect.Platform.Coordination;

/// <summary>
/// The plan of one group-commit batch of creates in a region (<see cref="GroupCommit{TRequest,TResult}"/>): each create
/// is accepted or refused in turn, an account's quota counting the creates accepted before it (<see cref="AcceptedFor"/>),
/// and the accepted ones are written with one append of their ids to each account's index and one to the region's.
/// </summary>
public sealed class BatchOfCreates<TRequest, TResult>
{
    private readonly Dictionary<string, List<string>> _idsByAccount = new(StringComparer.Ordinal);
    private readonly List<string> _ids = [];
    private readonly List<StateOperation> _writes = [];
    private readonly List<OutgoingEvent> _events = [];
    private readonly List<(IBatchMember<TRequest, TResult> Member, TResult Result)> _accepted = [];
    private readonly List<(IBatchMember<TRequest, TResult> Member, Exception Error)> _refused = [];

    /// <summary>How many creates of <paramref name="accountId"/> this batch accepted so far.</summary>
    public int AcceptedFor(string accountId) => _idsByAccount.TryGetValue(accountId, out var ids) ? ids.Count : 0;

    /// <summary>Accepts <paramref name="member"/>: resource <paramref name="id"/> of <paramref name="accountId"/>, written by <paramref name="write"/> with <paramref name="created"/>.</summary>
    public void Accept(IBatchMember<TRequest, TResult> member, string accountId, string id, StateOperation write, OutgoingEvent created, TResult result)
    {
        (_idsByAccount.TryGetValue(accountId, out var ids) ? ids : _idsByAccount[accountId] = []).Add(id);
        _ids.Add(id);
        _writes.Add(write);
        _events.Add(created);
        _accepted.Add((member, result));
    }

    /// <summary>Refuses <paramref name="member"/> with <paramref name="error"/>; the others go on.</summary>
    public void Refuse(IBatchMember<TRequest, TResult> member, Exception error) => _refused.Add((member, error));

    /// <summary>
    /// The batch's plan: the accepted creates' writes and events, each account's index append and the write of its new
    /// count (<paramref name="countWrite"/> gets the account and how many it added), and the region's index append.
    /// </summary>
    public BatchPlan<TRequest, TResult> ToPlan(ListIndexAppend regionIndex, Func<string, ListIndexAppend> accountIndex,
        Func<string, int, StateOperation> countWrite)
    {
        ArgumentNullException.ThrowIfNull(regionIndex);
        ArgumentNullException.ThrowIfNull(accountIndex);
        ArgumentNullException.ThrowIfNull(countWrite);
        List<StateOperation> operations = [.. _writes];
        foreach (var (accountId, ids) in _idsByAccount)
        {
            operations.AddRange(accountIndex(accountId).Append(ids));
            operations.Add(countWrite(accountId, ids.Count));
        }

        if (_ids.Count > 0)
        {
            operations.AddRange(regionIndex.Append(_ids));
        }

        return new BatchPlan<TRequest, TResult>(operations, _events, _accepted, _refused);
    }
}
