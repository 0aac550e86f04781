using DirectConnect.Platform.Tenancy;
using DirectConnect.PhysicalConnections.Domain;
using Google.Protobuf.WellKnownTypes;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.PhysicalConnections.Api;

/// <summary>Hosted connections and partners on the wire, each as its viewer may see it.</summary>
internal static class HostedConnectionMapper
{
    /// <summary>
    /// The hosted connection as <paramref name="viewer"/> sees it. The customer does not see the partner's line nor its account (only
    /// the partner's name and the location); operators and the partner see it all. <c>null</c> viewer: everything, for events.
    /// </summary>
    public static V1.HostedConnection ToProto(HostedConnection hosted, Caller? viewer)
    {
        var seesLine = viewer is null || viewer.IsOperator || viewer.AccountId == hosted.PartnerAccountId;
        var message = new V1.HostedConnection
        {
            Id = hosted.Id,
            AccountId = hosted.AccountId,
            Region = hosted.Region,
            PhysicalConnectionId = seesLine ? hosted.PhysicalConnectionId : "",
            PartnerAccountId = seesLine ? hosted.PartnerAccountId : "",
            PartnerName = hosted.PartnerName,
            LocationId = hosted.LocationId,
            Vlan = hosted.Vlan,
            BandwidthMbps = hosted.BandwidthMbps,
            State = ToProto(hosted.State),
            StateReason = hosted.StateReason,
            CreateTime = Timestamp.FromDateTimeOffset(hosted.CreateTime),
            UpdateTime = Timestamp.FromDateTimeOffset(hosted.UpdateTime),
            Etag = hosted.ETag,
        };
        // The customer's interfaces are the customer's: its partner never sees them.
        if (viewer is null || viewer.IsOperator || viewer.AccountId == hosted.AccountId)
        {
            message.VirtualInterfaceIds.AddRange(hosted.VirtualInterfaceIds);
        }

        return message;
    }

    public static V1.HostedConnection.Types.State ToProto(HostedConnectionState state) => state switch
    {
        HostedConnectionState.PendingAcceptance => V1.HostedConnection.Types.State.PendingAcceptance,
        HostedConnectionState.Available => V1.HostedConnection.Types.State.Available,
        HostedConnectionState.Declined => V1.HostedConnection.Types.State.Declined,
        HostedConnectionState.Deleted => V1.HostedConnection.Types.State.Deleted,
        _ => V1.HostedConnection.Types.State.Unspecified,
    };

    /// <summary>The state as the wire spells it (e.g. <c>STATE_PENDING_ACCEPTANCE</c>), for error details.</summary>
    public static string WireName(HostedConnectionState state) => StateEnum.FindValueByNumber((int)ToProto(state)).Name;

    private static readonly Google.Protobuf.Reflection.EnumDescriptor StateEnum =
        V1.HostedConnection.Descriptor.EnumTypes.Single(e => e.Name == "State");

    public static V1.Partner ToProto(Partner partner) => new()
    {
        Id = partner.AccountId,
        AccountId = partner.AccountId,
        Region = partner.Region,
        Name = partner.Name,
        ConnectionQuota = partner.ConnectionQuota,
        CreateTime = Timestamp.FromDateTimeOffset(partner.CreateTime),
        UpdateTime = Timestamp.FromDateTimeOffset(partner.UpdateTime),
        Etag = partner.ETag,
    };
}
