using DirectConnect.Contracts.V1;
using DirectConnect.Platform.ServiceIdentity;
using Grpc.Core;
using InternalV1 = DirectConnect.Contracts.Internal.V1;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// A router's agent played by a test, over the real internal API of an embedded system: a registered router, and
/// the key the <c>agent-key</c> command would print for it (derived from the data directory's agent root key). For
/// tests about what the control plane does with reports; the agent process itself drives FRR in its own tests.
/// </summary>
internal sealed class TestAgent(EmbeddedSystem system, string routerId)
{
    public string RouterId { get; } = routerId;

    public InternalV1.DataPlaneService.DataPlaneServiceClient Client { get; } = new(system.InternalChannel);

    /// <summary>Registers a router in the system's region, so gateways created from now on are placed on it (or another router).</summary>
    public static async Task<TestAgent> RegisterAsync(EmbeddedSystem system, string interfaceName = "eth1")
    {
        var router = await new RouterService.RouterServiceClient(system.Channel).CreateRouterAsync(new CreateRouterRequest
        {
            Region = Seed.Region, Router = new Router { Name = "router-" + Guid.NewGuid().ToString("N")[..6], InterfaceName = interfaceName },
        }, system.As("ops", "operator"));
        return new TestAgent(system, router.Id);
    }

    /// <summary>The key of <paramref name="routerId"/>'s agent in <paramref name="system"/>.</summary>
    public static byte[] KeyOf(EmbeddedSystem system, string routerId) =>
        AgentIdentity.DeriveKey(Convert.FromBase64String(File.ReadAllText(Path.Combine(system.DataDirectory, "keys", "agent-root.key")).Trim()), routerId);

    /// <summary>Call options carrying a token of the agent of <paramref name="routerId"/>.</summary>
    public static CallOptions As(EmbeddedSystem system, string routerId) =>
        new(new Metadata { { "authorization", "Bearer " + new AgentTokens(routerId, Convert.ToBase64String(KeyOf(system, routerId)), TimeProvider.System).Token() } });

    /// <summary>Call options carrying a token of this agent.</summary>
    public CallOptions Call => As(system, RouterId);

    /// <summary>Reports <paramref name="virtualInterfaceId"/> applied on the router, with its session up or down.</summary>
    public async Task ReportAsync(string virtualInterfaceId, bool bgpUp, string lastError = "", params string[] received)
    {
        var report = new InternalV1.ReportVirtualInterfaceStatusRequest
        {
            RouterId = RouterId, VirtualInterfaceId = virtualInterfaceId, Applied = true, BgpUp = bgpUp,
            BgpState = bgpUp ? "Established" : "Active", LastError = lastError,
        };
        report.ReceivedPrefixes.AddRange(received);
        await Client.ReportVirtualInterfaceStatusAsync(report, Call);
    }
}
