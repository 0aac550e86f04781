using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Grpc;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Events = DirectConnect.Contracts.Events.V1;

namespace DirectConnect.Gateway.Watch;

/// <summary>
/// The one place that says which events are changes a customer can watch and what each means:
/// one small mapping per event type. Events not listed (operator inventory such as
/// AccessDeviceAdded, which belongs to no account; VirtualInterfaceCreationAbandoned, the rollback
/// of a creation whose interface never existed) are not changes of any feed.
/// </summary>
public static class ChangeMapping
{
    /// <summary>Resource type of physical connections.</summary>
    public const string PhysicalConnection = "physicalConnection";

    /// <summary>Resource type of border gateways.</summary>
    public const string BorderGateway = "borderGateway";

    /// <summary>Resource type of virtual interfaces.</summary>
    public const string VirtualInterface = "virtualInterface";

    /// <summary>Resource type of VPCs.</summary>
    public const string Vpc = "vpc";

    /// <summary>Resource type of routes.</summary>
    public const string Route = "route";

    /// <summary>Resource type of hosted connections.</summary>
    public const string HostedConnection = "hostedConnection";

    /// <summary>The topics whose events feed the watch.</summary>
    public static readonly IReadOnlyList<string> Topics = ["physical-connections", "border-gateways", "virtual-interfaces", "routing"];

