using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Resources;
using DirectConnect.PhysicalConnections.Api;
using DirectConnect.PhysicalConnections.Storage;
using Google.Protobuf;
using Events = DirectConnect.Contracts.Events.V1;

namespace DirectConnect.PhysicalConnections.Application;

/// <summary>
/// Drops a virtual interface's reservation (and so its VLAN) when the VirtualInterfaces service
/// publishes <c>VirtualInterfaceDeleted</c> — for a deleted interface, or for one that never came
/// to exist (its reconciler publishes the same event). Idempotent.
/// </summary>
public sealed class VirtualInterfaceDeletedHandler(PhysicalConnectionStore connections, IStateStore store, TimeProvider clock) : IEventHandler
{
    /// <summary>The durable subscription name.</summary>
    public const string Subscription = "physical-connections/virtual-interface-deleted";

    /// <summary>The topic of the VirtualInterfaces service.</summary>
    public const string Topic = "virtual-interfaces";

    /// <inheritdoc />
    public async Task<EventHandling> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent.Type != Events.VirtualInterfaceDeleted.Descriptor.FullName)
        {
            return EventHandling.Success;
        }

        Events.VirtualInterfaceDeleted deleted;
        try
        {
            deleted = Events.VirtualInterfaceDeleted.Parser.ParseFrom(cloudEvent.Data.Span);
        }
        catch (InvalidProtocolBufferException)
        {
            return EventHandling.Drop;
        }

        await store.UpdateAsync(async ct =>
        {
            var stored = await connections.GetAsync(deleted.PhysicalConnectionId, ct);
            if (stored is null || !stored.Value.VirtualInterfaceIds.Contains(deleted.Id))
            {
                return null;
            }

            var released = stored.Value.WithoutReservation(deleted.Id, clock.GetUtcNow(), ResourceIds.NewETag());
            var message = PhysicalConnectionMapper.ToProto(released);
            return ([PhysicalConnectionStore.Put(released, stored.Unchanged)],
                [PhysicalConnectionEvents.Updated(message, Google.Protobuf.WellKnownTypes.FieldMask.FromString("virtual_interface_ids"))]);
        }, cancellationToken);
        return EventHandling.Success;
    }
}
