using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Reservations;
using DirectConnect.Platform.Resources;
using DirectConnect.PhysicalConnections.Api;
using DirectConnect.PhysicalConnections.Storage;

namespace DirectConnect.PhysicalConnections.Application;

/// <summary>
/// Drops a virtual interface's reservation (and so its VLAN) when the VirtualInterfaces service
/// announces a release: the interface was deleted, or its creation was rolled back; from the hosted connection that
/// carried it, if one did. Idempotent.
/// </summary>
public sealed class ReservationReleaseHandler(PhysicalConnectionStore connections, HostedConnections hosted, IStateStore store, TimeProvider clock)
    : ReservationReleaseHandlerBase
{
    /// <summary>The durable subscription name (kept from when only deletions released: it holds the position).</summary>
    public const string Subscription = "physical-connections/virtual-interface-deleted";

    /// <inheritdoc />
    protected override Task ReleaseAsync(ReleasedReservation release, CancellationToken cancellationToken) =>
        release.HostedConnectionId.Length > 0
            ? hosted.ReleaseAsync(release.HostedConnectionId, release.VirtualInterfaceId, cancellationToken)
            : ReleaseLineAsync(release, cancellationToken);

    private Task ReleaseLineAsync(ReleasedReservation release, CancellationToken cancellationToken) =>
        store.UpdateAsync(async ct =>
        {
            var stored = await connections.GetAsync(release.PhysicalConnectionId, ct);
            if (stored is null || !stored.Value.VirtualInterfaceIds.Contains(release.VirtualInterfaceId))
            {
                return null;
            }

            var released = stored.Value.WithoutReservation(release.VirtualInterfaceId, clock.GetUtcNow(), ResourceIds.NewETag());
            var message = PhysicalConnectionMapper.ToProto(released);
            return ([PhysicalConnectionStore.Put(released, stored.Unchanged)],
                [PhysicalConnectionEvents.Updated(message, Google.Protobuf.WellKnownTypes.FieldMask.FromString("virtual_interface_ids"))]);
        }, cancellationToken);
}
