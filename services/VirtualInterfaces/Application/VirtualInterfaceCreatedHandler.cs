using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Resources;
using DirectConnect.VirtualInterfaces.Api;
using DirectConnect.VirtualInterfaces.Domain;
using DirectConnect.VirtualInterfaces.Storage;
using Events = DirectConnect.Contracts.Events.V1;

namespace DirectConnect.VirtualInterfaces.Application;

/// <summary>
/// CONFIGURING → AVAILABLE: an interface is created only once both reservations are held, so its
/// own <c>VirtualInterfaceCreated</c> event brings it into service (also after a crash, since the
/// event is in the outbox). BGP stays DOWN until a data plane reports otherwise. An interface whose
/// gateway is placed on a router waits instead for the router's agent to apply it.
/// </summary>
public sealed class VirtualInterfaceCreatedHandler(VirtualInterfaceStore store, IStateStore state, TimeProvider clock) : IEventHandler
{
    /// <summary>The durable subscription name.</summary>
    public const string Subscription = "virtual-interfaces/created";

    /// <inheritdoc />
    public async Task<EventHandling> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent.Type != Events.VirtualInterfaceCreated.Descriptor.FullName)
        {
            return EventHandling.Success;
        }

        var id = Events.VirtualInterfaceCreated.Parser.ParseFrom(cloudEvent.Data.Span).Id;
        await state.UpdateAsync(async ct =>
        {
            var stored = await store.GetAsync(id, ct);
            // On a router, its agent brings it into service once the configuration is applied (DataPlaneStatusRecorder).
            if (stored is null || stored.Value.State != VirtualInterfaceState.Configuring || stored.Value.RouterId is not null)
            {
                return null;
            }

            var available = stored.Value with { State = VirtualInterfaceState.Available, UpdateTime = clock.GetUtcNow(), ETag = ResourceIds.NewETag() };
            var message = VirtualInterfaceMapper.ToProto(available);
            return ([VirtualInterfaceStore.Put(available, stored.Unchanged)],
                [VirtualInterfaceMapper.StateChanged(message, VirtualInterfaceMapper.ToProto(VirtualInterfaceState.Configuring), "system",
                    "reservations held on the physical connection and the border gateway")]);
        }, cancellationToken);
        return EventHandling.Success;
    }
}
