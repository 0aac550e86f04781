using DirectConnect.BorderGateways.Domain;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Grpc;
using Google.Protobuf.WellKnownTypes;
using Events = DirectConnect.Contracts.Events.V1;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.BorderGateways.Api;

/// <summary>Border gateways to <c>directconnect.v1</c>, and the events of this service (topic <see cref="Topic"/>).</summary>
internal static class BorderGatewayMapper
{
    public const string Topic = "border-gateways";

    public static V1.BorderGateway ToProto(BorderGateway gateway)
    {
        var message = new V1.BorderGateway
        {
            Id = gateway.Id,
            AccountId = gateway.AccountId,
            Region = gateway.Region,
            Name = gateway.Name,
            Description = gateway.Description,
            Asn = gateway.Asn,
            State = ToProto(gateway.State),
            RouteTableId = gateway.RouteTableId,
            RouterId = gateway.RouterId ?? "",
            CreateTime = Timestamp.FromDateTimeOffset(gateway.CreateTime),
            UpdateTime = Timestamp.FromDateTimeOffset(gateway.UpdateTime),
            Etag = gateway.ETag,
        };
        message.VpcAttachments.AddRange(gateway.Attachments.Select(a => new V1.BorderGateway.Types.VpcAttachment
        {
            VpcId = a.VpcId,
            State = a.Attached ? V1.BorderGateway.Types.VpcAttachment.Types.State.Attached : V1.BorderGateway.Types.VpcAttachment.Types.State.Refused,
            Reason = a.Reason,
        }));
        message.VirtualInterfaceIds.AddRange(gateway.VirtualInterfaceIds);
        return message;
    }

    public static V1.Router ToProto(Router router)
    {
        var message = new V1.Router
        {
            Id = router.Id,
            Region = router.Region,
            Name = router.Name,
            InterfaceName = router.InterfaceName,
            Asn = router.Asn,
            State = router.IsDeleted ? V1.Router.Types.State.Deleted : V1.Router.Types.State.Active,
            CreateTime = Timestamp.FromDateTimeOffset(router.CreateTime),
            UpdateTime = Timestamp.FromDateTimeOffset(router.UpdateTime),
            Etag = router.ETag,
        };
        message.BorderGatewayIds.AddRange(router.BorderGatewayIds);
        return message;
    }

    public static V1.BorderGateway.Types.State ToProto(BorderGatewayState state) => state switch
    {
        BorderGatewayState.Creating => V1.BorderGateway.Types.State.Creating,
        BorderGatewayState.Available => V1.BorderGateway.Types.State.Available,
        BorderGatewayState.Deleted => V1.BorderGateway.Types.State.Deleted,
        _ => V1.BorderGateway.Types.State.Unspecified,
    };

    public static OutgoingEvent Created(V1.BorderGateway gateway) => new Events.BorderGatewayCreated
    {
        Id = gateway.Id, AccountId = gateway.AccountId, Region = gateway.Region, BorderGateway = gateway, Time = gateway.CreateTime,
    }.ToEvent(Topic);

    public static OutgoingEvent StateChanged(V1.BorderGateway gateway, V1.BorderGateway.Types.State from, string actor, string reason) =>
        new Events.BorderGatewayStateChanged
        {
            Id = gateway.Id, AccountId = gateway.AccountId, Region = gateway.Region, FromState = from, ToState = gateway.State,
            Actor = actor, Reason = reason, Time = gateway.UpdateTime,
        }.ToEvent(Topic);

    public static OutgoingEvent Deleted(V1.BorderGateway gateway) => new Events.BorderGatewayDeleted
    {
        Id = gateway.Id, AccountId = gateway.AccountId, Region = gateway.Region, Time = gateway.UpdateTime,
    }.ToEvent(Topic);

    /// <summary>The attachment event of <paramref name="vpcId"/> as <paramref name="gateway"/> now holds it.</summary>
    public static OutgoingEvent Attachment(BorderGateway gateway, string vpcId)
    {
        var attachment = gateway.Attachments.Single(a => a.VpcId == vpcId);
        var time = Timestamp.FromDateTimeOffset(gateway.UpdateTime);
        return attachment.Attached
            ? new Events.VpcAttached
            {
                BorderGatewayId = gateway.Id, VpcId = vpcId, AccountId = gateway.AccountId, Region = gateway.Region,
                CidrBlocks = { attachment.CidrBlocks }, Time = time,
            }.ToEvent(Topic)
            : new Events.VpcAttachmentRefused
            {
                BorderGatewayId = gateway.Id, VpcId = vpcId, AccountId = gateway.AccountId, Region = gateway.Region,
                Reason = attachment.Reason, Time = time,
            }.ToEvent(Topic);
    }

    public static OutgoingEvent Detached(BorderGateway gateway, string vpcId) => new Events.VpcDetached
    {
        BorderGatewayId = gateway.Id, VpcId = vpcId, AccountId = gateway.AccountId, Region = gateway.Region,
        Time = Timestamp.FromDateTimeOffset(gateway.UpdateTime),
    }.ToEvent(Topic);
}
