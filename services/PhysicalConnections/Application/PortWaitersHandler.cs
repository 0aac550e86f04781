using DirectConnect.Platform.Coordination;
using DirectConnect.PhysicalConnections.Api;
using Events = DirectConnect.Contracts.Events.V1;

namespace DirectConnect.PhysicalConnections.Application;

/// <summary>
/// Serves connections waiting for a port as soon as one is freed (<c>PortReleased</c>) or a
/// device is added (<c>AccessDeviceAdded</c>) — driven by the events, never by polling. Serving
/// is idempotent: a redelivered event finds the queue already served.
/// </summary>
public sealed class PortWaitersHandler(PortAllocator allocator) : IEventHandler
{
    /// <summary>The durable subscription name.</summary>
    public const string Subscription = "physical-connections/port-waiters";

    /// <inheritdoc />
    public async Task<EventHandling> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent.Type == Events.PortReleased.Descriptor.FullName)
        {
            var released = Events.PortReleased.Parser.ParseFrom(cloudEvent.Data.Span);
            if (PhysicalConnectionMapper.ToDomain(released.PortSpeed) is not { } speed)
            {
                return EventHandling.Drop;
            }

            await allocator.ServeWaitersAsync(released.LocationId, speed, cancellationToken).ConfigureAwait(false);
        }
        else if (cloudEvent.Type == Events.AccessDeviceAdded.Descriptor.FullName)
        {
            var added = Events.AccessDeviceAdded.Parser.ParseFrom(cloudEvent.Data.Span);
            foreach (var speed in added.AccessDevice.Ports.Select(p => PhysicalConnectionMapper.ToDomain(p.Speed)).OfType<Domain.PortSpeed>().Distinct())
            {
                await allocator.ServeWaitersAsync(added.LocationId, speed, cancellationToken).ConfigureAwait(false);
            }
        }

        return EventHandling.Success;
    }
}
