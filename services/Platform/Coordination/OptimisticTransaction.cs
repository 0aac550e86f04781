using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Idempotency;

namespace DirectConnect.Platform.Coordination;

/// <summary>What one attempt of a mutation decided: the writes, the events, and the result to return.</summary>
public sealed record TransactionPlan<T>(IReadOnlyList<StateOperation> Operations, IReadOnlyList<OutgoingEvent> Events, T Result);

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

    /// <summary>Plans and commits until an attempt wins, for a mutation without a request id (nothing to remember for retries).</summary>
    public Task<T> RunAsync<T>(Func<CancellationToken, Task<TransactionPlan<T>>> plan, string what, CancellationToken cancellationToken) =>
        RunAsync(null, plan, _ => throw new InvalidOperationException("Nothing is recorded without a request id."),
            _ => throw new InvalidOperationException("Nothing is recorded without a request id."), what, cancellationToken);

    // Lost a race: back off a little (with jitter, so racing writers spread out) and plan again.
    private static Task BackOffAsync(int attempt, CancellationToken cancellationToken) =>
        Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(1, 4 << Math.Min(attempt, 5))), cancellationToken);
}
