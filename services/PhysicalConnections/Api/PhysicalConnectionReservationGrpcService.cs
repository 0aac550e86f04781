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
        Validate(request.Id, PhysicalConnection.IdPrefix, "a physical connection", request.AccountId, request.VirtualInterfaceId, request.Vlan);

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
        Validate(request.Id, HostedConnection.IdPrefix, "a hosted connection", request.AccountId, request.VirtualInterfaceId, request.Vlan);

        var reserved = await hosted.ReserveAsync(request.Region, request.Id, request.AccountId, request.VirtualInterfaceId, request.Vlan,
            context.CancellationToken);
        var response = new InternalV1.ReserveHostedConnectionResponse();
        response.VirtualInterfaceIds.AddRange(reserved.VirtualInterfaceIds);
        return response;
    }

    // Both reservations carry the same fields: the connection's id, the account, the interface and its VLAN.
    private static void Validate(string id, string prefix, string noun, string accountId, string virtualInterfaceId, int vlan)
    {
        var validation = new RequestValidation();
        validation.Check(Platform.Resources.ResourceIds.IsWellFormed(id, prefix), "id", $"is not {noun} id (expected {prefix}…)");
        validation.Check(Platform.Tenancy.Caller.IsValidAccountId(accountId), "account_id", "is not an account id");
        validation.Check(Platform.Resources.ResourceIds.IsWellFormed(virtualInterfaceId, "dxvif-"), "virtual_interface_id",
            "is not a virtual interface id (expected dxvif-…)");
        validation.Check(vlan is >= 1 and <= 4094, "vlan", $"must be between 1 and 4094, got {vlan}");
        validation.ThrowIfInvalid();
    }
}
