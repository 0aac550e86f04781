using DirectConnect.Platform.Errors;
using DirectConnect.PhysicalConnections.Application;
using DirectConnect.PhysicalConnections.Domain;
using Grpc.Core;
using InternalV1 = DirectConnect.Contracts.Internal.V1;

namespace DirectConnect.PhysicalConnections.Api;

/// <summary>
/// <c>directconnect.internal.v1.PhysicalConnectionReservationService</c>: the internal API the
/// VirtualInterfaces service reserves lines through. Only service identities reach it (see
/// <c>MapInternalGrpcService</c>); it validates, and delegates to <see cref="ConnectionReservations"/> (lines) and
/// <see cref="HostedConnections"/> (hosted connections).
/// </summary>
public sealed class PhysicalConnectionReservationGrpcService(ConnectionReservations reservations, HostedConnections hosted)
    : InternalV1.PhysicalConnectionReservationService.PhysicalConnectionReservationServiceBase
{
    /// <inheritdoc />
    public override async Task<InternalV1.ReservePhysicalConnectionResponse> ReservePhysicalConnection(
        InternalV1.ReservePhysicalConnectionRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation();
        validation.Check(Platform.Resources.ResourceIds.IsWellFormed(request.Id, PhysicalConnection.IdPrefix), "id", "is not a physical connection id (expected dxpc-…)");
        validation.Check(Platform.Tenancy.Caller.IsValidAccountId(request.AccountId), "account_id", "is not an account id");
        validation.Check(Platform.Resources.ResourceIds.IsWellFormed(request.VirtualInterfaceId, "dxvif-"), "virtual_interface_id",
            "is not a virtual interface id (expected dxvif-…)");
        validation.Check(request.Vlan is >= 1 and <= 4094, "vlan", $"must be between 1 and 4094, got {request.Vlan}");
        validation.ThrowIfInvalid();

        var connection = await reservations.ReserveAsync(request.Region, request.Id, request.AccountId,
            new VlanReservation(request.VirtualInterfaceId, request.Vlan), context.CancellationToken);
        var response = new InternalV1.ReservePhysicalConnectionResponse();
        response.VirtualInterfaceIds.AddRange(connection.VirtualInterfaceIds);
        return response;
    }

    /// <inheritdoc />
    public override async Task<InternalV1.ReserveHostedConnectionResponse> ReserveHostedConnection(
        InternalV1.ReserveHostedConnectionRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation();
        validation.Check(Platform.Resources.ResourceIds.IsWellFormed(request.Id, HostedConnection.IdPrefix), "id", "is not a hosted connection id (expected dxhc-…)");
        validation.Check(Platform.Tenancy.Caller.IsValidAccountId(request.AccountId), "account_id", "is not an account id");
        validation.Check(Platform.Resources.ResourceIds.IsWellFormed(request.VirtualInterfaceId, "dxvif-"), "virtual_interface_id",
            "is not a virtual interface id (expected dxvif-…)");
        validation.Check(request.Vlan is >= 1 and <= 4094, "vlan", $"must be between 1 and 4094, got {request.Vlan}");
        validation.ThrowIfInvalid();

        var reserved = await hosted.ReserveAsync(request.Region, request.Id, request.AccountId, request.VirtualInterfaceId, request.Vlan,
            context.CancellationToken);
        var response = new InternalV1.ReserveHostedConnectionResponse();
        response.VirtualInterfaceIds.AddRange(reserved.VirtualInterfaceIds);
        return response;
    }
}
