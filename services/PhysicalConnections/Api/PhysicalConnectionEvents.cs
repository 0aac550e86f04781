using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Grpc;
using DirectConnect.PhysicalConnections.Domain;
using Google.Protobuf.WellKnownTypes;
using Events = DirectConnect.Contracts.Events.V1;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.PhysicalConnections.Api;

/// <summary>The events this module publishes on topic <see cref="Topic"/>, built from the resource as committed.</summary>
internal static class PhysicalConnectionEvents
{
    public const string Topic = "physical-connections";

    public static OutgoingEvent Created(V1.PhysicalConnection connection) => new Events.PhysicalConnectionCreated
    {
        Id = connection.Id,
        AccountId = connection.AccountId,
        Region = connection.Region,
        PhysicalConnection = connection,
        Time = connection.UpdateTime,
    }.ToEvent(Topic);

    public static OutgoingEvent Updated(V1.PhysicalConnection connection, FieldMask mask) => new Events.PhysicalConnectionUpdated
    {
        Id = connection.Id,
        AccountId = connection.AccountId,
        Region = connection.Region,
        PhysicalConnection = connection,
        UpdateMask = mask,
        Time = connection.UpdateTime,
    }.ToEvent(Topic);

    /// <summary>The state change into the connection's current state (the last history entry).</summary>
    public static OutgoingEvent StateChanged(V1.PhysicalConnection connection, V1.PhysicalConnection.Types.State from)
    {
        var transition = connection.History[^1];
        return new Events.PhysicalConnectionStateChanged
        {
            Id = connection.Id,
            AccountId = connection.AccountId,
            Region = connection.Region,
            FromState = from,
            ToState = connection.State,
            Reason = transition.Reason,
            Actor = transition.Actor,
            Time = transition.Time,
        }.ToEvent(Topic);
    }

    /// <summary>The deletion; the released port comes from the deletion's history entry (a deleted connection holds none).</summary>
    public static OutgoingEvent Deleted(V1.PhysicalConnection connection) => new Events.PhysicalConnectionDeleted
    {
        Id = connection.Id,
        AccountId = connection.AccountId,
        Region = connection.Region,
        LocationId = connection.LocationId,
        ReleasedPort = connection.History[^1].ReleasedPort,
        Time = connection.UpdateTime,
    }.ToEvent(Topic);

    public static OutgoingEvent Waiting(PhysicalConnection connection) => new Events.PortAllocationWaiting
    {
        PhysicalConnectionId = connection.Id,
        AccountId = connection.AccountId,
        Region = connection.Region,
        LocationId = connection.LocationId,
        PortSpeed = PhysicalConnectionMapper.ToProto(connection.PortSpeed),
        PaymentTime = connection.PaymentTime is { } paid ? Timestamp.FromDateTimeOffset(paid) : null,
        Time = Timestamp.FromDateTimeOffset(connection.UpdateTime),
    }.ToEvent(Topic);

    public static OutgoingEvent PortAllocated(PhysicalConnection connection, PortAssignment port, DateTimeOffset now) => new Events.PortAllocated
    {
        PhysicalConnectionId = connection.Id,
        AccountId = connection.AccountId,
        Region = connection.Region,
        LocationId = connection.LocationId,
        AccessDeviceId = port.AccessDeviceId,
        PortName = port.PortName,
        PortSpeed = PhysicalConnectionMapper.ToProto(connection.PortSpeed),
        Time = Timestamp.FromDateTimeOffset(now),
    }.ToEvent(Topic);

    public static OutgoingEvent PortReleased(PhysicalConnection connection, PortAssignment port, DateTimeOffset now) => new Events.PortReleased
    {
        PhysicalConnectionId = connection.Id,
        AccountId = connection.AccountId,
        Region = connection.Region,
        LocationId = connection.LocationId,
        AccessDeviceId = port.AccessDeviceId,
        PortName = port.PortName,
        PortSpeed = PhysicalConnectionMapper.ToProto(connection.PortSpeed),
        Time = Timestamp.FromDateTimeOffset(now),
    }.ToEvent(Topic);

    public static OutgoingEvent DeviceAdded(V1.AccessDevice device) => new Events.AccessDeviceAdded
    {
        AccessDeviceId = device.Id,
        Region = device.Region,
        LocationId = device.LocationId,
        AccessDevice = device,
        Time = device.CreateTime,
    }.ToEvent(Topic);

    public static OutgoingEvent DeviceDeleted(V1.AccessDevice device) => new Events.AccessDeviceDeleted
    {
        AccessDeviceId = device.Id,
        Region = device.Region,
        LocationId = device.LocationId,
        Time = device.UpdateTime,
    }.ToEvent(Topic);

    public static OutgoingEvent PartnerRegistered(Partner partner) => new Events.PartnerRegistered
    {
        AccountId = partner.AccountId,
        Region = partner.Region,
        Partner = HostedConnectionMapper.ToProto(partner),
        Time = Timestamp.FromDateTimeOffset(partner.UpdateTime),
    }.ToEvent(Topic);

    public static OutgoingEvent PartnerDeleted(Partner partner) => new Events.PartnerDeleted
    {
        AccountId = partner.AccountId,
        Region = partner.Region,
        Time = Timestamp.FromDateTimeOffset(partner.UpdateTime),
    }.ToEvent(Topic);

    public static OutgoingEvent HostedAllocated(HostedConnection hosted) => new Events.HostedConnectionAllocated
    {
        Id = hosted.Id,
        AccountId = hosted.AccountId,
        PartnerAccountId = hosted.PartnerAccountId,
        Region = hosted.Region,
        HostedConnection = HostedConnectionMapper.ToProto(hosted, viewer: null),
        Time = Timestamp.FromDateTimeOffset(hosted.CreateTime),
    }.ToEvent(Topic);

    /// <summary>The transition into the hosted connection's current state (the last history entry).</summary>
    public static OutgoingEvent HostedStateChanged(HostedConnection hosted, HostedConnectionState from)
    {
        var transition = hosted.History[^1];
        return new Events.HostedConnectionStateChanged
        {
            Id = hosted.Id,
            AccountId = hosted.AccountId,
            PartnerAccountId = hosted.PartnerAccountId,
            Region = hosted.Region,
            FromState = HostedConnectionMapper.ToProto(from),
            ToState = HostedConnectionMapper.ToProto(hosted.State),
            Reason = transition.Reason,
            Actor = transition.Actor,
            Time = Timestamp.FromDateTimeOffset(transition.Time),
        }.ToEvent(Topic);
    }

    /// <summary>The line's change when a hosted connection takes or gives back its hold.</summary>
    public static OutgoingEvent HostedHoldsChanged(PhysicalConnection line) =>
        Updated(PhysicalConnectionMapper.ToProto(line), FieldMask.FromString("hosted_connection_ids"));
}
