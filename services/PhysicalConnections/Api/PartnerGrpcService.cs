using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Paging;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;
using DirectConnect.PhysicalConnections.Application;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;
using Grpc.Core;
using Microsoft.Extensions.Options;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.PhysicalConnections.Api;

/// <summary><c>directconnect.v1.PartnerService</c>: operators register partners per region (<see cref="PartnerRegistry"/>).</summary>
public sealed class PartnerGrpcService(PartnerRegistry registry, PartnerStore partners, RegionCatalog regions, IOptions<PhysicalConnectionOptions> options)
    : V1.PartnerService.PartnerServiceBase
{
    private const string ResourceType = "Partner";

    /// <inheritdoc />
    public override async Task<V1.Partner> RegisterPartner(V1.RegisterPartnerRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        if (validation.Check(request.Partner is not null, "partner", "is required"))
        {
            Partner.Validate(validation, "partner.", request.Partner!.AccountId, request.Partner.Name, request.Partner.ConnectionQuota,
                options.Value.MaxPartnerQuotaPerRegion);
        }

        var requestId = ProtobufTransactions.RequestIdOf(request, "partners/register", caller, validation);
        validation.ThrowIfInvalid();
        var partner = await registry.RegisterAsync(request.Region, request.Partner!.AccountId, request.Partner.Name, request.Partner.ConnectionQuota,
            requestId, context.CancellationToken);
        return HostedConnectionMapper.ToProto(partner);
    }

    /// <inheritdoc />
    public override async Task<V1.Partner> GetPartner(V1.GetPartnerRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        ValidateAddress(new RequestValidation(), request.Region, request.Id).ThrowIfInvalid();
        var stored = await partners.GetAsync(request.Region, request.Id, context.CancellationToken);
        // An operator, or the partner itself; a deleted registration is gone for everyone.
        var partner = caller.Visible(stored is { Value.Deleted: false } ? stored : null, request.Region, ResourceType, request.Id);
        return HostedConnectionMapper.ToProto(partner.Value);
    }

    /// <inheritdoc />
    public override async Task<V1.ListPartnersResponse> ListPartners(V1.ListPartnersRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        var page = PageRequest.Parse(validation, request.PageSize, request.PageToken, request.Region);
        validation.ThrowIfInvalid();
        var index = await partners.GetIndexAsync(request.Region, context.CancellationToken);
        var result = await IndexPager.PageAsync(index, page, ids => partners.GetManyAsync(request.Region, ids, context.CancellationToken),
            p => !p.Deleted, p => p.AccountId);
        var response = new V1.ListPartnersResponse { NextPageToken = result.NextPageToken };
        response.Partners.AddRange(result.Items.Select(HostedConnectionMapper.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<V1.Partner> DeletePartner(V1.DeletePartnerRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = ValidateAddress(new RequestValidation(), request.Region, request.Id);
        var requestId = ProtobufTransactions.RequestIdOf(request, "partners/delete", caller, validation);
        validation.ThrowIfInvalid();
        return HostedConnectionMapper.ToProto(await registry.DeleteAsync(request.Region, request.Id, request.Etag, requestId, context.CancellationToken));
    }

    private RequestValidation ValidateAddress(RequestValidation validation, string region, string id)
    {
        regions.Validate(validation, region);
        validation.Check(Caller.IsValidAccountId(id), "id", string.IsNullOrEmpty(id) ? "is required" : "is not an account id (a partner's id is its account id)");
        return validation;
    }
}
