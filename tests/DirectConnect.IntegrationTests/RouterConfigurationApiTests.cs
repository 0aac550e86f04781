using System.Net;
using System.Text.Json.Nodes;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Grpc;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Issue 15, item 4: the router configuration names the customer's own port (<c>interface</c>, gRPC and
/// <c>?interface=</c>), and nothing typed there can add a line to the configuration.
/// </summary>
public sealed class RouterConfigurationApiTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private readonly Seed _seed = new(system.Channel, system.As);

    private static readonly JsonParser StatusJson = new(JsonParser.Settings.Default.WithTypeRegistry(StatusResponses.DetailTypes));

    private async Task<(string Account, VirtualInterface Created)> InterfaceAsync(int vlan)
    {
        var account = "rc-" + Guid.NewGuid().ToString("N")[..10];
        await system.AddDeviceAsync(system.DefaultLocationId, ports: 1);
        var line = await _seed.Lines.AvailableAsync(account, system.DefaultLocationId);
        var gateway = await _seed.AvailableGatewayAsync(account);
        return (account, await _seed.CreateInterfaceAsync(account, Seed.Interface(line, gateway, vlan)));
    }

    private async Task<string> ConfigurationAsync(string account, string id, RouterVendor vendor, string port) =>
        (await _seed.Interfaces.GetRouterConfigurationAsync(
            new GetRouterConfigurationRequest { Region = Seed.Region, Id = id, Vendor = vendor, Interface = port }, _seed.Customer(account))).Content;

    [Fact]
    public async Task TheConfigurationIsWrittenForTheNamedPortOverGrpcAndRest()
    {
        var (account, vif) = await InterfaceAsync(vlan: 100);

        var frr = (await ConfigurationAsync(account, vif.Id, RouterVendor.Frr, "enp3s0f1")).Split('\n');
        Assert.Contains("interface enp3s0f1.100", frr);
        Assert.Contains("!   ip link add link enp3s0f1 name enp3s0f1.100 type vlan id 100", frr);
        Assert.Contains("ip forwarding", frr);
        Assert.DoesNotContain(frr, line => line.Contains("eth0", StringComparison.Ordinal));

        var cisco = (await ConfigurationAsync(account, vif.Id, RouterVendor.CiscoIosXe, "TenGigabitEthernet0/1/0")).Split('\n');
        var port = Array.IndexOf(cisco, "interface TenGigabitEthernet0/1/0");
        Assert.Equal(["interface TenGigabitEthernet0/1/0", " no shutdown", "exit", "interface TenGigabitEthernet0/1/0.100"], cisco[port..(port + 4)]);

        // Empty keeps the vendor's placeholder port.
        Assert.Contains("interface GigabitEthernet0/0/1.100", (await ConfigurationAsync(account, vif.Id, RouterVendor.HuaweiVrp, "")).Split('\n'));

        using var http = system.Rest(account, "customer");
        using var response = await http.GetAsync(
            $"/v1/regions/{Seed.Region}/virtualInterfaces/{vif.Id}/routerConfiguration?vendor=ROUTER_VENDOR_JUNIPER_JUNOS&interface=xe-0%2F0%2F1");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        Assert.Contains("set interfaces xe-0/0/1 unit 100 vlan-id 100", JsonNode.Parse(body)!["content"]!.GetValue<string>().Split('\n'));
    }

    [Theory]
    [InlineData(RouterVendor.Frr, "eth0\nrouter bgp 1")]
    [InlineData(RouterVendor.Frr, "eth0/1")]
    [InlineData(RouterVendor.CiscoIosXe, "Gi0/0/0\r\nend")]
    [InlineData(RouterVendor.CiscoIosXe, "Gi0/0/0 ! x")]
    [InlineData(RouterVendor.JuniperJunos, "xe-0/0/0;delete")]
    [InlineData(RouterVendor.JuniperJunos, "xe-0/0/0\" description \"")]
    [InlineData(RouterVendor.HuaweiVrp, "GE0/0/1#")]
    [InlineData(RouterVendor.HuaweiVrp, "GE0/0/1'")]
    public async Task ANameThatCouldInjectALineIsInvalidArgumentNamingInterface(RouterVendor vendor, string port)
    {
        var (account, vif) = await InterfaceAsync(vlan: 200);
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => ConfigurationAsync(account, vif.Id, vendor, port));
        Assert.Equal("INVALID_ARGUMENT", status.Reason());
        var violation = Assert.Single(status.Detail<BadRequest>().FieldViolations);
        Assert.Equal("interface", violation.Field);
        Assert.DoesNotContain(port, status.ToString(), StringComparison.Ordinal); // not echoed
    }

    [Fact]
    public async Task ABadNameIsNamedWithTheOtherBadFieldsBeforeTheInterfaceIsLookedUp()
    {
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => ConfigurationAsync("rc-nobody", "dxvif-000000000000", RouterVendor.Frr, "eth 0"));
        Assert.Equal(["interface"], status.Detail<BadRequest>().FieldViolations.Select(v => v.Field));

        var both = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () => await _seed.Interfaces.GetRouterConfigurationAsync(
            new GetRouterConfigurationRequest { Region = Seed.Region, Id = "not-an-id", Vendor = RouterVendor.Frr, Interface = "eth;0" }, _seed.Customer("rc-nobody")));
        Assert.Equal(["id", "interface"], both.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task AnFrrSubInterfaceNameBeyondFifteenCharactersIsInvalidArgumentSayingWhy()
    {
        var (account, vif) = await InterfaceAsync(vlan: 100);
        // abcdefghijk.100 is 15 characters: the longest Linux allows.
        Assert.Contains("interface abcdefghijk.100", (await ConfigurationAsync(account, vif.Id, RouterVendor.Frr, "abcdefghijk")).Split('\n'));

        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => ConfigurationAsync(account, vif.Id, RouterVendor.Frr, "abcdefghijkl"));
        var violation = Assert.Single(status.Detail<BadRequest>().FieldViolations);
        Assert.Equal("interface", violation.Field);
        Assert.Contains("'abcdefghijkl.100', 16 characters: Linux allows at most 15", violation.Description, StringComparison.Ordinal);
        // The same name is a fine IOS XE port: the limit is Linux's.
        Assert.Contains("interface abcdefghijkl.100", (await ConfigurationAsync(account, vif.Id, RouterVendor.CiscoIosXe, "abcdefghijkl")).Split('\n'));
    }

    [Fact]
    public async Task OverRestAnInjectingInterfaceIsTheDocumentedStatusNamingIt()
    {
        var (account, vif) = await InterfaceAsync(vlan: 300);
        using var http = system.Rest(account, "customer");
        using var response = await http.GetAsync(
            $"/v1/regions/{Seed.Region}/virtualInterfaces/{vif.Id}/routerConfiguration?vendor=ROUTER_VENDOR_FRR&interface=eth0%0Arouter%20bgp%201");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, body);
        var status = StatusJson.Parse<Google.Rpc.Status>(body);
        Assert.Equal("INVALID_ARGUMENT", status.Reason());
        var violation = Assert.Single(status.Detail<BadRequest>().FieldViolations);
        Assert.Equal("interface", violation.Field);
        // The service's own rule, not the REST layer refusing an unknown parameter.
        Assert.Contains("is not a Linux interface name", violation.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("router bgp", body, StringComparison.Ordinal);
    }
}