    private static readonly Dictionary<string, Func<ReadOnlyMemory<byte>, ObservedChange>> Mappings = new(StringComparer.Ordinal)
    {
        // hosted connections: the customer's change; the partner gets the same change too (PartnerCopies).
        [Name(Events.HostedConnectionAllocated.Descriptor)] = data => Parse(Events.HostedConnectionAllocated.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, HostedConnection, e.Id, ChangeKind.Created, Wire(e.HostedConnection?.State), "", Time(e.Time))),
        [Name(Events.HostedConnectionStateChanged.Descriptor)] = data => Parse(Events.HostedConnectionStateChanged.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, HostedConnection, e.Id,
                e.ToState == Contracts.V1.HostedConnection.Types.State.Deleted ? ChangeKind.Deleted : ChangeKind.StateChanged,
                Wire(e.ToState), Wire(e.FromState), Time(e.Time))),

        // physical-connections
        [Name(Events.PhysicalConnectionCreated.Descriptor)] = data => Parse(Events.PhysicalConnectionCreated.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, PhysicalConnection, e.Id, ChangeKind.Created, Wire(e.PhysicalConnection?.State), "", Time(e.Time))),
        [Name(Events.PhysicalConnectionUpdated.Descriptor)] = data => Parse(Events.PhysicalConnectionUpdated.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, PhysicalConnection, e.Id, ChangeKind.Updated, Wire(e.PhysicalConnection?.State), "", Time(e.Time))),
        [Name(Events.PhysicalConnectionStateChanged.Descriptor)] = data => Parse(Events.PhysicalConnectionStateChanged.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, PhysicalConnection, e.Id, ChangeKind.StateChanged, Wire(e.ToState), Wire(e.FromState), Time(e.Time))),
        [Name(Events.PhysicalConnectionDeleted.Descriptor)] = data => Parse(Events.PhysicalConnectionDeleted.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, PhysicalConnection, e.Id, ChangeKind.Deleted, "", "", Time(e.Time))),
        [Name(Events.PortAllocated.Descriptor)] = data => Parse(Events.PortAllocated.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, PhysicalConnection, e.PhysicalConnectionId, ChangeKind.Updated, "", "", Time(e.Time))),
        [Name(Events.PortReleased.Descriptor)] = data => Parse(Events.PortReleased.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, PhysicalConnection, e.PhysicalConnectionId, ChangeKind.Updated, "", "", Time(e.Time))),
        [Name(Events.PortAllocationWaiting.Descriptor)] = data => Parse(Events.PortAllocationWaiting.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, PhysicalConnection, e.PhysicalConnectionId, ChangeKind.Updated, "", "", Time(e.Time))),

        // border-gateways
        [Name(Events.BorderGatewayCreated.Descriptor)] = data => Parse(Events.BorderGatewayCreated.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, BorderGateway, e.Id, ChangeKind.Created, Wire(e.BorderGateway?.State), "", Time(e.Time))),
        [Name(Events.BorderGatewayStateChanged.Descriptor)] = data => Parse(Events.BorderGatewayStateChanged.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, BorderGateway, e.Id, ChangeKind.StateChanged, Wire(e.ToState), Wire(e.FromState), Time(e.Time))),
        [Name(Events.BorderGatewayDeleted.Descriptor)] = data => Parse(Events.BorderGatewayDeleted.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, BorderGateway, e.Id, ChangeKind.Deleted, "", "", Time(e.Time))),
        // Attachments are part of the gateway (its vpc_attachments), so they change the gateway.
        [Name(Events.VpcAttached.Descriptor)] = data => Parse(Events.VpcAttached.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, BorderGateway, e.BorderGatewayId, ChangeKind.Updated, "", "", Time(e.Time))),
        [Name(Events.VpcAttachmentRefused.Descriptor)] = data => Parse(Events.VpcAttachmentRefused.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, BorderGateway, e.BorderGatewayId, ChangeKind.Updated, "", "", Time(e.Time))),
        [Name(Events.VpcDetached.Descriptor)] = data => Parse(Events.VpcDetached.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, BorderGateway, e.BorderGatewayId, ChangeKind.Updated, "", "", Time(e.Time))),

        // virtual-interfaces
        [Name(Events.VirtualInterfaceCreated.Descriptor)] = data => Parse(Events.VirtualInterfaceCreated.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, VirtualInterface, e.Id, ChangeKind.Created, Wire(e.VirtualInterface?.State), "", Time(e.Time))),
        [Name(Events.VirtualInterfaceStateChanged.Descriptor)] = data => Parse(Events.VirtualInterfaceStateChanged.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, VirtualInterface, e.Id, ChangeKind.StateChanged, Wire(e.ToState), Wire(e.FromState), Time(e.Time))),
        [Name(Events.VirtualInterfaceBgpStatusChanged.Descriptor)] = data => Parse(Events.VirtualInterfaceBgpStatusChanged.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, VirtualInterface, e.Id, ChangeKind.Updated, "", "", Time(e.Time))),
        [Name(Events.VirtualInterfaceDeleted.Descriptor)] = data => Parse(Events.VirtualInterfaceDeleted.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, VirtualInterface, e.Id, ChangeKind.Deleted, "", "", Time(e.Time))),

        // routing
        [Name(Events.VpcRegistered.Descriptor)] = data => Parse(Events.VpcRegistered.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, Vpc, e.VpcId, ChangeKind.Created, Wire(e.Vpc?.State), "", Time(e.Time))),
        [Name(Events.VpcDeregistered.Descriptor)] = data => Parse(Events.VpcDeregistered.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, Vpc, e.VpcId, ChangeKind.Deleted, "", "", Time(e.Time))),
        // The event does not say the state before (a route only ever becomes BLACKHOLE from another state).
        [Name(Events.RouteBlackholed.Descriptor)] = data => Parse(Events.RouteBlackholed.Parser, data, e =>
            new ObservedChange(e.AccountId, e.Region, Route, e.RouteId, ChangeKind.StateChanged, Wire(e.Route?.State), "", Time(e.Time))),
    };

    // Changes of a resource two accounts share: the other account (the partner that allocated a hosted connection) sees
    // each change of it in its own feed as well.
    private static readonly Dictionary<string, Func<ReadOnlyMemory<byte>, string>> PartnerCopies = new(StringComparer.Ordinal)
    {
        [Name(Events.HostedConnectionAllocated.Descriptor)] = data => Events.HostedConnectionAllocated.Parser.ParseFrom(data.Span).PartnerAccountId,
        [Name(Events.HostedConnectionStateChanged.Descriptor)] = data => Events.HostedConnectionStateChanged.Parser.ParseFrom(data.Span).PartnerAccountId,
    };

    /// <summary>The event types that are changes.</summary>
    public static IReadOnlyCollection<string> EventTypes => Mappings.Keys;

    /// <summary>
    /// The changes <paramref name="cloudEvent"/> stands for, one per account whose feed shows it (two for a hosted
    /// connection: its customer's and its partner's); empty when its type is not a change.
    /// Throws <see cref="InvalidProtocolBufferException"/> when the payload is malformed.
    /// </summary>
    public static IReadOnlyList<ObservedChange> Map(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (!Mappings.TryGetValue(cloudEvent.Type, out var map))
        {
            return [];
        }

        var change = map(cloudEvent.Data);
        change = change.Time == default ? change with { Time = cloudEvent.Time } : change;
        return PartnerCopies.TryGetValue(cloudEvent.Type, out var partnerOf) && partnerOf(cloudEvent.Data) is { Length: > 0 } partner && partner != change.AccountId
            ? [change, change with { AccountId = partner }]
            : [change];
    }

    private static string Name(Google.Protobuf.Reflection.MessageDescriptor descriptor) => descriptor.FullName;

    private static ObservedChange Parse<T>(MessageParser<T> parser, ReadOnlyMemory<byte> data, Func<T, ObservedChange> map)
        where T : IMessage<T> => map(parser.ParseFrom(data.Span));

    // The wire name of a state, empty for UNSPECIFIED or absent (the event did not carry it).
    private static string Wire<TState>(TState? state) where TState : struct, System.Enum =>
        state is { } value ? Wire(value) : "";

    private static string Wire<TState>(TState state) where TState : struct, System.Enum =>
        Convert.ToInt32(state, System.Globalization.CultureInfo.InvariantCulture) != 0 ? state.ToWireName() : "";

    // Absent: the CloudEvent's time is used instead.
    private static DateTimeOffset Time(Timestamp? time) => time?.ToDateTimeOffset() ?? default;
}
