namespace DirectConnect.Platform.Hosting;

/// <summary>
/// The distributed topology's names: each process's Dapr app-id (what <c>dapr.io/app-id</c> says
/// in <c>deploy/kustomize</c>, and what a caller puts in the <c>dapr-app-id</c> metadata for the
/// sidecar's gRPC proxy) and the Dapr components they use. The deployment test
/// (<c>tests/DirectConnect.ContractTests/DeploymentManifestTests.cs</c>) checks the rendered
/// manifests against this class and against every service the code calls through
/// <see cref="Grpc.ServiceChannels.For"/>.
/// </summary>
public static class ServiceAppIds
{
    /// <summary>The public edge: auth, REST/JSON (8080) and gRPC (9090), the watch feed.</summary>
    public const string Gateway = "gateway";

    /// <summary>The PhysicalConnections module: connections, locations, access devices, port allocation.</summary>
    public const string PhysicalConnections = "physical-connections";

    /// <summary>The BorderGateways module: border gateways and their VPC attachments.</summary>
    public const string BorderGateways = "border-gateways";

    /// <summary>The VirtualInterfaces module: private virtual interfaces, BGP, router configuration.</summary>
    public const string VirtualInterfaces = "virtual-interfaces";

    /// <summary>The Routing module: VPC catalog, route tables, reachability traces.</summary>
    public const string Routing = "routing";

    /// <summary>Module/service name (as in <c>DirectConnect:Modules</c> and <c>DirectConnect:Services:Addresses:&lt;Service&gt;</c>) → Dapr app-id.</summary>
    public static IReadOnlyDictionary<string, string> ByService { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [nameof(Gateway)] = Gateway,
        [nameof(PhysicalConnections)] = PhysicalConnections,
        [nameof(BorderGateways)] = BorderGateways,
        [nameof(VirtualInterfaces)] = VirtualInterfaces,
        [nameof(Routing)] = Routing,
    };

    /// <summary>The Dapr app-id of module/service <paramref name="service"/> (e.g. <c>PhysicalConnections</c>).</summary>
    public static string For(string service) =>
        ByService.TryGetValue(service, out var appId) ? appId : throw new ArgumentException($"No Dapr app-id is known for service {service}.", nameof(service));

    /// <summary>The Dapr pub/sub component every process uses (topics are named after the publishing app-id).</summary>
    public const string PubSubComponent = "pubsub";

    /// <summary>
    /// The Dapr state store component of <paramref name="appId"/>: <c>&lt;app-id&gt;-state</c>, one per
    /// process, because Dapr's outbox publishes a state store's transactions to one fixed topic
    /// (<c>outboxPublishTopic</c>), and each service publishes to the topic named after itself.
    /// </summary>
    public static string StateStoreComponent(string appId) => $"{appId}-state";
}
