using DirectConnect.BorderGateways.Application;
using DirectConnect.BorderGateways.Domain;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Networking;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;
using Grpc.Core;
using InternalV1 = DirectConnect.Contracts.Internal.V1;

namespace DirectConnect.BorderGateways.Api;

/// <summary>
/// <c>directconnect.internal.v1.BorderGatewayReservationService</c>: the internal API the
/// VirtualInterfaces service reserves gateways through. Only service identities reach it; it
/// validates, and delegates to <see cref="GatewayReservations"/>.
/// </summary>
public sealed class BorderGatewayReservationGrpcService(GatewayReservations reservations, Storage.BorderGatewayStore store)
    : InternalV1.BorderGatewayReservationService.BorderGatewayReservationServiceBase
{
    /// <inheritdoc />
    public override async Task<InternalV1.ReserveBorderGatewayResponse> ReserveBorderGateway(
        InternalV1.ReserveBorderGatewayRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation();
        validation.Check(ResourceIds.IsWellFormed(request.Id, BorderGateway.IdPrefix), "id", "is not a border gateway id (expected dxbgw-…)");
        validation.Check(Caller.IsValidAccountId(request.AccountId), "account_id", "is not an account id");
        validation.Check(ResourceIds.IsWellFormed(request.VirtualInterfaceId, "dxvif-"), "virtual_interface_id",
            "is not a virtual interface id (expected dxvif-…)");
        // Counted before any prefix is parsed (the overlap checks are pairwise): a virtual interface's own bound.
        var prefixes = IdcPrefixes.Parse(validation, "idc_prefixes", request.IdcPrefixes, required: false);
        validation.Check(request.ConnectionId.Length == 0 || ResourceIds.IsWellFormed(request.ConnectionId, "dxpc-")
            || ResourceIds.IsWellFormed(request.ConnectionId, "dxhc-"), "connection_id", "is not a physical or hosted connection id (expected dxpc-… or dxhc-…)");
        validation.ThrowIfInvalid();

        var gateway = await reservations.ReserveAsync(request.Region, request.Id, request.AccountId, request.VirtualInterfaceId, prefixes,
            request.ConnectionId, context.CancellationToken);
        return Announcements(gateway);
    }

    /// <inheritdoc />
    public override async Task<InternalV1.ReserveBorderGatewayResponse> GetBorderGatewayAnnouncements(
        InternalV1.GetBorderGatewayAnnouncementsRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation();
        validation.Check(ResourceIds.IsWellFormed(request.Id, BorderGateway.IdPrefix), "id", "is not a border gateway id (expected dxbgw-…)");
        validation.ThrowIfInvalid();
        return await store.GetAsync(request.Id, context.CancellationToken) is { } stored && stored.Value.Region == request.Region
            ? Announcements(stored.Value)
            : throw DomainException.NotFound("BorderGateway", request.Id);
    }

    /// <inheritdoc />
    public override async Task<InternalV1.GetRouterForAgentResponse> GetRouterForAgent(InternalV1.GetRouterForAgentRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation();
        validation.Check(ResourceIds.IsWellFormed(request.RouterId, Router.IdPrefix), "router_id", "is not a router id (expected rtr-…)");
        validation.ThrowIfInvalid();
        return await store.GetRouterAsync(request.RouterId, context.CancellationToken) is { Value.IsDeleted: false } stored
            ? new InternalV1.GetRouterForAgentResponse { Region = stored.Value.Region, InterfaceName = stored.Value.InterfaceName, Asn = stored.Value.Asn }
            : throw DomainException.NotFound("Router", request.RouterId);
    }

    private static InternalV1.ReserveBorderGatewayResponse Announcements(BorderGateway gateway)
    {
        var response = new InternalV1.ReserveBorderGatewayResponse { RouterId = gateway.RouterId ?? "", Asn = gateway.Asn };
        response.VirtualInterfaceIds.AddRange(gateway.VirtualInterfaceIds);
        response.AnnouncedPrefixes.AddRange(gateway.IsDeleted ? [] : gateway.Attachments.Where(a => a.Attached).SelectMany(a => a.CidrBlocks).Distinct(StringComparer.Ordinal));
        return response;
    }
}
