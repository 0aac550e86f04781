using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Grpc;
using DirectConnect.VirtualInterfaces.Domain;
using Google.Protobuf.WellKnownTypes;
using Events = DirectConnect.Contracts.Events.V1;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.VirtualInterfaces.Api;

/// <summary>Virtual interfaces to <c>directconnect.v1</c> (never the MD5 key), and this service's events (topic <see cref="Topic"/>).</summary>
internal static class VirtualInterfaceMapper
{
    public const string Topic = "virtual-interfaces";

    public static V1.VirtualInterface ToProto(VirtualInterface vif)
    {
        var message = new V1.VirtualInterface
        {
            Id = vif.Id,
            AccountId = vif.AccountId,
            Region = vif.Region,
            Name = vif.Name,
            Description = vif.Description,
            Type = V1.VirtualInterfaceType.Private,
            PhysicalConnectionId = vif.PhysicalConnectionId,
            HostedConnectionId = vif.HostedConnectionId,
            BorderGatewayId = vif.BorderGatewayId,
            Vlan = vif.Vlan,
            BandwidthMbps = vif.BandwidthMbps,
            Bgp = new V1.BgpPeering
            {
                CustomerAsn = vif.Bgp.CustomerAsn,
                CloudAsn = vif.Bgp.CloudAsn,
                CloudAddress = vif.Bgp.CloudAddress,
                CustomerAddress = vif.Bgp.CustomerAddress,
                AuthKeySet = !string.IsNullOrEmpty(vif.Bgp.SealedAuthKey),
            },
            State = ToProto(vif.State),
            BgpStatus = vif.IsDeleted ? V1.VirtualInterface.Types.BgpStatus.Unspecified : vif.BgpUp ? V1.VirtualInterface.Types.BgpStatus.Up : V1.VirtualInterface.Types.BgpStatus.Down,
            CreateTime = Timestamp.FromDateTimeOffset(vif.CreateTime),
            UpdateTime = Timestamp.FromDateTimeOffset(vif.UpdateTime),
            Etag = vif.ETag,
            BgpLastError = vif.IsDeleted || vif.BgpUp || vif.DataPlane is null
                ? ""
                : vif.DataPlane.ApplyError.Length > 0 ? vif.DataPlane.ApplyError : vif.DataPlane.LastError,
        };
        message.IdcPrefixes.AddRange(vif.IdcPrefixes);
        return message;
    }

    public static V1.VirtualInterface.Types.State ToProto(VirtualInterfaceState state) => state switch
    {
        VirtualInterfaceState.Configuring => V1.VirtualInterface.Types.State.Configuring,
        VirtualInterfaceState.Available => V1.VirtualInterface.Types.State.Available,
        VirtualInterfaceState.Deleted => V1.VirtualInterface.Types.State.Deleted,
        _ => V1.VirtualInterface.Types.State.Unspecified,
    };

    public static OutgoingEvent Created(V1.VirtualInterface vif) => new Events.VirtualInterfaceCreated
    {
        Id = vif.Id, AccountId = vif.AccountId, Region = vif.Region, PhysicalConnectionId = vif.PhysicalConnectionId,
        BorderGatewayId = vif.BorderGatewayId, VirtualInterface = vif, Time = vif.CreateTime,
    }.ToEvent(Topic);

    public static OutgoingEvent StateChanged(V1.VirtualInterface vif, V1.VirtualInterface.Types.State from, string actor, string reason) =>
        new Events.VirtualInterfaceStateChanged
        {
            Id = vif.Id, AccountId = vif.AccountId, Region = vif.Region, FromState = from, ToState = vif.State,
            Actor = actor, Reason = reason, Time = vif.UpdateTime,
        }.ToEvent(Topic);

    /// <summary>The deletion of an interface that existed: the owners release its reservations, routes through it turn BLACKHOLE.</summary>
    public static OutgoingEvent Deleted(VirtualInterface vif, DateTimeOffset time) => new Events.VirtualInterfaceDeleted
        {
            Id = vif.Id, AccountId = vif.AccountId, Region = vif.Region, PhysicalConnectionId = vif.PhysicalConnectionId,
            HostedConnectionId = vif.HostedConnectionId, BorderGatewayId = vif.BorderGatewayId,
            IdcPrefixes = { vif.IdcPrefixes }, Time = Timestamp.FromDateTimeOffset(time),
        }.ToEvent(Topic);

    /// <summary>The rollback of a creation whose interface never existed: the owners release what was reserved for it, and nothing else changes.</summary>
    public static OutgoingEvent CreationAbandoned(AbandonedCreation abandoned) => new Events.VirtualInterfaceCreationAbandoned
    {
        Id = abandoned.VirtualInterfaceId, AccountId = abandoned.AccountId, Region = abandoned.Region,
        PhysicalConnectionId = abandoned.PhysicalConnectionId, HostedConnectionId = abandoned.HostedConnectionId, BorderGatewayId = abandoned.BorderGatewayId,
        Reason = abandoned.Reason, Time = Timestamp.FromDateTimeOffset(abandoned.AbandonedAt),
    }.ToEvent(Topic);
}
