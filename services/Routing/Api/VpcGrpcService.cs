using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Networking;
using DirectConnect.Platform.Paging;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;
using DirectConnect.Routing.Application;
using DirectConnect.Routing.Domain;
using DirectConnect.Routing.Storage;
using Grpc.Core;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.Routing.Api;

/// <summary>
/// <c>directconnect.v1.VpcService</c>: the VPC catalog. Operators (or the VPC service's
/// integration, with the operator role) register and deregister VPCs for an account; customers
/// read their own. Registration and deregistration publish <c>VpcRegistered</c> /
/// <c>VpcDeregistered</c> on topic <c>routing</c>, on which border gateways attach and detach.
/// </summary>
public sealed class VpcGrpcService(VpcStore store, OptimisticTransaction transactions, RegionCatalog regions, TimeProvider clock,
    VpcRegistrations registrations)
    : V1.VpcService.VpcServiceBase
{
    private const string ResourceType = "Vpc";

    /// <inheritdoc />
    public override async Task<V1.Vpc> RegisterVpc(V1.RegisterVpcRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        validation.Check(request.VpcId.Length == 0 || Vpc.IsValidId(request.VpcId), "vpc_id",
            "must be vpc- followed by 1 to 32 lower-case letters and digits, or empty to have one generated");
        IReadOnlyList<Cidr> blocks = [];
        if (validation.Check(request.Vpc is not null, "vpc", "is required"))
        {
            var asked = request.Vpc!;
            validation.Check(Caller.IsValidAccountId(asked.AccountId), "vpc.account_id",
                string.IsNullOrEmpty(asked.AccountId) ? "is required: the account that owns the VPC" : "is not an account id");
            validation.RequireText(asked.Name, "vpc.name", 64);
            if (validation.CheckCount(asked.CidrBlocks.Count, "vpc.cidr_blocks", 1, Vpc.MaxCidrBlocks, "IPv4 prefixes"))
            {
                blocks = Cidr.ParseAll(validation, "vpc.cidr_blocks", asked.CidrBlocks, Vpc.MaxCidrBlocks);
            }
        }

        var requestId = ProtobufTransactions.RequestIdOf(request, "vpcs/register", caller, validation);
        validation.ThrowIfInvalid();

        var id = request.VpcId.Length > 0 ? request.VpcId : ResourceIds.New(Vpc.IdPrefix);
        // Every registration in the region appends to the head of its index: registrations are committed in batches per
        // region (group commit, VpcRegistrations).
        var now = clock.GetUtcNow();
        var vpc = new Vpc
        {
            Id = id,
            AccountId = request.Vpc!.AccountId,
            Region = request.Region,
            Name = request.Vpc.Name,
            CidrBlocks = blocks.Select(b => b.ToString()).ToArray(),
            RouteTableId = ResourceIds.New(Vpc.RouteTableIdPrefix),
            CreateTime = now,
            UpdateTime = now,
            ETag = ResourceIds.NewETag(),
        };
        var message = VpcMapper.ToProto(vpc);
        return await registrations.RegisterAsync(new VpcRegistration(vpc, message, VpcMapper.Registered(message)), requestId, context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<V1.Vpc> GetVpc(V1.GetVpcRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        ValidateAddress(new RequestValidation(), request.Region, request.Id).ThrowIfInvalid();
        return VpcMapper.ToProto((await LoadAsync(caller, request.Region, request.Id, context.CancellationToken)).Value);
    }

    /// <inheritdoc />
    public override async Task<V1.ListVpcsResponse> ListVpcs(V1.ListVpcsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        validation.Check(Enum.IsDefined(request.State), "state", $"unknown state {(int)request.State}");
        // Operators see the region's whole catalog; customers their own VPCs.
        var scope = caller.IsOperator ? "*" : caller.AccountId;
        var page = PageRequest.Parse(validation, request.PageSize, request.PageToken, $"{scope}|{request.Region}|{request.State}|{request.ShowDeleted}");
        validation.ThrowIfInvalid();

        var index = caller.IsOperator
            ? await store.GetRegionIndexAsync(request.Region, context.CancellationToken)
            : await store.GetAccountIndexAsync(caller.AccountId, request.Region, context.CancellationToken);
        var result = await IndexPager.PageAsync(index, page,
            ids => store.GetManyAsync(ids, context.CancellationToken),
            v => (request.ShowDeleted || !v.Deleted) &&
                 (request.State == V1.Vpc.Types.State.Unspecified || (request.State == V1.Vpc.Types.State.Deleted) == v.Deleted),
            v => v.Id);
        var response = new V1.ListVpcsResponse { NextPageToken = result.NextPageToken };
        response.Vpcs.AddRange(result.Items.Select(VpcMapper.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<V1.Vpc> DeregisterVpc(V1.DeregisterVpcRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = ValidateAddress(new RequestValidation(), request.Region, request.Id);
        var requestId = ProtobufTransactions.RequestIdOf(request, "vpcs/deregister", caller, validation);
        validation.ThrowIfInvalid();

        return await transactions.RunAsync(requestId, async cancellationToken =>
        {
            var stored = await LoadAsync(caller, request.Region, request.Id, cancellationToken);
            if (!string.IsNullOrEmpty(request.Etag) && request.Etag != stored.Value.ETag)
            {
                throw DomainException.StaleETag(ResourceType, request.Id);
            }

            if (stored.Value.Deleted)
            {
                throw DomainException.WrongState(ResourceType, request.Id, "STATE_DELETED", "deregister");
            }

            var deleted = stored.Value with { Deleted = true, UpdateTime = clock.GetUtcNow(), ETag = ResourceIds.NewETag() };
            var message = VpcMapper.ToProto(deleted);
            // The quota's slot is free again in the deregistration's own transaction.
            var (count, countUnchanged) = await store.GetCountAsync(deleted.AccountId, deleted.Region, cancellationToken);
            return new TransactionPlan<V1.Vpc>(
                [VpcStore.Put(deleted, stored.Unchanged), VpcStore.PutCount(deleted.AccountId, deleted.Region, count - 1, countUnchanged)],
                [VpcMapper.Deregistered(message)], message);
        }, V1.Vpc.Parser, $"VPC {request.Id}", context.CancellationToken);
    }

    private RequestValidation ValidateAddress(RequestValidation validation, string region, string id)
    {
        regions.Validate(validation, region);
        validation.Check(Vpc.IsValidId(id), "id", string.IsNullOrEmpty(id) ? "is required" : "is not a VPC id (expected vpc-…)");
        return validation;
    }

    private async Task<Versioned<Vpc>> LoadAsync(Caller caller, string region, string id, CancellationToken cancellationToken)
    {
        return caller.Visible(await store.GetAsync(id, cancellationToken), region, ResourceType, id);
    }
}
