using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Grpc;
using DirectConnect.Routing.Domain;
using Google.Protobuf.WellKnownTypes;
using Events = DirectConnect.Contracts.Events.V1;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.Routing.Api;

/// <summary>VPCs to <c>directconnect.v1</c>, and the events of the catalog (topic <see cref="Topic"/>).</summary>
internal static class VpcMapper
{
    public const string Topic = "routing";

    public static V1.Vpc ToProto(Vpc vpc)
    {
        var message = new V1.Vpc
        {
            Id = vpc.Id,
            AccountId = vpc.AccountId,
            Region = vpc.Region,
            Name = vpc.Name,
            State = vpc.Deleted ? V1.Vpc.Types.State.Deleted : V1.Vpc.Types.State.Available,
            RouteTableId = vpc.RouteTableId,
            CreateTime = Timestamp.FromDateTimeOffset(vpc.CreateTime),
            UpdateTime = Timestamp.FromDateTimeOffset(vpc.UpdateTime),
            Etag = vpc.ETag,
        };
        message.CidrBlocks.AddRange(vpc.CidrBlocks);
        return message;
    }

    public static OutgoingEvent Registered(V1.Vpc vpc) => new Events.VpcRegistered
    {
        VpcId = vpc.Id,
        AccountId = vpc.AccountId,
        Region = vpc.Region,
        CidrBlocks = { vpc.CidrBlocks },
        Vpc = vpc,
        Time = vpc.CreateTime,
    }.ToEvent(Topic);

    public static OutgoingEvent Deregistered(V1.Vpc vpc) => new Events.VpcDeregistered
    {
        VpcId = vpc.Id,
        AccountId = vpc.AccountId,
        Region = vpc.Region,
        CidrBlocks = { vpc.CidrBlocks },
        Time = vpc.UpdateTime,
    }.ToEvent(Topic);
}
