using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Idempotency;

namespace DirectConnect.Platform.Coordination;

/// <summary>What one attempt of a mutation decided: the writes, the events, and the result to return.</summary>
public sealed record TransactionPlan<T>(IReadOnlyList<StateOperation> Operations, IReadOnlyList<OutgoingEvent> Events, T Result);

/// <summary>
/// What one attempt of a batch decided: the writes and events of every accepted member, in one transaction, the result of
/// each accepted member, and the members refused (each with the error it gets).
/// </summary>
public sealed record BatchPlan<TRequest, T>(
    IReadOnlyList<StateOperation> Operations,
    IReadOnlyList<OutgoingEvent> Events,
    IReadOnlyList<(IBatchMember<TRequest, T> Member, T Result)> Accepted,
    IReadOnlyList<(IBatchMember<TRequest, T> Member, Exception Error)> Refused);

/// <summary>
/// Runs a read–decide–write mutation under optimistic concurrency: each attempt reads what it
/// needs, plans ETag-guarded writes, and commits them in one transaction; when another writer got
/// there first the attempt is thrown away and planned again from fresh reads. With a request id,
/// the ledger entry is part of the same transaction, so a retry returns the first result and
/// concurrent duplicates do the work once.
/// </summary>
public sealed class OptimisticTransaction(IStateStore store, RequestLedger ledger)
{
    private const int MaxAttempts = 32;

    /// <summary>
    /// Plans and commits until an attempt wins. <paramref name="encode"/> and <paramref name="decode"/>
    /// store and restore the result for request-id retries.
    /// </summary>
    public async Task<T> RunAsync<T>(
        RequestId? requestId,
        Func<CancellationToken, Task<TransactionPlan<T>>> plan,
        Func<T, byte[]> encode,
        Func<byte[], T> decode,
        string what,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(encode);
        ArgumentNullException.ThrowIfNull(decode);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            if (requestId is not null && await ledger.FindAsync(requestId, cancellationToken).ConfigureAwait(false) is { } earlier)
            {
                return decode(earlier);
            }

            TransactionPlan<T> decided;
            try
            {
                decided = await plan(cancellationToken).ConfigureAwait(false);
            }
            catch (StaleReadException)
            {
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }
            catch (DomainException) when (requestId is not null)
            {
                // The same request sent twice at once: the twin may have committed between the ledger read above and this
                // plan's reads, and the plan then refuses what the twin did (its VLAN is taken, its bandwidth used). The
                // ledger entry commits with the twin's writes, so it is there now: its answer is this request's answer.
                if (await ledger.FindAsync(requestId, cancellationToken).ConfigureAwait(false) is { } committed)
                {
                    return decode(committed);
                }

                throw;
            }

            var operations = requestId is null
                ? decided.Operations
                : [.. decided.Operations, RequestLedger.Record(requestId, encode(decided.Result))];
            if (await store.TryExecuteTransactionAsync(operations, decided.Events, cancellationToken).ConfigureAwait(false))
            {
                return decided.Result;
            }

            await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
        }

        throw DomainException.Contended(what);
    }

    /// <summary>
    /// Plans and commits a batch of mutations in one transaction until an attempt wins, deciding each member: a retry whose
    /// request id the ledger knows gets its first result, a member the plan refuses gets its error, and the accepted ones
    /// commit together with their ledger entries. A request id that appears twice in the batch is planned once: the second
    /// waits for the next round, where the ledger answers it. Every member is decided when this returns.
    /// </summary>
    public async Task RunBatchAsync<TRequest, T>(
        IReadOnlyList<IBatchMember<TRequest, T>> members,
        Func<IReadOnlyList<IBatchMember<TRequest, T>>, CancellationToken, Task<BatchPlan<TRequest, T>>> plan,
        Func<T, byte[]> encode,
        Func<byte[], T> decode,
        string what,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(members);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(encode);
        ArgumentNullException.ThrowIfNull(decode);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            List<IBatchMember<TRequest, T>> open = [];
            HashSet<string> ledgerKeys = new(StringComparer.Ordinal);
            var deferred = false;
            var undecided = members.Where(m => !m.IsDecided).ToArray();
            // One bulk read of the ledger for the whole batch, not one read per request id.
            var withIds = undecided.Where(m => m.RequestId is not null).ToArray();
            var found = await ledger.FindManyAsync(withIds.Select(m => m.RequestId!).ToArray(), cancellationToken).ConfigureAwait(false);
            var earlier = withIds.Zip(found).ToDictionary(p => p.First, p => p.Second);
            foreach (var member in undecided)
            {
                if (member.RequestId is { } requestId)
                {
                    var (response, reused) = earlier[member];
                    if (reused is not null)
                    {
                        member.TryFail(reused);
                        continue;
                    }

                    if (response is not null)
                    {
                        member.TryComplete(decode(response));
                        continue;
                    }

                    if (!ledgerKeys.Add(RequestLedger.KeyOf(requestId)))
                    {
                        deferred = true; // the same request id twice in one batch: the first decides, the ledger answers the second
                        continue;
                    }
                }

                open.Add(member);
            }

            if (open.Count == 0)
            {
                return;
            }

            BatchPlan<TRequest, T> decided;
            try
            {
                decided = await plan(open, cancellationToken).ConfigureAwait(false);
            }
            catch (StaleReadException)
            {
                await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
                continue;
            }

            foreach (var (member, error) in decided.Refused)
            {
                member.TryFail(error);
            }

            if (decided.Accepted.Count == 0)
            {
                continue;
            }

            List<StateOperation> operations = [.. decided.Operations];
            operations.AddRange(decided.Accepted
                .Where(a => a.Member.RequestId is not null)
                .Select(a => RequestLedger.Record(a.Member.RequestId!, encode(a.Result))));
            if (await store.TryExecuteTransactionAsync(operations, decided.Events, cancellationToken).ConfigureAwait(false))
            {
                foreach (var (member, result) in decided.Accepted)
                {
                    member.TryComplete(result);
                }

                if (!deferred)
                {
                    return;
                }

                attempt = -1; // what is left are the duplicates, answered by the ledger in the next round
                continue;
            }

            await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
        }

        var contended = DomainException.Contended(what);
        foreach (var member in members)
        {
            member.TryFail(contended);
        }
    }

    /// <summary>Plans and commits until an attempt wins, for a mutation without a request id (nothing to remember for retries).</summary>
    public Task<T> RunAsync<T>(Func<CancellationToken, Task<TransactionPlan<T>>> plan, string what, CancellationToken cancellationToken) =>
        RunAsync(null, plan, _ => throw new InvalidOperationException("Nothing is recorded without a request id."),
            _ => throw new InvalidOperationException("Nothing is recorded without a request id."), what, cancellationToken);

    // Lost a race: back off a little (with jitter, so racing writers spread out) and plan again.
    private static Task BackOffAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4 << Math.Min(attempt, 5))), cancellationToken);
}
