using DirectConnect.PhysicalConnections.Domain;
using Google.Protobuf.WellKnownTypes;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.PhysicalConnections.Api;

/// <summary>The one place where the domain meets the contracts of <c>directconnect.v1</c>.</summary>
internal static class PhysicalConnectionMapper
{
    public static PhysicalConnectionSpec ToSpec(V1.PhysicalConnection message) => new(
        Name: message.Name,
        Description: message.Description,
        LocationId: message.LocationId,
        PortSpeed: ToDomain(message.PortSpeed),
        BandwidthMbps: message.BandwidthMbps,
        Provider: message.Provider,
        Partner: message.Partner);

    public static V1.PhysicalConnection ToProto(PhysicalConnection connection)
    {
        var message = new V1.PhysicalConnection
        {
            Id = connection.Id,
            AccountId = connection.AccountId,
            Region = connection.Region,
            Name = connection.Name,
            Description = connection.Description,
            LocationId = connection.LocationId,
            PortSpeed = ToProto(connection.PortSpeed),
            BandwidthMbps = connection.BandwidthMbps,
            Provider = connection.Provider,
            Partner = connection.Partner,
            State = ToProto(connection.State),
            StateReason = connection.StateReason,
            WaitingForPort = connection.WaitingForPort,
            CreateTime = Timestamp.FromDateTimeOffset(connection.CreateTime),
            UpdateTime = Timestamp.FromDateTimeOffset(connection.UpdateTime),
            Etag = connection.ETag,
        };
        if (connection.Port is { } port)
        {
            message.Port = ToProto(port);
        }

        if (connection.PaymentTime is { } paid)
        {
            message.PaymentTime = Timestamp.FromDateTimeOffset(paid);
        }

        message.VirtualInterfaceIds.AddRange(connection.VirtualInterfaceIds);
        message.HostedConnectionIds.AddRange(connection.HostedHolds.Select(h => h.HostedConnectionId));
        message.History.AddRange(connection.History.Select(t => new V1.PhysicalConnection.Types.StateTransition
        {
            State = ToProto(t.State),
            Time = Timestamp.FromDateTimeOffset(t.Time),
            Actor = t.Actor,
            Reason = t.Reason,
            ReleasedPort = t.ReleasedPort is { } released ? ToProto(released) : null,
        }));
        return message;
    }

    private static V1.PortAssignment ToProto(PortAssignment port) => new() { AccessDeviceId = port.AccessDeviceId, PortName = port.PortName };

    public static PortSpeed? ToDomain(V1.PortSpeed speed) => speed switch
    {
        V1.PortSpeed._1G => PortSpeed.Speed1G,
        V1.PortSpeed._10G => PortSpeed.Speed10G,
        V1.PortSpeed._100G => PortSpeed.Speed100G,
        _ => null,
    };

    public static V1.PortSpeed ToProto(PortSpeed speed) => speed switch
    {
        PortSpeed.Speed1G => V1.PortSpeed._1G,
        PortSpeed.Speed10G => V1.PortSpeed._10G,
        PortSpeed.Speed100G => V1.PortSpeed._100G,
        _ => V1.PortSpeed.Unspecified,
    };

    public static PhysicalConnectionState? ToDomain(V1.PhysicalConnection.Types.State state) => state switch
    {
        V1.PhysicalConnection.Types.State.Applying => PhysicalConnectionState.Applying,
        V1.PhysicalConnection.Types.State.PendingPayment => PhysicalConnectionState.PendingPayment,
        V1.PhysicalConnection.Types.State.UnderConstruction => PhysicalConnectionState.UnderConstruction,
        V1.PhysicalConnection.Types.State.AwaitingConfirmation => PhysicalConnectionState.AwaitingConfirmation,
        V1.PhysicalConnection.Types.State.Available => PhysicalConnectionState.Available,
        V1.PhysicalConnection.Types.State.Rejected => PhysicalConnectionState.Rejected,
        V1.PhysicalConnection.Types.State.Deleted => PhysicalConnectionState.Deleted,
        _ => null,
    };

    /// <summary>The state as the wire spells it (e.g. <c>STATE_APPLYING</c>), for error details.</summary>
    public static string WireName(PhysicalConnectionState state) =>
        StateEnum.FindValueByNumber((int)ToProto(state)).Name;

    private static readonly Google.Protobuf.Reflection.EnumDescriptor StateEnum =
        V1.PhysicalConnection.Descriptor.EnumTypes.Single(e => e.Name == "State");

    public static V1.PhysicalConnection.Types.State ToProto(PhysicalConnectionState state) => state switch
    {
        PhysicalConnectionState.Applying => V1.PhysicalConnection.Types.State.Applying,
        PhysicalConnectionState.PendingPayment => V1.PhysicalConnection.Types.State.PendingPayment,
        PhysicalConnectionState.UnderConstruction => V1.PhysicalConnection.Types.State.UnderConstruction,
        PhysicalConnectionState.AwaitingConfirmation => V1.PhysicalConnection.Types.State.AwaitingConfirmation,
        PhysicalConnectionState.Available => V1.PhysicalConnection.Types.State.Available,
        PhysicalConnectionState.Rejected => V1.PhysicalConnection.Types.State.Rejected,
        PhysicalConnectionState.Deleted => V1.PhysicalConnection.Types.State.Deleted,
        _ => V1.PhysicalConnection.Types.State.Unspecified,
    };
}
