using DirectConnect.Platform.Coordination;
using DirectConnect.VirtualInterfaces.Api;
using DirectConnect.VirtualInterfaces.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectConnect.VirtualInterfaces;

/// <summary>
/// Finds creations that died between taking their reservations and creating the interface (a
/// crash, a lost client) and rolls them back: it closes the intent and publishes
/// <c>VirtualInterfaceDeleted</c> for the id that never came to exist, on which the physical
/// connection and the border gateway drop its reservations. Closing the intent is guarded by its
/// ETag, and creation deletes the intent under the same guard, so a creation either completes
/// or is rolled back, never both.
/// </summary>
public sealed partial class IntentReconciler(
    VirtualInterfaceStore store,
    IStateStore state,
    TimeProvider clock,
    IOptions<VirtualInterfaceOptions> options,
    ILogger<IntentReconciler> logger) : BackgroundService
{
    /// <summary>Rolls back the creation of <paramref name="virtualInterfaceId"/> if its intent is still open.</summary>
    public static Task<bool> AbandonAsync(VirtualInterfaceStore store, IStateStore state, string virtualInterfaceId, TimeProvider clock,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(clock);
        return state.UpdateAsync(async ct =>
        {
            var intent = await store!.GetIntentAsync(virtualInterfaceId, ct).ConfigureAwait(false);
            var (intents, intentsUnchanged) = await store.GetIntentIndexAsync(ct).ConfigureAwait(false);
            if (intent is null)
            {
                return intents.Ids.Contains(virtualInterfaceId)
                    ? ([VirtualInterfaceStore.PutIntentIndex(intents.Without(virtualInterfaceId), intentsUnchanged)], [])
                    : null;
            }

            var open = intent.Value;
            return ([VirtualInterfaceStore.DeleteIntent(virtualInterfaceId, intent.Unchanged),
                     VirtualInterfaceStore.PutIntentIndex(intents.Without(virtualInterfaceId), intentsUnchanged)],
                    [VirtualInterfaceMapper.Deleted(open.VirtualInterfaceId, open.AccountId, open.Region, open.PhysicalConnectionId,
                        open.BorderGatewayId, [], clock.GetUtcNow())]);
        }, cancellationToken);
    }

    /// <summary>One pass: rolls back every intent older than the configured age. Returns how many.</summary>
    public async Task<int> ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        var (intents, _) = await store.GetIntentIndexAsync(cancellationToken).ConfigureAwait(false);
        var abandoned = 0;
        foreach (var id in intents.Ids)
        {
            var intent = await store.GetIntentAsync(id, cancellationToken).ConfigureAwait(false);
            if (intent is null || clock.GetUtcNow() - intent.Value.StartedAt >= options.Value.AbandonAfter)
            {
                if (await AbandonAsync(store, state, id, clock, cancellationToken).ConfigureAwait(false) && intent is not null)
                {
                    abandoned++;
                    LogAbandoned(id, intent.Value.PhysicalConnectionId, intent.Value.BorderGatewayId);
                }
            }
        }

        return abandoned;
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ReconcileOnceAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // the reconciler must outlive a failed pass; the next pass retries
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogFailed(exception);
            }

            try
            {
                await Task.Delay(options.Value.ReconcileInterval, clock, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rolled back the creation of {VirtualInterfaceId}: releasing its reservations on {PhysicalConnectionId} and {BorderGatewayId}")]
    private partial void LogAbandoned(string virtualInterfaceId, string physicalConnectionId, string borderGatewayId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A reconciliation pass failed; the next one retries")]
    private partial void LogFailed(Exception exception);
}
