using DirectConnect.BorderGateways.Domain;
using DirectConnect.BorderGateways.Storage;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Networking;
using DirectConnect.Platform.Paging;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;
using Grpc.Core;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.BorderGateways.Api;

/// <summary>
/// <c>directconnect.v1.RouterService</c>: the operators' inventory of cloud-side routers. Gateways are placed on
/// them at creation (<see cref="BorderGatewayGrpcService"/>); a router carrying gateways cannot be removed.
/// </summary>
public sealed class RouterGrpcService(BorderGatewayStore store, OptimisticTransaction transactions, RegionCatalog regions, TimeProvider clock)
    : V1.RouterService.RouterServiceBase
{
    private const string ResourceType = "Router";

    /// <inheritdoc />
    public override async Task<V1.Router> CreateRouter(V1.CreateRouterRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        var asn = Router.DefaultAsn;
        if (validation.Check(request.Router is not null, "router", "is required"))
        {
            var router = request.Router!;
            validation.RequireText(router.Name, "router.name", 64);
            if (validation.Check(router.InterfaceName.Length > 0, "router.interface_name", "is required"))
            {
                validation.Check(Router.IsValidInterfaceName(router.InterfaceName), "router.interface_name", Router.InterfaceNameRule);
            }

            if (router.Asn != 0)
            {
                validation.Check(Asn.IsValid(router.Asn), "router.asn", Asn.Rule);
                asn = router.Asn;
            }
        }

        var requestId = ProtobufTransactions.RequestIdOf(request, "routers/create", caller, validation);
        validation.ThrowIfInvalid();

        return await transactions.RunAsync(requestId, async cancellationToken =>
        {
            var (index, indexUnchanged) = await store.GetRouterIndexAsync(request.Region, cancellationToken);
            var now = clock.GetUtcNow();
            var router = new Router
            {
                Id = ResourceIds.New(Router.IdPrefix),
                Region = request.Region,
                Name = request.Router!.Name,
                InterfaceName = request.Router.InterfaceName,
                Asn = asn,
                State = RouterState.Active,
                CreateTime = now,
                UpdateTime = now,
                ETag = ResourceIds.NewETag(),
            };
            return new TransactionPlan<V1.Router>(
                [
                    BorderGatewayStore.PutRouter(router, ETagCondition.MustNotExist),
                    BorderGatewayStore.PutRouterIndex(request.Region, index.With(router.Id), indexUnchanged),
                ],
                [],
                BorderGatewayMapper.ToProto(router));
        }, V1.Router.Parser, "the region's routers", context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<V1.Router> GetRouter(V1.GetRouterRequest request, ServerCallContext context)
    {
        ValidateAddress(new RequestValidation(), request.Region, request.Id).ThrowIfInvalid();
        return BorderGatewayMapper.ToProto((await LoadAsync(request.Region, request.Id, context.CancellationToken)).Value);
    }

    /// <inheritdoc />
    public override async Task<V1.ListRoutersResponse> ListRouters(V1.ListRoutersRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        var page = PageRequest.Parse(validation, request.PageSize, request.PageToken, $"{request.Region}|{request.ShowDeleted}");
        validation.ThrowIfInvalid();

        var (index, _) = await store.GetRouterIndexAsync(request.Region, context.CancellationToken);
        var result = await IndexPager.PageAsync(index, page, ids => store.GetRoutersAsync(ids, context.CancellationToken),
            r => request.ShowDeleted || !r.IsDeleted, r => r.Id);
        var response = new V1.ListRoutersResponse { NextPageToken = result.NextPageToken };
        response.Routers.AddRange(result.Items.Select(BorderGatewayMapper.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<V1.Router> DeleteRouter(V1.DeleteRouterRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = ValidateAddress(new RequestValidation(), request.Region, request.Id);
        var requestId = ProtobufTransactions.RequestIdOf(request, "routers/delete", caller, validation);
        validation.ThrowIfInvalid();
        return await transactions.RunAsync(requestId, async cancellationToken =>
        {
            var stored = await LoadAsync(request.Region, request.Id, cancellationToken);
            if (!string.IsNullOrEmpty(request.Etag) && request.Etag != stored.Value.ETag)
            {
                throw DomainException.StaleETag(ResourceType, request.Id);
            }

            if (stored.Value.IsDeleted)
            {
                throw DomainException.WrongState(ResourceType, request.Id, "STATE_DELETED", "delete");
            }

            var deleted = stored.Value.Delete(clock.GetUtcNow(), ResourceIds.NewETag());
            return new TransactionPlan<V1.Router>([BorderGatewayStore.PutRouter(deleted, stored.Unchanged)], [], BorderGatewayMapper.ToProto(deleted));
        }, V1.Router.Parser, $"router {request.Id}", context.CancellationToken);
    }

    private RequestValidation ValidateAddress(RequestValidation validation, string region, string id) =>
        regions.ValidateAddress(validation, region, id, Router.IdPrefix, "a router");

    private async Task<Versioned<Router>> LoadAsync(string region, string id, CancellationToken cancellationToken) =>
        await store.GetRouterAsync(id, cancellationToken) is { } stored && stored.Value.Region == region
            ? stored
            : throw DomainException.NotFound(ResourceType, id);
}
