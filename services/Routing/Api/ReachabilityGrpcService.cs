using System.Net;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Networking;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;
using DirectConnect.Routing.Application;
using DirectConnect.Routing.Domain;
using DirectConnect.Routing.Domain.Routing;
using DirectConnect.Routing.Storage;
using Grpc.Core;
using V1 = DirectConnect.Contracts.V1;
using HopKind = DirectConnect.Contracts.V1.ReachabilityTrace.Types.Hop.Types.Kind;
using Reason = DirectConnect.Contracts.V1.ReachabilityTrace.Types.Failure.Types.Reason;

namespace DirectConnect.Routing.Api;

/// <summary>
/// <c>directconnect.v1.ReachabilityService</c>: follows an address pair through the tables the way
/// packets would — VPC table → border gateway → gateway table → virtual interface → physical
/// connection → IDC (or the reverse) — with the longest-prefix match at each table, then checks
/// the return path. The first hop that fails is named with its reason.
/// </summary>
public sealed class ReachabilityGrpcService(
    VpcStore vpcs,
    RouteTableStore tables,
    ForwardingTableCache forwarding,
    ServiceChannels services,
    RegionCatalog regions) : V1.ReachabilityService.ReachabilityServiceBase
{
    /// <inheritdoc />
    public override async Task<V1.ReachabilityTrace> TraceReachability(V1.TraceReachabilityRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        var source = ParseAddress(validation, "source_address", request.SourceAddress);
        var destination = ParseAddress(validation, "destination_address", request.DestinationAddress);
        validation.ThrowIfInvalid();

        var accountVpcs = (await vpcs.GetAccountVpcsAsync(caller.AccountId, request.Region, context.CancellationToken)).Where(v => !v.Deleted).ToArray();
        var trace = new Trace(tables, forwarding, services, request.Region, ServiceChannels.OnBehalfOf(context), context.CancellationToken);
        if (Containing(accountVpcs, source!) is { } sourceVpc)
        {
            return await trace.FromVpcAsync(sourceVpc, source!, destination!);
        }

        if (Containing(accountVpcs, destination!) is { } destinationVpc)
        {
            return await trace.FromIdcAsync(destinationVpc, source!, destination!, caller);
        }

        throw DomainException.InvalidArgument([new FieldViolation("source_address", "neither address is in a VPC of this account in this region")]);
    }

    private static Vpc? Containing(IEnumerable<Vpc> candidates, IPAddress address) =>
        candidates.FirstOrDefault(v => v.CidrBlocks.Any(c => Cidr.TryParse(c, out var cidr, out _) && cidr!.Network.Contains(address)));

    private static IPAddress? ParseAddress(RequestValidation validation, string field, string text)
    {
        if (Ipv4Syntax.TryParseAddress(text, out var address))
        {
            return address;
        }

        validation.Add(field, string.IsNullOrEmpty(text) ? "is required" : $"'{(text.Length > 64 ? text[..64] : text)}' is not an IPv4 address, e.g. 10.0.1.5");
        return null;
    }

    /// <summary>One trace in progress: the hops so far and the calls it makes on the caller's behalf.</summary>
    private sealed class Trace(RouteTableStore tables, ForwardingTableCache cache, ServiceChannels services, string region, CallOptions onBehalf, CancellationToken cancellationToken)
    {
        private readonly V1.ReachabilityTrace _result = new();

        public async Task<V1.ReachabilityTrace> FromVpcAsync(Vpc vpc, IPAddress source, IPAddress destination)
        {
            Hop(HopKind.Vpc, vpc.Id, null, $"source {source} is in {vpc.Id}");
            var vpcTable = await VpcTableAsync(vpc);
            if (!Match(vpcTable, HopKind.VpcRouteTable, vpc.RouteTableId, destination, out var route))
            {
                return _result;
            }

            if (route.Origin == V1.Route.Types.Origin.Local)
            {
                return Reachable($"{destination} is inside {vpc.Id}");
            }

            var gatewayId = route.NextHop.Id;
            Hop(HopKind.BorderGateway, gatewayId, null, "");
            if (await GatewayTableAsync(gatewayId) is not (var gatewayTable, var gatewayTableId) ||
                !Match(gatewayTable, HopKind.BorderGatewayRouteTable, gatewayTableId, destination, out var toIdc))
            {
                return _result;
            }

            if (toIdc.NextHop.Type != V1.NextHopType.VirtualInterface)
            {
                return Fail(Reason.NoRoute, $"the gateway routes {destination} to {toIdc.NextHop.Id}, not to a virtual interface");
            }

            if (!await ThroughInterfaceAsync(toIdc.NextHop.Id))
            {
                return _result;
            }

            Hop(HopKind.Idc, toIdc.Destination, null, $"destination {destination}");
            // The way back: the gateway must route the source to this VPC.
            if (!Match(gatewayTable, HopKind.BorderGatewayRouteTable, gatewayTableId, source, out var back, returnPath: true) ||
                back.NextHop.Type != V1.NextHopType.Vpc || back.NextHop.Id != vpc.Id)
            {
                return _result.Failure is not null ? Replace(Reason.NoReturnRoute, $"border gateway {gatewayId} has no route back to {source} in {vpc.Id}")
                    : Fail(Reason.NoReturnRoute, $"border gateway {gatewayId} routes {source} to {back.NextHop.Id}, not back to {vpc.Id}");
            }

            return Reachable("");
        }

        public async Task<V1.ReachabilityTrace> FromIdcAsync(Vpc vpc, IPAddress source, IPAddress destination, Caller caller)
        {
            // The traffic enters through the interface that announces the source's IDC prefix.
            var interfaces = await Interfaces.ListVirtualInterfacesAsync(new V1.ListVirtualInterfacesRequest { Region = region, PageSize = 1000 }, onBehalf).ResponseAsync;
            var entry = interfaces.VirtualInterfaces.FirstOrDefault(v => v.IdcPrefixes.Any(p => Cidr.TryParse(p, out var c, out _) && c!.Network.Contains(source)));
            Hop(HopKind.Idc, entry?.IdcPrefixes.First(p => Cidr.TryParse(p, out var c, out _) && c!.Network.Contains(source)) ?? "", null, $"source {source}");
            if (entry is null)
            {
                return Fail(Reason.NoRoute, $"no virtual interface of {caller.AccountId} announces an IDC prefix containing {source}");
            }

            if (!await ThroughInterfaceAsync(entry.Id, fromIdc: true))
            {
                return _result;
            }

            var gatewayId = entry.BorderGatewayId;
            Hop(HopKind.BorderGateway, gatewayId, null, "");
            if (await GatewayTableAsync(gatewayId) is not (var gatewayTable, var gatewayTableId) ||
                !Match(gatewayTable, HopKind.BorderGatewayRouteTable, gatewayTableId, destination, out var toVpc))
            {
                return _result;
            }

            if (toVpc.NextHop.Type != V1.NextHopType.Vpc || toVpc.NextHop.Id != vpc.Id)
            {
                return Fail(Reason.NoRoute, $"the gateway routes {destination} to {toVpc.NextHop.Id}, not to {vpc.Id}");
            }

            Hop(HopKind.Vpc, vpc.Id, null, $"destination {destination} is in {vpc.Id}");
            var vpcTable = await VpcTableAsync(vpc);
            if (!Match(vpcTable, HopKind.VpcRouteTable, vpc.RouteTableId, source, out var back, returnPath: true) ||
                back.NextHop.Type != V1.NextHopType.BorderGateway || back.NextHop.Id != gatewayId)
            {
                return _result.Failure is not null ? Replace(Reason.NoReturnRoute, $"{vpc.Id} has no route back to {source} through {gatewayId}")
                    : Fail(Reason.NoReturnRoute, $"{vpc.Id} routes {source} to {back.NextHop.Id}, not back through {gatewayId}");
            }

            return Reachable("");
        }

        private V1.VirtualInterfaceService.VirtualInterfaceServiceClient Interfaces => new(services.For("VirtualInterfaces"));

        private async Task<bool> ThroughInterfaceAsync(string interfaceId, bool fromIdc = false)
        {
            V1.VirtualInterface vif;
            try
            {
                vif = await Interfaces.GetVirtualInterfaceAsync(new V1.GetVirtualInterfaceRequest { Region = region, Id = interfaceId }, onBehalf).ResponseAsync;
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.NotFound)
            {
                Hop(HopKind.VirtualInterface, interfaceId, null, "");
                Fail(Reason.VirtualInterfaceNotAvailable, $"virtual interface {interfaceId} does not exist");
                return false;
            }

            var onHosted = vif.HostedConnectionId.Length > 0;
            var connectionHop = () => Hop(onHosted ? HopKind.HostedConnection : HopKind.PhysicalConnection,
                onHosted ? vif.HostedConnectionId : vif.PhysicalConnectionId, null, "");
            var connectionAvailable = () => onHosted ? HostedConnectionAvailableAsync(vif.HostedConnectionId) : ConnectionAvailableAsync(vif.PhysicalConnectionId);
            if (fromIdc)
            {
                connectionHop();
                if (!await connectionAvailable())
                {
                    return false;
                }
            }

            Hop(HopKind.VirtualInterface, vif.Id, null, $"VLAN {vif.Vlan}, BGP {vif.BgpStatus.ToWireName()}");
            if (vif.State != V1.VirtualInterface.Types.State.Available)
            {
                Fail(Reason.VirtualInterfaceNotAvailable, $"virtual interface {vif.Id} is {vif.State.ToWireName()}");
                return false;
            }

            if (vif.BgpStatus != V1.VirtualInterface.Types.BgpStatus.Up)
            {
                Fail(Reason.BgpDown, $"the BGP session of {vif.Id} is down");
                return false;
            }

            if (!fromIdc)
            {
                connectionHop();
                return await connectionAvailable();
            }

            return true;
        }

        private async Task<bool> ConnectionAvailableAsync(string connectionId)
        {
            var connection = await new V1.PhysicalConnectionService.PhysicalConnectionServiceClient(services.For("PhysicalConnections"))
                .GetPhysicalConnectionAsync(new V1.GetPhysicalConnectionRequest { Region = region, Id = connectionId }, onBehalf).ResponseAsync;
            if (connection.State == V1.PhysicalConnection.Types.State.Available)
            {
                return true;
            }

            Fail(Reason.PhysicalConnectionNotAvailable, $"physical connection {connectionId} is {connection.State.ToWireName()}");
            return false;
        }

        // A hosted connection is AVAILABLE only while its partner's line is (the line cannot be deleted under it).
        private async Task<bool> HostedConnectionAvailableAsync(string hostedConnectionId)
        {
            var hosted = await new V1.HostedConnectionService.HostedConnectionServiceClient(services.For("PhysicalConnections"))
                .GetHostedConnectionAsync(new V1.GetHostedConnectionRequest { Region = region, Id = hostedConnectionId }, onBehalf).ResponseAsync;
            if (hosted.State == V1.HostedConnection.Types.State.Available)
            {
                return true;
            }

            Fail(Reason.HostedConnectionNotAvailable, $"hosted connection {hostedConnectionId} is {hosted.State.ToWireName()}");
            return false;
        }

        private async Task<ForwardingTable<V1.Route>> VpcTableAsync(Vpc vpc)
        {
            var stored = await tables.GetAsync(vpc.Id, cancellationToken);
            var table = stored?.Value ?? new RouteTable(RouteTableKind.Vpc, vpc.Id, vpc.AccountId, vpc.Region, vpc.RouteTableId, []);
            return cache.Get(vpc.Id, $"{stored?.StoreETag}/{vpc.ETag}", () =>
            {
                var forwarding = Forwarding(table);
                foreach (var block in vpc.CidrBlocks)
                {
                    forwarding.Add(Parse(block), RouteMapper.Local(table, vpc, block));
                }

                return forwarding;
            });
        }

        /// <summary>
        /// The gateway's table and its id (<c>rtb-…</c>, what its hop and its routes' <c>route_table_id</c> name).
        /// A gateway that never had a route has no stored table: its id comes from the gateway itself. Null,
        /// with the trace failed at the gateway's hop, when the gateway does not exist (any more).
        /// </summary>
        private async Task<(ForwardingTable<V1.Route> Table, string TableId)?> GatewayTableAsync(string gatewayId)
        {
            var stored = await tables.GetAsync(gatewayId, cancellationToken);
            if (stored is not null)
            {
                return (cache.Get(gatewayId, stored.StoreETag, () => Forwarding(stored.Value)), stored.Value.RouteTableId);
            }

            try
            {
                var gateway = await new V1.BorderGatewayService.BorderGatewayServiceClient(services.For("BorderGateways"))
                    .GetBorderGatewayAsync(new V1.GetBorderGatewayRequest { Region = region, Id = gatewayId }, onBehalf).ResponseAsync;
                return (new ForwardingTable<V1.Route>(), gateway.RouteTableId);
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.NotFound)
            {
                Fail(Reason.NoRoute, $"border gateway {gatewayId} does not exist");
                return null;
            }
        }

        private static ForwardingTable<V1.Route> Forwarding(RouteTable table)
        {
            var forwarding = new ForwardingTable<V1.Route>();
            foreach (var route in table.Routes)
            {
                forwarding.Add(Parse(route.Destination), RouteMapper.ToProto(table, route));
            }

            return forwarding;
        }

        /// <summary>Longest-prefix match in one table, recorded as a hop; a miss or a blackhole fails the trace here.</summary>
        private bool Match(ForwardingTable<V1.Route> table, HopKind kind, string tableId, IPAddress address, out V1.Route route, bool returnPath = false)
        {
            var found = table.TryLookup(address, out var match);
            route = found ? match.Route : new V1.Route();
            Hop(kind, tableId, found ? match.Route : null, returnPath ? $"return path: lookup of {address}" : $"lookup of {address}");
            if (!found)
            {
                Fail(returnPath ? Reason.NoReturnRoute : Reason.NoRoute, $"no route to {address} in {tableId}");
                return false;
            }

            if (match.Route.State == V1.Route.Types.State.Blackhole)
            {
                Fail(Reason.Blackhole, $"the route to {match.Route.Destination} in {tableId} is a blackhole: {match.Route.NextHop.Id} was deleted or detached");
                return false;
            }

            return true;
        }

        private void Hop(HopKind kind, string resourceId, V1.Route? matched, string note) =>
            _result.Hops.Add(new V1.ReachabilityTrace.Types.Hop { Kind = kind, ResourceId = resourceId, MatchedRoute = matched, Note = note });

        private V1.ReachabilityTrace Fail(Reason reason, string message)
        {
            _result.Reachable = false;
            _result.Failure ??= new V1.ReachabilityTrace.Types.Failure { HopIndex = _result.Hops.Count - 1, Reason = reason, Message = message };
            return _result;
        }

        private V1.ReachabilityTrace Replace(Reason reason, string message)
        {
            _result.Failure.Reason = reason;
            _result.Failure.Message = message;
            return _result;
        }

        private V1.ReachabilityTrace Reachable(string note)
        {
            _result.Reachable = true;
            if (note.Length > 0)
            {
                _result.Hops[^1].Note += $"; {note}";
            }

            return _result;
        }

        private static Cidr Parse(string text) => Cidr.TryParse(text, out var cidr, out var error) ? cidr! : throw new InvalidDataException(error);
    }
}
