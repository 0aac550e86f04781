using DirectConnect.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace DirectConnect.IntegrationTests;

/// <summary>The seed procedure of DOMAIN.md, step by step, over a gRPC channel: one account's connection, gateway, VPCs and interfaces.</summary>
internal sealed class Seed(GrpcChannel channel, Func<string, string[], CallOptions> callAs)
{
    public const string Region = "cn-north-1";

    public Lifecycle Lines { get; } = new(channel, callAs);

    public BorderGatewayService.BorderGatewayServiceClient Gateways { get; } = new(channel);

    public VirtualInterfaceService.VirtualInterfaceServiceClient Interfaces { get; } = new(channel);

    public VpcService.VpcServiceClient Vpcs { get; } = new(channel);

    public RouteService.RouteServiceClient Routes { get; } = new(channel);

    public CallOptions Operator => Lines.Operator;

    public CallOptions Customer(string account) => Lines.Customer(account);

    public async Task<Vpc> RegisterVpcAsync(string account, params string[] cidrs)
    {
        var vpc = new Vpc { AccountId = account, Name = "vpc" };
        vpc.CidrBlocks.AddRange(cidrs);
        return await Vpcs.RegisterVpcAsync(new RegisterVpcRequest { Region = Region, Vpc = vpc }, Operator);
    }

    public async Task<BorderGateway> GatewayAsync(string account, long asn = 0) =>
        await Gateways.CreateBorderGatewayAsync(new CreateBorderGatewayRequest
        {
            Region = Region, BorderGateway = new BorderGateway { Name = "bgw", Asn = asn },
        }, Customer(account));

    public async Task<BorderGateway> GetGatewayAsync(string account, string id) =>
        await Gateways.GetBorderGatewayAsync(new GetBorderGatewayRequest { Region = Region, Id = id }, Customer(account));

    public async Task<BorderGateway> AvailableGatewayAsync(string account, long asn = 0)
    {
        var created = await GatewayAsync(account, asn);
        return await EventuallyAsync(() => GetGatewayAsync(account, created.Id), g => g.State == BorderGateway.Types.State.Available, "became AVAILABLE");
    }

    /// <summary>Waits until <paramref name="gatewayId"/> holds an attachment (attached or refused) of every one of <paramref name="vpcIds"/>.</summary>
    public Task<BorderGateway> AttachedAsync(string account, string gatewayId, params string[] vpcIds) =>
        EventuallyAsync(() => GetGatewayAsync(account, gatewayId), g => vpcIds.All(v => g.VpcAttachments.Any(a => a.VpcId == v)), "attached the VPCs");

    public static VirtualInterface Interface(PhysicalConnection connection, BorderGateway gateway, int vlan, string idcPrefix = "192.168.0.0/24", int subnet = 0) => new()
    {
        Name = $"vif-{vlan}",
        PhysicalConnectionId = connection.Id,
        BorderGatewayId = gateway.Id,
        Vlan = vlan,
        BandwidthMbps = 100,
        Bgp = new BgpPeering
        {
            CustomerAsn = 65001,
            CloudAddress = $"169.254.{subnet / 64}.{subnet % 64 * 4 + 1}/30",
            CustomerAddress = $"169.254.{subnet / 64}.{subnet % 64 * 4 + 2}/30",
        },
        IdcPrefixes = { idcPrefix },
    };

    public async Task<VirtualInterface> CreateInterfaceAsync(string account, VirtualInterface vif) =>
        await Interfaces.CreateVirtualInterfaceAsync(new CreateVirtualInterfaceRequest { Region = Region, VirtualInterface = vif }, Customer(account));

    public async Task<VirtualInterface> GetInterfaceAsync(string account, string id) =>
        await Interfaces.GetVirtualInterfaceAsync(new GetVirtualInterfaceRequest { Region = Region, Id = id }, Customer(account));

    public async Task<VirtualInterface> DeleteInterfaceAsync(string account, string id) =>
        await Interfaces.DeleteVirtualInterfaceAsync(new DeleteVirtualInterfaceRequest { Region = Region, Id = id }, Customer(account));

    /// <summary>Polls (bounded) until <paramref name="condition"/> holds.</summary>
    public static async Task<T> EventuallyAsync<T>(Func<Task<T>> read, Func<T, bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            var current = await read();
            if (condition(current))
            {
                return current;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException($"never {what}; last seen: {current}");
            }

            await Task.Delay(25);
        }
    }
}
