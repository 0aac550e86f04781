namespace DirectConnect.Platform.Coordination;

/// <summary>
/// Read–change–write of one state document outside a request (event handlers, reconcilers):
/// retried from fresh reads while other writers win the ETag race.
/// </summary>
public static class DocumentUpdater
{
    /// <summary>
    /// Plans with <paramref name="plan"/> (null: nothing to do) and commits, until a commit wins.
    /// Returns false when there was nothing to do.
    /// </summary>
    public static async Task<bool> UpdateAsync(this IStateStore store,
        Func<CancellationToken, Task<(IReadOnlyList<StateOperation> Operations, IReadOnlyList<OutgoingEvent> Events)?>> plan,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(plan);
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (await plan(cancellationToken).ConfigureAwait(false) is not { } decided)
            {
                return false;
            }

            if (await store.TryExecuteTransactionAsync(decided.Operations, decided.Events, cancellationToken).ConfigureAwait(false))
            {
                return true;
            }

            await Task.Delay(Random.Shared.Next(1, 20), cancellationToken).ConfigureAwait(false);
        }

        throw new TimeoutException("A document stayed contended for 100 attempts.");
    }
}
