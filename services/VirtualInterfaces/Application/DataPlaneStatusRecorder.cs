using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Resources;
using DirectConnect.VirtualInterfaces.Api;
using DirectConnect.VirtualInterfaces.Domain;
using DirectConnect.VirtualInterfaces.Storage;
using Google.Protobuf.WellKnownTypes;
using Events = DirectConnect.Contracts.Events.V1;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.VirtualInterfaces.Application;

/// <summary>
/// Records what a router's agent observed for one of its virtual interfaces: a CONFIGURING interface turns
/// AVAILABLE once its configuration is applied, and a change of BGP status is an event (and so a change on the
/// watch stream). A report about an older desired state than the last recorded one changes nothing.
/// </summary>
public sealed class DataPlaneStatusRecorder(VirtualInterfaceStore store, OptimisticTransaction transactions, TimeProvider clock)
{
    /// <summary>Records <paramref name="status"/>; false when it was older than what is recorded.</summary>
    public Task<bool> RecordAsync(string routerId, string virtualInterfaceId, DataPlaneStatus status, bool bgpUp, CancellationToken cancellationToken) =>
        transactions.RunAsync(async ct =>
        {
            var stored = await store.GetAsync(virtualInterfaceId, ct);
            if (stored is null || stored.Value.RouterId != routerId)
            {
                throw DomainException.NotFound("VirtualInterface", virtualInterfaceId);
            }

            var vif = stored.Value;
            if (vif.IsDeleted || (vif.DataPlane is { } last && status.Position < last.Position))
            {
                return new TransactionPlan<bool>([], [], false);
            }

            var now = clock.GetUtcNow();
            var up = bgpUp && status.Applied;
            var after = vif with { DataPlane = status, BgpUp = up, UpdateTime = now, ETag = ResourceIds.NewETag() };
            List<OutgoingEvent> events = [];
            if (vif.State == VirtualInterfaceState.Configuring && status.Applied)
            {
                after = after with { State = VirtualInterfaceState.Available };
                events.Add(VirtualInterfaceMapper.StateChanged(VirtualInterfaceMapper.ToProto(after), V1.VirtualInterface.Types.State.Configuring,
                    $"agent:{routerId}", $"configured on router {routerId}"));
            }

            if (up != vif.BgpUp)
            {
                events.Add(new Events.VirtualInterfaceBgpStatusChanged
                {
                    Id = vif.Id, AccountId = vif.AccountId, Region = vif.Region,
                    FromStatus = vif.BgpUp ? V1.VirtualInterface.Types.BgpStatus.Up : V1.VirtualInterface.Types.BgpStatus.Down,
                    ToStatus = up ? V1.VirtualInterface.Types.BgpStatus.Up : V1.VirtualInterface.Types.BgpStatus.Down,
                    BgpState = status.BgpState, LastError = status.LastError, Time = Timestamp.FromDateTimeOffset(status.ObservedAt),
                }.ToEvent(VirtualInterfaceMapper.Topic));
            }

            return new TransactionPlan<bool>([VirtualInterfaceStore.Put(after, stored.Unchanged)], events, true);
        }, $"virtual interface {virtualInterfaceId}", cancellationToken);
}
