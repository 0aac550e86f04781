namespace DirectConnect.Platform.Coordination;

/// <summary>
/// The state port, shaped like Dapr's state building block so that both adapters can honour it:
/// point reads with ETags, and all-or-nothing transactions over several keys that may also
/// publish events (the outbox). There are no key scans: a service lists through index
/// documents it maintains in the same transactions.
/// </summary>
public interface IStateStore
{
    /// <summary>Reads one key; null when absent (or expired).</summary>
    Task<StateItem?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Reads several keys; absent keys are missing from the result.</summary>
    Task<IReadOnlyDictionary<string, StateItem>> GetBulkAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies every operation and publishes every event, or nothing at all. Returns false, having
    /// written nothing, when any ETag condition does not hold.
    /// </summary>
    Task<bool> TryExecuteTransactionAsync(
        IReadOnlyList<StateOperation> operations,
        IReadOnlyList<OutgoingEvent> events,
        CancellationToken cancellationToken = default);
}
