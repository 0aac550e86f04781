using DirectConnect.Platform.Coordination;
using DirectConnect.VirtualInterfaces.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectConnect.VirtualInterfaces.Application;

/// <summary>
/// Finds creations that died between opening their intent and creating the interface (a crash)
/// and rolls them back through <see cref="CreationRollback"/>, which never rolls back an interface
/// that exists; and publishes the second release of earlier rollbacks once it is due.
/// </summary>
public sealed partial class IntentReconciler(
    VirtualInterfaceStore store,
    IStateStore state,
    CreationRollback rollback,
    TimeProvider clock,
    IOptions<VirtualInterfaceOptions> options,
    ILogger<IntentReconciler> logger) : BackgroundService
{
    /// <summary>One pass: rolls back every intent older than the configured age, then sends the second releases due. Returns how many intents it rolled back.</summary>
    public async Task<int> ReconcileOnceAsync(CancellationToken cancellationToken)
    {
        var (intents, _) = await store.GetIntentIndexAsync(cancellationToken).ConfigureAwait(false);
        var abandoned = 0;
        foreach (var id in intents.Ids)
        {
            var intent = await store.GetIntentAsync(id, cancellationToken).ConfigureAwait(false);
            if (intent is null)
            {
                await DropFromIndexAsync(id, cancellationToken).ConfigureAwait(false);
            }
            else if (clock.GetUtcNow() - intent.Value.StartedAt >= options.Value.AbandonAfter &&
                     await rollback.AbandonAsync(id, "ABANDONED").ConfigureAwait(false))
            {
                abandoned++;
                LogAbandoned(id, intent.Value.HostedConnectionId.Length > 0 ? intent.Value.HostedConnectionId : intent.Value.PhysicalConnectionId,
                    intent.Value.BorderGatewayId);
            }
        }

        await rollback.ReleaseAgainAsync(cancellationToken).ConfigureAwait(false);
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

    // An index entry without its intent (written together, so only ever by hand): tidy it.
    private Task<bool> DropFromIndexAsync(string id, CancellationToken cancellationToken) =>
        state.UpdateAsync(async ct =>
        {
            var (index, unchanged) = await store.GetIntentIndexAsync(ct).ConfigureAwait(false);
            return index.Ids.Contains(id) && await store.GetIntentAsync(id, ct).ConfigureAwait(false) is null
                ? ([VirtualInterfaceStore.PutIntentIndex(index.Without(id), unchanged)], [])
                : null;
        }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rolled back the creation of {VirtualInterfaceId}: releasing its reservations on {ConnectionId} and {BorderGatewayId}")]
    private partial void LogAbandoned(string virtualInterfaceId, string connectionId, string borderGatewayId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A reconciliation pass failed; the next one retries")]
    private partial void LogFailed(Exception exception);
}
