using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Networking;
using DirectConnect.Platform.Paging;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;
using DirectConnect.Routing.Domain;
using DirectConnect.Routing.Domain.Routing;
using DirectConnect.Routing.Storage;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.Options;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.Routing.Api;

/// <summary>
/// <c>directconnect.v1.RouteService</c>: VPC route tables (implicit local routes + static routes
/// to an attached border gateway) and border-gateway route tables (routes to attached VPCs and to
/// the gateway's virtual interfaces). Every write checks: canonical destination, unique per table
/// (local routes included), next hop of the caller's account and attached, IDC destinations
/// overlapping no VPC CIDR attached to the gateway, and the per-table quota. Facts about gateways
/// and virtual interfaces come from their services' gRPC APIs, asked on the caller's behalf.
/// </summary>
public sealed class RouteGrpcService(
    RouteTableStore tables,
    VpcStore vpcs,
    ServiceChannels services,
    OptimisticTransaction transactions,
    RegionCatalog regions,
    IOptions<RoutingOptions> options,
    TimeProvider clock) : V1.RouteService.RouteServiceBase
{
    private const string RouteIdPrefix = "rt-";

    /// <inheritdoc />
    public override async Task<V1.Route> CreateVpcRoute(V1.CreateVpcRouteRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        validation.Check(Vpc.IsValidId(request.VpcId), "vpc_id", "is not a VPC id (expected vpc-…)");
        var (destination, kind, nextHopId) = ValidateRoute(validation, request.Route, [NextHopKind.BorderGateway]);
        var requestId = ProtobufTransactions.RequestIdOf(request, "routes/vpc/create", caller, validation);
        regions.Validate(validation, request.Region);
        validation.ThrowIfInvalid();

        var vpc = await LiveVpcAsync(caller, request.Region, request.VpcId, context.CancellationToken);
        var gateway = await GatewayAsync(request.Region, nextHopId, "route.next_hop.id", context);
        RequireAttached(gateway, vpc.Id);
        await RequireNoVpcOverlapAsync(gateway, destination!, context.CancellationToken);
        return await CreateAsync(requestId, caller, RouteTableKind.Vpc, vpc.Id, vpc.AccountId, vpc.Region, vpc.RouteTableId,
            vpc.CidrBlocks, destination!, kind!.Value, nextHopId, context);
    }

    /// <inheritdoc />
    public override async Task<V1.Route> CreateBorderGatewayRoute(V1.CreateBorderGatewayRouteRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        validation.Check(ResourceIds.IsWellFormed(request.BorderGatewayId, "dxbgw-"), "border_gateway_id", "is not a border gateway id (expected dxbgw-…)");
        var (destination, kind, nextHopId) = ValidateRoute(validation, request.Route, [NextHopKind.Vpc, NextHopKind.VirtualInterface]);
        var requestId = ProtobufTransactions.RequestIdOf(request, "routes/border-gateway/create", caller, validation);
        regions.Validate(validation, request.Region);
        validation.ThrowIfInvalid();

        var gateway = await Gateways.GetBorderGatewayAsync(
            new V1.GetBorderGatewayRequest { Region = request.Region, Id = request.BorderGatewayId }, ServiceChannels.OnBehalfOf(context));
        if (kind == NextHopKind.Vpc)
        {
            var vpc = await LiveVpcAsync(caller, request.Region, nextHopId, context.CancellationToken, "route.next_hop.id");
            RequireAttached(gateway, vpc.Id);
        }
        else
        {
            var vif = await Fetch(() => Interfaces.GetVirtualInterfaceAsync(
                new V1.GetVirtualInterfaceRequest { Region = request.Region, Id = nextHopId }, ServiceChannels.OnBehalfOf(context)).ResponseAsync, "route.next_hop.id", nextHopId);
            if (vif.BorderGatewayId != gateway.Id || vif.State == V1.VirtualInterface.Types.State.Deleted)
            {
                throw DomainException.InvalidArgument([new FieldViolation("route.next_hop.id", $"virtual interface {vif.Id} is not a live interface of border gateway {gateway.Id}")]);
            }

            await RequireNoVpcOverlapAsync(gateway, destination!, context.CancellationToken);
        }

        return await CreateAsync(requestId, caller, RouteTableKind.BorderGateway, gateway.Id, gateway.AccountId, gateway.Region, gateway.RouteTableId,
            [], destination!, kind!.Value, nextHopId, context);
    }

    /// <inheritdoc />
    public override async Task<V1.ListVpcRoutesResponse> ListVpcRoutes(V1.ListVpcRoutesRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        validation.Check(Vpc.IsValidId(request.VpcId), "vpc_id", "is not a VPC id (expected vpc-…)");
        var page = PageRequest.Parse(validation, request.PageSize, request.PageToken, $"{request.VpcId}|{request.State}");
        validation.ThrowIfInvalid();

        var vpc = caller.Visible(await vpcs.GetAsync(request.VpcId, context.CancellationToken), request.Region, "Vpc", request.VpcId).Value;
        var table = (await tables.GetAsync(vpc.Id, context.CancellationToken))?.Value ?? Empty(RouteTableKind.Vpc, vpc.Id, vpc.AccountId, vpc.Region, vpc.RouteTableId);
        var routes = (vpc.Deleted ? [] : vpc.CidrBlocks.Select(c => RouteMapper.Local(table, vpc, c)))
            .Concat(table.Routes.Select(r => RouteMapper.ToProto(table, r)));
        var response = new V1.ListVpcRoutesResponse();
        response.NextPageToken = await PageAsync(routes, request.State, page, response.Routes);
        return response;
    }

    /// <inheritdoc />
    public override async Task<V1.ListBorderGatewayRoutesResponse> ListBorderGatewayRoutes(V1.ListBorderGatewayRoutesRequest request, ServerCallContext context)
    {
        context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        validation.Check(ResourceIds.IsWellFormed(request.BorderGatewayId, "dxbgw-"), "border_gateway_id", "is not a border gateway id (expected dxbgw-…)");
        var page = PageRequest.Parse(validation, request.PageSize, request.PageToken, $"{request.BorderGatewayId}|{request.State}");
        validation.ThrowIfInvalid();

        var gateway = await Gateways.GetBorderGatewayAsync(
            new V1.GetBorderGatewayRequest { Region = request.Region, Id = request.BorderGatewayId }, ServiceChannels.OnBehalfOf(context));
        var table = (await tables.GetAsync(gateway.Id, context.CancellationToken))?.Value
            ?? Empty(RouteTableKind.BorderGateway, gateway.Id, gateway.AccountId, gateway.Region, gateway.RouteTableId);
        var response = new V1.ListBorderGatewayRoutesResponse();
        response.NextPageToken = await PageAsync(table.Routes.Select(r => RouteMapper.ToProto(table, r)), request.State, page, response.Routes);
        return response;
    }

    /// <inheritdoc />
    public override async Task<V1.Route> DeleteVpcRoute(V1.DeleteVpcRouteRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        validation.Check(Vpc.IsValidId(request.VpcId), "vpc_id", "is not a VPC id (expected vpc-…)");
        var vpc = validation.Violations.Count == 0 && regions.Validate(new RequestValidation(), request.Region)
            ? (await vpcs.GetAsync(request.VpcId, context.CancellationToken))?.Value
            : null;
        if (vpc is not null && vpc.CidrBlocks.Any(c => RouteMapper.LocalRouteId(vpc.Id, c) == request.RouteId) && caller.CanAccess(vpc.AccountId))
        {
            throw new DomainException(ErrorCode.FailedPrecondition, "LOCAL_ROUTE", $"Route '{request.RouteId}' is the local route of a CIDR block of {vpc.Id}; it cannot be deleted.")
            {
                PreconditionViolations = [new PreconditionViolation("LOCAL_ROUTE", request.RouteId, "local routes follow the VPC's CIDR blocks")],
            };
        }

        return await DeleteAsync(request, caller, request.Region, request.VpcId, request.RouteId, request.Etag, validation, context);
    }

    /// <inheritdoc />
    public override Task<V1.Route> DeleteBorderGatewayRoute(V1.DeleteBorderGatewayRouteRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation();
        validation.Check(ResourceIds.IsWellFormed(request.BorderGatewayId, "dxbgw-"), "border_gateway_id", "is not a border gateway id (expected dxbgw-…)");
        return DeleteAsync(request, context.GetCaller(), request.Region, request.BorderGatewayId, request.RouteId, request.Etag, validation, context);
    }

    private V1.BorderGatewayService.BorderGatewayServiceClient Gateways => new(services.For("BorderGateways"));

    private V1.VirtualInterfaceService.VirtualInterfaceServiceClient Interfaces => new(services.For("VirtualInterfaces"));

    private static (Cidr? Destination, NextHopKind? Kind, string NextHopId) ValidateRoute(RequestValidation validation, V1.Route? route, NextHopKind[] allowed)
    {
        if (!validation.Check(route is not null, "route", "is required"))
        {
            return (null, null, "");
        }

        Cidr? destination = null;
        if (!Cidr.TryParse(route!.Destination, out destination, out var error))
        {
            validation.Add("route.destination", string.IsNullOrEmpty(route.Destination) ? "is required" : error);
        }

        var kind = RouteMapper.ToDomain(route.NextHop?.Type ?? V1.NextHopType.Unspecified);
        validation.Check(kind is not null && allowed.Contains(kind.Value), "route.next_hop.type",
            $"must be {string.Join(" or ", allowed.Select(k => RouteMapper.ToProto(k).ToWireName()))} in this table");
        var id = route.NextHop?.Id ?? "";
        var prefix = kind switch { NextHopKind.BorderGateway => "dxbgw-", NextHopKind.VirtualInterface => "dxvif-", _ => null };
        validation.Check(prefix is null ? Vpc.IsValidId(id) || kind is null : ResourceIds.IsWellFormed(id, prefix), "route.next_hop.id",
            string.IsNullOrEmpty(id) ? "is required" : $"'{id}' is not an id of the next hop's type");
        return (destination, kind, id);
    }

    private async Task<V1.Route> CreateAsync(Platform.Idempotency.RequestId? requestId, Caller caller, RouteTableKind tableKind, string ownerId,
        string accountId, string region, string routeTableId, IReadOnlyList<string> localCidrs, Cidr destination, NextHopKind kind, string nextHopId,
        ServerCallContext context) =>
        await transactions.RunAsync(requestId, async cancellationToken =>
        {
            var stored = await tables.GetAsync(ownerId, cancellationToken);
            var table = stored?.Value ?? Empty(tableKind, ownerId, accountId, region, routeTableId);
            var text = destination.ToString();
            if (table.RouteTo(text) is { } existing || localCidrs.Contains(text))
            {
                throw new DomainException(ErrorCode.AlreadyExists, "ROUTE_DESTINATION_EXISTS",
                    $"Route table {routeTableId} already has a route to {text}{(localCidrs.Contains(text) ? " (the local route)" : "")}.")
                {
                    FieldViolations = [new FieldViolation("route.destination", $"{text} is already routed in this table")],
                };
            }

            var quota = options.Value.RouteQuotaPerTable;
            if (table.Routes.Count >= quota)
            {
                throw new DomainException(ErrorCode.ResourceExhausted, "ROUTE_QUOTA_EXCEEDED", $"Route table {routeTableId} already has {table.Routes.Count} routes; the quota is {quota}.")
                {
                    QuotaViolations = [new QuotaViolation($"routeTable:{routeTableId}", $"at most {quota} static routes per table")],
                };
            }

            var (usage, usageUnchanged) = await tables.GetUsageAsync(nextHopId, cancellationToken);
            if (usage.Gone)
            {
                throw new DomainException(ErrorCode.FailedPrecondition, "NEXT_HOP_GONE", $"The next hop {nextHopId} was deleted or detached.")
                {
                    PreconditionViolations = [new PreconditionViolation("NEXT_HOP", nextHopId, "deleted or detached")],
                };
            }

            var now = clock.GetUtcNow();
            var route = new StaticRoute(ResourceIds.New(RouteIdPrefix), text, kind, nextHopId, RouteState.Active, now, now, ResourceIds.NewETag());
            var updated = table.With(route);
            return new TransactionPlan<V1.Route>(
                [
                    RouteTableStore.Put(updated, stored is null ? ETagCondition.MustNotExist : stored.Unchanged),
                    RouteTableStore.PutUsage(nextHopId, usage.With(ownerId), usageUnchanged),
                ],
                [],
                RouteMapper.ToProto(updated, route));
        }, V1.Route.Parser, $"route table {routeTableId}", context.CancellationToken);

    private async Task<V1.Route> DeleteAsync(IMessage request, Caller caller, string region, string ownerId, string routeId, string etag,
        RequestValidation validation, ServerCallContext context)
    {
        regions.Validate(validation, region);
        validation.Check(ResourceIds.IsWellFormed(routeId, RouteIdPrefix), "route_id", "is not a route id (expected rt-…)");
        var requestId = ProtobufTransactions.RequestIdOf(request, "routes/delete", caller, validation);
        validation.ThrowIfInvalid();
        return await transactions.RunAsync(requestId, async cancellationToken =>
        {
            var stored = caller.Visible(await tables.GetAsync(ownerId, cancellationToken), region, "Route", routeId);
            var route = stored.Value.Routes.FirstOrDefault(r => r.Id == routeId) ?? throw DomainException.NotFound("Route", routeId);
            if (!string.IsNullOrEmpty(etag) && etag != route.ETag)
            {
                throw DomainException.StaleETag("Route", routeId);
            }

            var message = RouteMapper.ToProto(stored.Value, route);
            message.State = V1.Route.Types.State.Deleted;
            message.UpdateTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(clock.GetUtcNow());
            return new TransactionPlan<V1.Route>([RouteTableStore.Put(stored.Value.Without(routeId), stored.Unchanged)], [], message);
        }, V1.Route.Parser, $"route {routeId}", context.CancellationToken);
    }

    private static async Task<string> PageAsync(IEnumerable<V1.Route> routes, V1.Route.Types.State state, PageRequest page,
        Google.Protobuf.Collections.RepeatedField<V1.Route> into)
    {
        // Ordered by destination (address, then prefix length), then id: stable across pages.
        var ordered = routes.Where(r => state == V1.Route.Types.State.Unspecified || r.State == state)
            .Select(r => (Route: r, Prefix: Cidr.TryParse(r.Destination, out var c, out _) ? c : null))
            .OrderBy(r => r.Prefix?.Network.Network.GetAddressBytes() ?? [], ByteOrder.Instance)
            .ThenBy(r => r.Prefix?.Network.Cidr ?? 0)
            .ThenBy(r => r.Route.Id, StringComparer.Ordinal)
            .Select(r => r.Route)
            .ToDictionary(r => r.Id);
        var result = await IndexPager.PageAsync(new IdIndex(ordered.Keys.ToArray()), page,
            ids => Task.FromResult<IReadOnlyList<V1.Route>>(ids.Select(id => ordered[id]).ToArray()), _ => true, r => r.Id);
        into.AddRange(result.Items);
        return result.NextPageToken;
    }

    private static RouteTable Empty(RouteTableKind kind, string ownerId, string accountId, string region, string routeTableId) =>
        new(kind, ownerId, accountId, region, routeTableId, []);

    private async Task<Vpc> LiveVpcAsync(Caller caller, string region, string id, CancellationToken cancellationToken, string? field = null)
    {
        var stored = await vpcs.GetAsync(id, cancellationToken);
        if (field is not null && (stored is null || stored.Value.Region != region || !caller.CanAccess(stored.Value.AccountId) || stored.Value.Deleted))
        {
            throw DomainException.InvalidArgument([new FieldViolation(field, $"'{id}' is not a registered VPC of this account in {region}")]);
        }

        var vpc = caller.Visible(stored, region, "Vpc", id).Value;
        return vpc.Deleted ? throw DomainException.WrongState("Vpc", id, "STATE_DELETED", "route in") : vpc;
    }

    private Task<V1.BorderGateway> GatewayAsync(string region, string id, string field, ServerCallContext context) =>
        Fetch(() => Gateways.GetBorderGatewayAsync(new V1.GetBorderGatewayRequest { Region = region, Id = id }, ServiceChannels.OnBehalfOf(context)).ResponseAsync, field, id);

    private static async Task<T> Fetch<T>(Func<Task<T>> get, string field, string id)
    {
        try
        {
            return await get();
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.NotFound)
        {
            throw DomainException.InvalidArgument([new FieldViolation(field, $"'{id}' does not exist in this region for this account")]);
        }
    }

    private static void RequireAttached(V1.BorderGateway gateway, string vpcId)
    {
        if (!gateway.VpcAttachments.Any(a => a.VpcId == vpcId && a.State == V1.BorderGateway.Types.VpcAttachment.Types.State.Attached))
        {
            throw new DomainException(ErrorCode.FailedPrecondition, "NOT_ATTACHED", $"Border gateway {gateway.Id} is not attached to {vpcId}.")
            {
                PreconditionViolations = [new PreconditionViolation("ATTACHMENT", $"{gateway.Id}/{vpcId}", "the gateway is not attached to the VPC")],
            };
        }
    }

    /// <summary>An IDC destination routed through the gateway must overlap no CIDR of a VPC attached to it.</summary>
    private async Task RequireNoVpcOverlapAsync(V1.BorderGateway gateway, Cidr destination, CancellationToken cancellationToken)
    {
        var attached = gateway.VpcAttachments.Where(a => a.State == V1.BorderGateway.Types.VpcAttachment.Types.State.Attached).Select(a => a.VpcId).ToArray();
        var blocks = (await vpcs.GetManyAsync(attached, cancellationToken))
            .SelectMany(v => v.CidrBlocks.Select(b => (Prefix: Cidr.TryParse(b, out var c, out _) ? c! : null, Tag: v.Id)))
            .Where(b => b.Prefix is not null)
            .Select(b => (b.Prefix!, b.Tag))
            .ToArray();
        // The same n log n sweep that validates large prefix sets (see the routing benchmark).
        if (PrefixOverlaps.FindFirst<string, string>([(destination, "destination")], blocks) is { } clash)
        {
            throw new DomainException(ErrorCode.InvalidArgument, "CIDR_OVERLAP",
                $"Destination {destination} overlaps {clash.RightPrefix} of {clash.RightTag}, attached to border gateway {gateway.Id}.")
            {
                FieldViolations = [new FieldViolation("route.destination", $"{destination} overlaps {clash.RightPrefix} of {clash.RightTag}")],
            };
        }
    }

    private sealed class ByteOrder : IComparer<byte[]>
    {
        public static readonly ByteOrder Instance = new();

        public int Compare(byte[]? x, byte[]? y) => (x ?? []).AsSpan().SequenceCompareTo(y ?? []);
    }
}
