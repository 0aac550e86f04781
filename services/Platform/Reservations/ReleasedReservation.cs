using DirectConnect.Platform.Coordination;
using Google.Protobuf;
using Events = DirectConnect.Contracts.Events.V1;

namespace DirectConnect.Platform.Reservations;

/// <summary>
/// A virtual interface's reservations that its owners must drop, as the VirtualInterfaces service
/// announces it: the interface was deleted (<c>VirtualInterfaceDeleted</c>), or its creation was
/// rolled back before it existed (<c>VirtualInterfaceCreationAbandoned</c>). The
/// PhysicalConnections and BorderGateways services both read releases this way; nothing else
/// releases a reservation.
/// </summary>
public sealed record ReleasedReservation(string VirtualInterfaceId, string PhysicalConnectionId, string BorderGatewayId)
{
    /// <summary>The hosted connection that carried the interface instead of a physical connection (then <see cref="PhysicalConnectionId"/> is empty).</summary>
    public string HostedConnectionId { get; init; } = "";

    /// <summary>The topic both events are published on.</summary>
    public const string Topic = "virtual-interfaces";

    /// <summary>
    /// The release <paramref name="cloudEvent"/> announces; null for any other event. Unreadable data
    /// of a release event throws <see cref="InvalidProtocolBufferException"/> (handlers drop such events).
    /// </summary>
    public static ReleasedReservation? From(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent.Type == Events.VirtualInterfaceDeleted.Descriptor.FullName)
        {
            var deleted = Events.VirtualInterfaceDeleted.Parser.ParseFrom(cloudEvent.Data.Span);
            return new ReleasedReservation(deleted.Id, deleted.PhysicalConnectionId, deleted.BorderGatewayId) { HostedConnectionId = deleted.HostedConnectionId };
        }

        if (cloudEvent.Type == Events.VirtualInterfaceCreationAbandoned.Descriptor.FullName)
        {
            var abandoned = Events.VirtualInterfaceCreationAbandoned.Parser.ParseFrom(cloudEvent.Data.Span);
            return new ReleasedReservation(abandoned.Id, abandoned.PhysicalConnectionId, abandoned.BorderGatewayId) { HostedConnectionId = abandoned.HostedConnectionId };
        }

        return null;
    }
}

/// <summary>
/// An owner's handler of releases (<see cref="ReleasedReservation"/>): other events pass, unreadable
/// release events are dropped, and each release reaches <see cref="ReleaseAsync"/>, which must be
/// idempotent (events arrive at least once).
/// </summary>
public abstract class ReservationReleaseHandlerBase : IEventHandler
{
    /// <inheritdoc />
    public async Task<EventHandling> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        ReleasedReservation? release;
        try
        {
            release = ReleasedReservation.From(cloudEvent);
        }
        catch (InvalidProtocolBufferException)
        {
            return EventHandling.Drop;
        }

        if (release is not null)
        {
            await ReleaseAsync(release, cancellationToken).ConfigureAwait(false);
        }

        return EventHandling.Success;
    }

    /// <summary>Drops <paramref name="release"/>'s reservation if this owner holds it.</summary>
    protected abstract Task ReleaseAsync(ReleasedReservation release, CancellationToken cancellationToken);
}
