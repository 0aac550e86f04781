using System.Security.Cryptography;
using System.Text;
using DirectConnect.Routing.Domain;
using Google.Protobuf.WellKnownTypes;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.Routing.Api;

/// <summary>Routes to <c>directconnect.v1</c>.</summary>
internal static class RouteMapper
{
    public static V1.Route ToProto(RouteTable table, StaticRoute route)
    {
        var message = Shell(table);
        message.Id = route.Id;
        message.Destination = route.Destination;
        message.NextHop = new V1.NextHop { Type = ToProto(route.NextHop), Id = route.NextHopId };
        message.State = route.State == RouteState.Active ? V1.Route.Types.State.Active : V1.Route.Types.State.Blackhole;
        message.Origin = V1.Route.Types.Origin.Static;
        message.CreateTime = Timestamp.FromDateTimeOffset(route.CreateTime);
        message.UpdateTime = Timestamp.FromDateTimeOffset(route.UpdateTime);
        message.Etag = route.ETag;
        return message;
    }

    /// <summary>The implicit local route of one of a VPC's CIDR blocks; its id is derived, so it is stable.</summary>
    public static V1.Route Local(RouteTable table, Vpc vpc, string cidr)
    {
        var message = Shell(table);
        message.Id = LocalRouteId(vpc.Id, cidr);
        message.Destination = cidr;
        message.NextHop = new V1.NextHop { Type = V1.NextHopType.Local, Id = vpc.Id };
        message.State = V1.Route.Types.State.Active;
        message.Origin = V1.Route.Types.Origin.Local;
        message.CreateTime = Timestamp.FromDateTimeOffset(vpc.CreateTime);
        message.UpdateTime = Timestamp.FromDateTimeOffset(vpc.CreateTime);
        message.Etag = "local";
        return message;
    }

    public static string LocalRouteId(string vpcId, string cidr) =>
        "rt-local" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{vpcId}/{cidr}")))[..8];

    public static NextHopKind? ToDomain(V1.NextHopType type) => type switch
    {
        V1.NextHopType.BorderGateway => NextHopKind.BorderGateway,
        V1.NextHopType.Vpc => NextHopKind.Vpc,
        V1.NextHopType.VirtualInterface => NextHopKind.VirtualInterface,
        _ => null,
    };

    public static V1.NextHopType ToProto(NextHopKind kind) => kind switch
    {
        NextHopKind.BorderGateway => V1.NextHopType.BorderGateway,
        NextHopKind.Vpc => V1.NextHopType.Vpc,
        NextHopKind.VirtualInterface => V1.NextHopType.VirtualInterface,
        NextHopKind.Local => V1.NextHopType.Local,
        _ => V1.NextHopType.Unspecified,
    };

    private static V1.Route Shell(RouteTable table)
    {
        var message = new V1.Route { AccountId = table.AccountId, Region = table.Region, RouteTableId = table.RouteTableId };
        if (table.Kind == RouteTableKind.Vpc)
        {
            message.VpcId = table.OwnerId;
        }
        else
        {
            message.BorderGatewayId = table.OwnerId;
        }

        return message;
    }
}
