using System.Text.RegularExpressions;
using DirectConnect.Contracts.Internal.V1;
using DirectConnect.VirtualInterfaces.RouterConfiguration;

namespace DirectConnect.IntegrationTests.DataPlane;

/// <summary>
/// A cloud-side router (FRR in its namespace, port <c>eth1</c>, ASN 64999) driven by a real agent process, fed by
/// <see cref="DataPlaneServiceDouble"/>, and customer routers (FRR in their own namespaces) loaded with the
/// configuration the API generates for them. Customer <c>i</c> is VLAN <c>100+i</c>: 169.254.i.2/30 (cloud .1),
/// ASN 65000+i, IDC prefix 192.168.i.0/24; its gateway announces 10.i.0.0/16 as ASN 64512.
/// This kernel has no 802.1Q: the sub-interface <c>eth1.&lt;vlan&gt;</c> is an untagged veth with that name.
/// </summary>
internal sealed partial class CloudRouterScenario : IAsyncDisposable
{
    public const long GatewayAsn = 64512;
    public const string RouterId = "rtr-0a1b2c3d";

    private CloudRouterScenario(FrrLab lab, string cloud, DataPlaneServiceDouble service, string stateDirectory)
    {
        Lab = lab;
        Cloud = cloud;
        Service = service;
        StateDirectory = stateDirectory;
    }

    public FrrLab Lab { get; }

    public string Cloud { get; }

    public DataPlaneServiceDouble Service { get; }

    public string StateDirectory { get; }

    public AgentProcess? Agent { get; private set; }

    public static async Task<CloudRouterScenario> StartAsync()
    {
        var lab = FrrLab.Create();
        var cloud = await lab.NamespaceAsync("cloud");
        await lab.StartFrrAsync(cloud);
        var service = await DataPlaneServiceDouble.StartAsync(RouterId, new RouterDesiredState.Types.Router { InterfaceName = "eth1", Asn = 64999 });
        var scenario = new CloudRouterScenario(lab, cloud, service, Path.Combine(lab.LogDirectory, "agent-state"));
        await scenario.StartAgentAsync();
        return scenario;
    }

    /// <summary>Starts the agent (again).</summary>
    public async Task<AgentProcess> StartAgentAsync()
    {
        if (Agent is not null)
        {
            await Agent.DisposeAsync();
        }

        return Agent = AgentProcess.Start(Service, Cloud, StateDirectory);
    }

    public static string VirtualInterfaceId(int i) => $"dxvif-0000000{i}";

    public static string CustomerAddress(int i) => $"169.254.{i}.2";

    public static string CloudAddress(int i) => $"169.254.{i}.1";

    public static string IdcPrefix(int i) => $"192.168.{i}.0/24";

    public static string VpcCidr(int i) => $"10.{i}.0.0/16";

    /// <summary>The desired state of customer <paramref name="i"/>'s interface.</summary>
    public static Peering Peering(int i) => new()
    {
        VirtualInterfaceId = VirtualInterfaceId(i),
        BorderGatewayId = "dxbgw-0a1b2c3d",
        Vlan = 100 + i,
        CloudAddress = CloudAddress(i) + "/30",
        CustomerAddress = CustomerAddress(i) + "/30",
        CloudAsn = GatewayAsn,
        CustomerAsn = 65000 + i,
        IdcPrefixes = { IdcPrefix(i) },
        AnnouncedPrefixes = { VpcCidr(i) },
    };

    /// <summary>
    /// Customer <paramref name="i"/>'s router: a namespace linked to the cloud's <c>eth1.&lt;vlan&gt;</c>, FRR loaded with
    /// the generated FRR configuration with <paramref name="key"/> filled in (and a 5 s connect retry, so that a test
    /// does not wait FRR's default 120 s for the customer to try again). Returns its namespace.
    /// </summary>
    public async Task<string> CustomerAsync(int i, string? key, string extraConfiguration = "")
    {
        var customer = await Lab.NamespaceAsync($"cust{i}");
        await Lab.LinkAsync(Cloud, $"eth1.{100 + i}", customer, $"eth0.{100 + i}");
        await Lab.StartFrrAsync(customer);
        var generated = CustomerConfiguration(i, key);
        await Lab.ConfigureAsync(customer, generated + $"router bgp {65000 + i}\n neighbor {CloudAddress(i)} timers connect 5\nexit\n" + extraConfiguration);
        return customer;
    }

    /// <summary>What the API generates for customer <paramref name="i"/>'s FRR router.</summary>
    public static string CustomerConfiguration(int i, string? key) => RouterConfigurationRenderer.Render(RouterVendorKind.Frr,
        new RouterPeering(VirtualInterfaceId(i), 100 + i, CustomerAddress(i) + "/30", CloudAddress(i) + "/30", 65000 + i, GatewayAsn, key, [IdcPrefix(i)], "eth0"));

    /// <summary>The name of the customer's outbound prefix-list in the generated configuration.</summary>
    public static string CustomerOutboundList(int i) => OutboundList().Match(CustomerConfiguration(i, null)).Groups[1].Value;

    /// <summary>Waits until the agent has reported <paramref name="i"/>'s interface as <paramref name="condition"/> says.</summary>
    public async Task<ReportVirtualInterfaceStatusRequest> ReportAsync(int i, Func<ReportVirtualInterfaceStatusRequest, bool> condition, string what)
    {
        await Eventually.TrueAsync(() => Task.FromResult(Service.LatestReport(VirtualInterfaceId(i)) is { } r && condition(r)),
            () => $"The agent never reported {VirtualInterfaceId(i)} {what}; last report: {Service.LatestReport(VirtualInterfaceId(i))}\n--- agent ---\n{Agent?.Output}\n{Lab.Logs()}");
        return Service.LatestReport(VirtualInterfaceId(i))!;
    }

    /// <summary>How many times the cloud's session with customer <paramref name="i"/> was established (FRR's <c>connectionsEstablished</c>).</summary>
    public async Task<int> EstablishedCountAsync(int i) =>
        (await Lab.NeighborAsync(Cloud, CustomerAddress(i)))?.GetProperty("connectionsEstablished").GetInt32() ?? -1;

    [GeneratedRegex(@"ip prefix-list (\S+-OUT) seq")]
    private static partial Regex OutboundList();

    // The namespaces go whatever happens before: a failing step is not allowed to leave them behind.
    public async ValueTask DisposeAsync()
    {
        try
        {
            if (Agent is not null)
            {
                await Agent.DisposeAsync();
            }

            await Service.DisposeAsync();
        }
        finally
        {
            await Lab.DisposeAsync();
        }
    }
}
