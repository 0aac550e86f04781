using DirectConnect.Platform.Grpc;
using DirectConnect.VirtualInterfaces.Application;
using DirectConnect.VirtualInterfaces.Domain;
using Grpc.Core;
using InternalV1 = DirectConnect.Contracts.Internal.V1;

namespace DirectConnect.VirtualInterfaces.Api;

/// <summary>
/// <see cref="IReservations"/> through the owners' internal API, as the VirtualInterfaces service
/// (a service token, never the customer's): the account travels in the request. The owners'
/// refusals come back addressed to the fields of CreateVirtualInterface.
/// </summary>
public sealed class InternalApiReservations(ServiceChannels services) : IReservations
{
    private const string Caller = "VirtualInterfaces";

    /// <inheritdoc />
    public Task ReserveConnectionAsync(CreationIntent intent, int vlan, DateTime deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(intent);
        var client = new InternalV1.PhysicalConnectionReservationService.PhysicalConnectionReservationServiceClient(
            services.Internal("PhysicalConnections", Caller));
        return intent.HostedConnectionId.Length > 0
            ? Readdressed(() => client.ReserveHostedConnectionAsync(new InternalV1.ReserveHostedConnectionRequest
            {
                Region = intent.Region, Id = intent.HostedConnectionId, AccountId = intent.AccountId,
                VirtualInterfaceId = intent.VirtualInterfaceId, Vlan = vlan,
            }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync)
            : Readdressed(() => client.ReservePhysicalConnectionAsync(new InternalV1.ReservePhysicalConnectionRequest
            {
                Region = intent.Region, Id = intent.PhysicalConnectionId, AccountId = intent.AccountId,
                VirtualInterfaceId = intent.VirtualInterfaceId, Vlan = vlan,
            }, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync);
    }

    /// <inheritdoc />
    public async Task<GatewayPlacement> ReserveGatewayAsync(CreationIntent intent, IReadOnlyList<string> idcPrefixes, DateTime deadline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(intent);
        var client = new InternalV1.BorderGatewayReservationService.BorderGatewayReservationServiceClient(
            services.Internal("BorderGateways", Caller));
        var request = new InternalV1.ReserveBorderGatewayRequest
        {
            Region = intent.Region, Id = intent.BorderGatewayId, AccountId = intent.AccountId, VirtualInterfaceId = intent.VirtualInterfaceId,
            ConnectionId = intent.HostedConnectionId.Length > 0 ? intent.HostedConnectionId : intent.PhysicalConnectionId,
        };
        request.IdcPrefixes.AddRange(idcPrefixes);
        var response = await Readdressed(() => client.ReserveBorderGatewayAsync(request, deadline: deadline, cancellationToken: cancellationToken).ResponseAsync);
        return new GatewayPlacement(response.RouterId.Length == 0 ? null : response.RouterId, [.. response.AnnouncedPrefixes]);
    }

    private static async Task<T> Readdressed<T>(Func<Task<T>> reserve)
    {
        try
        {
            return await reserve();
        }
        catch (RpcException exception)
        {
            throw DownstreamErrors.Readdress(exception, field => field switch
            {
                "vlan" => "virtual_interface.vlan",
                _ when field.StartsWith("idc_prefixes", StringComparison.Ordinal) => "virtual_interface." + field,
                _ => field,
            });
        }
    }
}
