using DirectConnect.BorderGateways.Domain;
using DirectConnect.BorderGateways.Storage;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Networking;
using DirectConnect.Platform.Paging;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using Grpc.Core;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.BorderGateways.Api;

/// <summary>
/// <c>directconnect.v1.BorderGatewayService</c>. A gateway is created CREATING, awaiting the VPCs the
/// catalog lists for the account at that moment, and becomes AVAILABLE once attached to (or refused)
/// each of them (<see cref="Application.VpcAttacher"/>). Virtual interfaces reserve it, with their
/// IDC prefixes, before they exist (through the internal API, <see cref="BorderGatewayReservationGrpcService"/>);
/// it cannot be deleted while any reservation is held.
/// </summary>
public sealed class BorderGatewayGrpcService(BorderGatewayStore store, OptimisticTransaction transactions, RegionCatalog regions,
    VpcCatalogClient catalog, TimeProvider clock, IOptions<BorderGatewayOptions> options)
    : V1.BorderGatewayService.BorderGatewayServiceBase
{
    private const string ResourceType = "BorderGateway";
    private static readonly string[] UpdatableFields = ["name", "description"];

    /// <inheritdoc />
    public override async Task<V1.BorderGateway> CreateBorderGateway(V1.CreateBorderGatewayRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        var asn = BorderGateway.DefaultAsn;
        if (validation.Check(request.BorderGateway is not null, "border_gateway", "is required"))
        {
            var gateway = request.BorderGateway!;
            validation.RequireText(gateway.Name, "border_gateway.name", 64);
            validation.OptionalText(gateway.Description, "border_gateway.description", 256);
            if (gateway.Asn != 0)
            {
                validation.Check(Asn.IsValid(gateway.Asn), "border_gateway.asn", Asn.Rule);
                asn = gateway.Asn;
            }
        }

        var requestId = ProtobufTransactions.RequestIdOf(request, "border-gateways/create", caller, validation);
        validation.ThrowIfInvalid();

        return await transactions.RunAsync(requestId, async cancellationToken =>
        {
            // Read before the gateway is written: a VPC registered later reaches it through VpcRegistered.
            var vpcIds = await catalog.VpcIdsAsync(caller.AccountId, request.Region, ServiceChannels.OnBehalfOf(context));
            var index = await store.GetIndexForAppendAsync(caller.AccountId, request.Region, cancellationToken);
            var (count, countUnchanged) = await store.GetCountAsync(caller.AccountId, request.Region, cancellationToken);
            Quotas.Require(count, options.Value.QuotaPerAccountPerRegion, "BORDER_GATEWAY",
                $"account:{caller.AccountId}/region:{request.Region}", "border gateways (not deleted) per account and region");
            var gateway = BorderGateway.Create(ResourceIds.New(BorderGateway.IdPrefix), caller.AccountId, request.Region,
                request.BorderGateway!.Name, request.BorderGateway.Description, asn, vpcIds, ResourceIds.New("rtb-"), clock.GetUtcNow(),
                ResourceIds.NewETag());
            // Placed on the region's least loaded router, in the same transaction that records it there.
            var placement = await PlaceAsync(gateway, cancellationToken);
            gateway = gateway with { RouterId = placement?.Router.Id };
            var message = BorderGatewayMapper.ToProto(gateway);
            return new TransactionPlan<V1.BorderGateway>(
                [
                    BorderGatewayStore.Put(gateway, ETagCondition.MustNotExist),
                    .. index.Append(gateway.Id),
                    BorderGatewayStore.PutCount(caller.AccountId, request.Region, count + 1, countUnchanged),
                    .. placement is { } placed ? [BorderGatewayStore.PutRouter(placed.Router, placed.Unchanged)] : Array.Empty<StateOperation>(),
                ],
                [BorderGatewayMapper.Created(message)],
                message);
        }, V1.BorderGateway.Parser, "the account's border gateways", context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<V1.BorderGateway> GetBorderGateway(V1.GetBorderGatewayRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        ValidateAddress(new RequestValidation(), request.Region, request.Id).ThrowIfInvalid();
        return BorderGatewayMapper.ToProto((await LoadAsync(caller, request.Region, request.Id, context.CancellationToken)).Value);
    }

    /// <inheritdoc />
    public override async Task<V1.ListBorderGatewaysResponse> ListBorderGateways(V1.ListBorderGatewaysRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        validation.Check(System.Enum.IsDefined(request.State), "state", $"unknown state {(int)request.State}");
        var page = PageRequest.Parse(validation, request.PageSize, request.PageToken, $"{caller.AccountId}|{request.Region}|{request.State}|{request.ShowDeleted}");
        validation.ThrowIfInvalid();

        var index = await store.GetIndexAsync(caller.AccountId, request.Region, context.CancellationToken);
        var result = await IndexPager.PageAsync(index, page,
            ids => store.GetManyAsync(ids, context.CancellationToken),
            g => (request.ShowDeleted || !g.IsDeleted) &&
                 (request.State == V1.BorderGateway.Types.State.Unspecified || BorderGatewayMapper.ToProto(g.State) == request.State),
            g => g.Id);
        var response = new V1.ListBorderGatewaysResponse { NextPageToken = result.NextPageToken };
        response.BorderGateways.AddRange(result.Items.Select(BorderGatewayMapper.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override Task<V1.BorderGateway> UpdateBorderGateway(V1.UpdateBorderGatewayRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation();
        string? name = null, description = null;
        if (validation.Check(request.BorderGateway is not null, "border_gateway", "is required"))
        {
            var paths = UpdateMasks.Paths(request.UpdateMask, UpdatableFields, validation,
                f => f == "name" ? request.BorderGateway!.Name.Length > 0 : request.BorderGateway!.Description.Length > 0);
            if (paths.Contains("name") && validation.RequireText(request.BorderGateway!.Name, "border_gateway.name", 64))
            {
                name = request.BorderGateway.Name;
            }

            if (paths.Contains("description") && validation.OptionalText(request.BorderGateway!.Description, "border_gateway.description", 256))
            {
                description = request.BorderGateway.Description;
            }
        }

        return ChangeAsync(request, request.Region, request.Id, request.Etag, context, validation, "update", (gateway, now) =>
        {
            var updated = gateway with { Name = name ?? gateway.Name, Description = description ?? gateway.Description, UpdateTime = now, ETag = ResourceIds.NewETag() };
            return (updated, []);
        });
    }

    /// <inheritdoc />
    public override Task<V1.BorderGateway> DeleteBorderGateway(V1.DeleteBorderGatewayRequest request, ServerCallContext context) =>
        ChangeAsync(request, request.Region, request.Id, request.Etag, context, new RequestValidation(), "delete", (gateway, now) =>
        {
            if (gateway.Reservations.Count > 0)
            {
                throw new DomainException(ErrorCode.FailedPrecondition, "BORDER_GATEWAY_IN_USE",
                    $"Border gateway '{gateway.Id}' is used by virtual interfaces {string.Join(", ", gateway.VirtualInterfaceIds)}; delete them first.")
                {
                    Resource = new ResourceReference(ResourceType, gateway.Id),
                    PreconditionViolations = gateway.VirtualInterfaceIds
                        .Select(v => new PreconditionViolation("VIRTUAL_INTERFACE", v, $"virtual interface {v} uses this border gateway")).ToArray(),
                };
            }

            var deleted = gateway with { State = BorderGatewayState.Deleted, UpdateTime = now, ETag = ResourceIds.NewETag() };
            var message = BorderGatewayMapper.ToProto(deleted);
            return (deleted, [BorderGatewayMapper.StateChanged(message, BorderGatewayMapper.ToProto(gateway.State), "customer", "deleted"), BorderGatewayMapper.Deleted(message)]);
        },
        alsoWrite: async (gateway, cancellationToken) =>
        {
            // The quota's slot, and the router's, are free again in the delete's own transaction.
            var (count, countUnchanged) = await store.GetCountAsync(gateway.AccountId, gateway.Region, cancellationToken);
            var router = gateway.RouterId is null ? null : await store.GetRouterAsync(gateway.RouterId, cancellationToken);
            return router is null
                ? [BorderGatewayStore.PutCount(gateway.AccountId, gateway.Region, count - 1, countUnchanged)]
                :
                [
                    BorderGatewayStore.PutCount(gateway.AccountId, gateway.Region, count - 1, countUnchanged),
                    BorderGatewayStore.PutRouter(router.Value.WithoutGateway(gateway.Id, clock.GetUtcNow(), ResourceIds.NewETag()), router.Unchanged),
                ];
        });

    private async Task<(Router Router, ETagCondition Unchanged)?> PlaceAsync(BorderGateway gateway, CancellationToken cancellationToken)
    {
        var (index, _) = await store.GetRouterIndexAsync(gateway.Region, cancellationToken);
        if (Router.ChooseForPlacement(await store.GetRoutersAsync(index.Ids, cancellationToken)) is not { } chosen
            || await store.GetRouterAsync(chosen.Id, cancellationToken) is not { } stored)
        {
            return null;
        }

        return (stored.Value.WithGateway(gateway.Id, clock.GetUtcNow(), ResourceIds.NewETag()), stored.Unchanged);
    }

    private async Task<V1.BorderGateway> ChangeAsync(IMessage request, string region, string id, string etag, ServerCallContext context,
        RequestValidation validation, string operation, Func<BorderGateway, DateTimeOffset, (BorderGateway After, List<OutgoingEvent> Events)> decide,
        Func<BorderGateway, CancellationToken, Task<IReadOnlyList<StateOperation>>>? alsoWrite = null)
    {
        var caller = context.GetCaller();
        ValidateAddress(validation, region, id);
        var requestId = ProtobufTransactions.RequestIdOf(request, $"border-gateways/{operation}", caller, validation);
        validation.ThrowIfInvalid();
        return await transactions.RunAsync(requestId, async cancellationToken =>
        {
            var stored = await LoadAsync(caller, region, id, cancellationToken);
            if (!string.IsNullOrEmpty(etag) && etag != stored.Value.ETag)
            {
                throw DomainException.StaleETag(ResourceType, id);
            }

            if (stored.Value.IsDeleted)
            {
                throw DomainException.WrongState(ResourceType, id, "STATE_DELETED", operation);
            }

            var (after, events) = decide(stored.Value, clock.GetUtcNow());
            var message = BorderGatewayMapper.ToProto(after);
            return ReferenceEquals(after, stored.Value)
                ? new TransactionPlan<V1.BorderGateway>([], [], message)
                : new TransactionPlan<V1.BorderGateway>(
                    [BorderGatewayStore.Put(after, stored.Unchanged), .. alsoWrite is null ? [] : await alsoWrite(stored.Value, cancellationToken)],
                    events, message);
        }, V1.BorderGateway.Parser, $"border gateway {id}", context.CancellationToken);
    }

    private RequestValidation ValidateAddress(RequestValidation validation, string region, string id) =>
        regions.ValidateAddress(validation, region, id, BorderGateway.IdPrefix, "a border gateway");

    private async Task<Versioned<BorderGateway>> LoadAsync(Caller caller, string region, string id, CancellationToken cancellationToken)
    {
        return caller.Visible(await store.GetAsync(id, cancellationToken), region, ResourceType, id);
    }
}
