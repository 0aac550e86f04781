using DirectConnect.BorderGateways.Storage;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Reservations;
using DirectConnect.Platform.Resources;

namespace DirectConnect.BorderGateways.Application;

/// <summary>
/// Drops a virtual interface's reservation (and its IDC prefixes) when the VirtualInterfaces
/// service announces a release: the interface was deleted, or its creation was rolled back.
/// Idempotent.
/// </summary>
public sealed class ReservationReleaseHandler(BorderGatewayStore gateways, IStateStore store, TimeProvider clock) : ReservationReleaseHandlerBase
{
    /// <summary>The durable subscription name (kept from when only deletions released: it holds the position).</summary>
    public const string Subscription = "border-gateways/virtual-interface-deleted";

    /// <inheritdoc />
    protected override Task ReleaseAsync(ReleasedReservation release, CancellationToken cancellationToken) =>
        store.UpdateAsync(async ct =>
        {
            var stored = await gateways.GetAsync(release.BorderGatewayId, ct);
            return stored is null || !stored.Value.VirtualInterfaceIds.Contains(release.VirtualInterfaceId)
                ? null
                : ([BorderGatewayStore.Put(stored.Value.WithoutReservation(release.VirtualInterfaceId, clock.GetUtcNow(), ResourceIds.NewETag()), stored.Unchanged)], []);
        }, cancellationToken);
}
