using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DirectConnect.Gateway.Hosting;
using DirectConnect.Platform.Hosting;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace DirectConnect.ContractTests;

/// <summary>
/// The Kubernetes manifests (deploy/kustomize) and container build files (deploy/docker) against
/// the code: each overlay is rendered with the real <c>kubectl kustomize</c> (a missing kubectl
/// fails the test, never skips it) and checked for what the distributed topology needs — a
/// Deployment with a Dapr sidecar for every app-id in <see cref="ServiceAppIds"/> and every
/// service the code calls, the ports the binary listens on, its HTTP probes, non-root pods,
/// resources, Dapr components scoped to exactly the apps that use them, secrets by reference only;
/// the Kubernetes objects also go through Kubernetes' OpenAPI schemas (npm kubernetes-models).
/// Each test gathers every problem it finds and reports them together.
/// </summary>
public sealed partial class DeploymentManifestTests
{
    private static readonly GatewayOptions Defaults = new();

    public static TheoryData<string> Overlays => new() { "dev", "prod" };

    private static string DeployPath(params string[] parts) => System.IO.Path.Combine([RepositoryRoot.Path, "deploy", .. parts]);

    /// <summary>App-id → the module name it hosts (<c>DirectConnect:Modules</c>).</summary>
    private static Dictionary<string, string> ModuleByAppId => ServiceAppIds.ByService.ToDictionary(p => p.Value, p => p.Key);

    [Fact]
    public void ServiceAppIdsNameEveryModuleOnce()
    {
        Assert.Equal(["BorderGateways", "Gateway", "PhysicalConnections", "Routing", "VirtualInterfaces"], ServiceAppIds.ByService.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(5, ServiceAppIds.ByService.Values.Distinct(StringComparer.Ordinal).Count());
        Assert.All(ServiceAppIds.ByService.Values, id => Assert.Matches("^[a-z][a-z0-9-]*$", id));
    }

    [Fact]
    public void EveryServiceTheCodeCallsHasAnAppId()
    {
        var calls = ServiceCalls();
        Assert.NotEmpty(calls);
        Assert.All(calls.SelectMany(c => c.Value), service => Assert.True(ServiceAppIds.ByService.ContainsKey(service), $"The code calls service {service}, which ServiceAppIds does not name."));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EveryAppIdHasOneDaprDeploymentWithTheBinarysPorts(string overlay)
    {
        var objects = Render(overlay);
        var problems = new List<string>();
        var deployments = DaprDeployments(objects);
        var calls = ServiceCalls();
        var unknown = calls.Values.SelectMany(s => s).Where(s => !ServiceAppIds.ByService.ContainsKey(s)).Distinct().ToList();
        problems.AddRange(unknown.Select(s => $"the code calls service {s}, which has no app-id in ServiceAppIds (and so no Deployment)"));
        var required = ServiceAppIds.ByService.Values.Concat(calls.Values.SelectMany(s => s).Except(unknown).Select(ServiceAppIds.For)).ToHashSet(StringComparer.Ordinal);
        foreach (var appId in required)
        {
            var count = deployments.Count(d => d.AppId == appId);
            if (count != 1)
            {
                problems.Add($"app-id {appId}: {count} Deployments carry dapr.io/app-id {appId} (want exactly 1)");
            }
        }

        foreach (var (deployment, appId) in deployments)
        {
            var name = Str(deployment, "metadata", "name");
            if (!ModuleByAppId.TryGetValue(appId, out var module))
            {
                problems.Add($"Deployment {name}: app-id {appId} is not in ServiceAppIds");
                continue;
            }

            var annotations = Map(deployment, "spec", "template", "metadata", "annotations");
            Expect(problems, $"Deployment {name} dapr.io/enabled", "true", Str(annotations, "dapr.io/enabled"));
            Expect(problems, $"Deployment {name} dapr.io/app-port", Defaults.GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Str(annotations, "dapr.io/app-port"));
            Expect(problems, $"Deployment {name} dapr.io/app-protocol", "grpc", Str(annotations, "dapr.io/app-protocol"));
            Expect(problems, $"Deployment {name} dapr.io/config", "directconnect", Str(annotations, "dapr.io/config"));

            var container = Containers(deployment).Single();
            var env = Env(container);
            Expect(problems, $"Deployment {name} env DirectConnect__ListenAddress", "0.0.0.0", env.GetValueOrDefault("DirectConnect__ListenAddress"));
            Expect(problems, $"Deployment {name} env DirectConnect__Modules", module, env.GetValueOrDefault("DirectConnect__Modules"));
            Expect(problems, $"Deployment {name} env OTEL_SERVICE_NAME", $"directconnect-{appId}", env.GetValueOrDefault("OTEL_SERVICE_NAME"));
            var grpcPort = int.Parse(env.GetValueOrDefault("DirectConnect__GrpcPort") ?? Defaults.GrpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
            var restPort = int.Parse(env.GetValueOrDefault("DirectConnect__RestPort") ?? Defaults.RestPort.ToString(System.Globalization.CultureInfo.InvariantCulture), System.Globalization.CultureInfo.InvariantCulture);
            Expect(problems, $"Deployment {name} dapr.io/app-port (the process's gRPC port)", grpcPort.ToString(System.Globalization.CultureInfo.InvariantCulture), Str(annotations, "dapr.io/app-port"));

            // Every process listens on gRPC, REST (the probes' port) and metrics (for a scraper inside the cluster);
            // its Service exposes gRPC, and only the public edge's REST too: never the metrics.
            var ports = ContainerPorts(container);
            var metricsPort = int.TryParse(env.GetValueOrDefault("DirectConnect__MetricsPort"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var metrics) ? metrics : 0;
            if (metricsPort <= 0)
            {
                problems.Add($"Deployment {name}: env DirectConnect__MetricsPort is '{env.GetValueOrDefault("DirectConnect__MetricsPort") ?? "(missing)"}', want a port (Prometheus /metrics)");
            }

            var wantPorts = new Dictionary<string, int> { ["grpc"] = grpcPort, ["http"] = restPort, ["metrics"] = metricsPort };
            if (!ports.OrderBy(p => p.Key).SequenceEqual(wantPorts.OrderBy(p => p.Key)))
            {
                problems.Add($"Deployment {name}: container ports {Show(ports)}, want {Show(wantPorts)}");
            }

            var wantServicePorts = new Dictionary<string, int> { ["grpc"] = grpcPort };
            if (appId == ServiceAppIds.Gateway)
            {
                wantServicePorts["http"] = restPort;
            }

            var service = objects.SingleOrDefault(o => Str(o, "kind") == "Service" && Str(o, "metadata", "name") == name);
            if (service is null)
            {
                problems.Add($"Deployment {name}: no Service {name}");
            }
            else
            {
                var servicePorts = Seq(service, "spec", "ports").OfType<YamlMappingNode>().ToDictionary(p => Str(p, "name") ?? "", p => int.Parse(Str(p, "port") ?? "0", System.Globalization.CultureInfo.InvariantCulture));
                if (!servicePorts.OrderBy(p => p.Key).SequenceEqual(wantServicePorts.OrderBy(p => p.Key)))
                {
                    problems.Add($"Service {name}: ports {Show(servicePorts)}, want {Show(wantServicePorts)}");
                }
            }

            // Every service the hosted module calls is reached through the Dapr sidecar's gRPC proxy;
            // the gateway (the public edge) forwards to every service module.
            // The sidecar's gRPC API port is 50001 unless dapr.io/grpc-port moves it (DaprSource.SidecarPorts).
            var proxy = $"http://localhost:{DaprSource.SidecarPorts(Annotations(deployment), problems, $"Deployment {name}").Single(p => p.Name == "dapr-grpc").Port}";
            var called = appId == ServiceAppIds.Gateway
                ? ServiceAppIds.ByService.Keys.Where(s => s != nameof(ServiceAppIds.Gateway)).ToHashSet(StringComparer.Ordinal)
                : calls.GetValueOrDefault(module, []).Except(unknown).ToHashSet(StringComparer.Ordinal);
            foreach (var target in called)
            {
                Expect(problems, $"Deployment {name} env DirectConnect__Services__Addresses__{target}", proxy, env.GetValueOrDefault($"DirectConnect__Services__Addresses__{target}"));
                // ...which routes by the dapr-app-id each call carries (ServiceChannels / ModuleForwarding).
                Expect(problems, $"Deployment {name} env DirectConnect__Services__AppIds__{target}", ServiceAppIds.For(target), env.GetValueOrDefault($"DirectConnect__Services__AppIds__{target}"));
            }

            // Coordination through the sidecar: the Dapr adapter, this app's own store, the shared pub/sub, the AppCallback's token.
            Expect(problems, $"Deployment {name} env DirectConnect__Coordination__Adapter", "Dapr", env.GetValueOrDefault("DirectConnect__Coordination__Adapter"));
            Expect(problems, $"Deployment {name} env DirectConnect__Coordination__Dapr__StoreName", $"{appId}-state", env.GetValueOrDefault("DirectConnect__Coordination__Dapr__StoreName"));
            Expect(problems, $"Deployment {name} env DirectConnect__Coordination__Dapr__PubSubName", ServiceAppIds.PubSubComponent, env.GetValueOrDefault("DirectConnect__Coordination__Dapr__PubSubName"));
            if (!env.ContainsKey("APP_API_TOKEN") || Str(deployment, "spec", "template", "metadata", "annotations", "dapr.io/app-token-secret") is not { Length: > 0 })
            {
                problems.Add($"Deployment {name}: the AppCallback needs APP_API_TOKEN and the dapr.io/app-token-secret annotation");
            }

            foreach (var key in env.Keys.Where(k => k.StartsWith("DirectConnect__Services__Addresses__", StringComparison.Ordinal)))
            {
                var target = key["DirectConnect__Services__Addresses__".Length..];
                if (!ServiceAppIds.ByService.ContainsKey(target) || !deployments.Any(d => d.AppId == ServiceAppIds.For(target)))
                {
                    problems.Add($"Deployment {name}: {key} names a service with no Deployment");
                }
            }
        }

        // Whether the sidecars trace: SidecarTracesAreSampledOnlyWhenAnExporterTakesThem.
        if (!objects.Any(o => Str(o, "kind") == "Configuration" && Str(o, "apiVersion") == "dapr.io/v1alpha1" && Str(o, "metadata", "name") == "directconnect"))
        {
            problems.Add("no Dapr Configuration directconnect (the pods' dapr.io/config)");
        }

        Assert.True(problems.Count == 0, $"{overlay}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void DaprAccessControlAllowsExactlyTheCallsTheCodeMakesAndTheInternalApiDeclares(string overlay)
    {
        var objects = Render(overlay);
        var problems = new List<string>();
        var configuration = objects.Single(o => Str(o, "kind") == "Configuration" && Str(o, "metadata", "name") == "directconnect");
        var namespaceName = objects.Select(o => Str(o, "metadata", "namespace")).First(n => n is { Length: > 0 });
        Expect(problems, "accessControl.defaultAction", "deny", Str(configuration, "spec", "accessControl", "defaultAction"));

        // What each app-id must be able to invoke: the edge, every module's public services; a module,
        // the public services of the modules it calls on a caller's behalf, and the internal methods
        // of the modules it calls through the internal API that name it as a caller.
        var publicServices = Platform.Tenancy.MethodAccessCatalog.ContractServices()
            .Where(s => ModuleForwarding.ModuleOfService[s.FullName] != nameof(ServiceAppIds.Gateway))
            .GroupBy(s => ModuleForwarding.ModuleOfService[s.FullName])
            .ToDictionary(g => g.Key, g => g.Select(s => $"/{s.FullName}/*").ToArray(), StringComparer.Ordinal);
        var internalMethods = Platform.ServiceIdentity.InternalMethodCatalog.Services()
            .SelectMany(s => s.Methods)
            .ToArray();
        var expected = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal)
        {
            [ServiceAppIds.Gateway] = publicServices.Values.SelectMany(o => o).ToHashSet(StringComparer.Ordinal),
        };
        foreach (var (module, targets) in Calls(internalApi: false))
        {
            var set = expected.TryGetValue(ServiceAppIds.For(module), out var known) ? known : expected[ServiceAppIds.For(module)] = new HashSet<string>(StringComparer.Ordinal);
            set.UnionWith(targets.SelectMany(t => publicServices.GetValueOrDefault(t, [])));
        }

        foreach (var (module, targets) in Calls(internalApi: true))
        {
            var appId = ServiceAppIds.For(module);
            var set = expected.TryGetValue(appId, out var known) ? known : expected[appId] = new HashSet<string>(StringComparer.Ordinal);
            var reachable = internalMethods.Where(m => targets.Contains(Platform.ServiceIdentity.InternalMethodCatalog.ModuleOfService[m.Service.FullName])).ToArray();
            var allowed = reachable.Where(m => Platform.ServiceIdentity.InternalMethodCatalog.CallersOf(m).Contains(appId)).ToArray();
            if (allowed.Length == 0)
            {
                problems.Add($"{module} calls the internal API of {string.Join(", ", targets)}, but no internal method there names {appId} as a caller");
            }

            set.UnionWith(allowed.Select(m => $"/{m.Service.FullName}/{m.Name}"));
        }

        var policies = Seq(configuration, "spec", "accessControl", "policies").OfType<YamlMappingNode>().ToList();
        foreach (var policy in policies)
        {
            var appId = Str(policy, "appId") ?? "";
            Expect(problems, $"policy {appId} defaultAction", "deny", Str(policy, "defaultAction"));
            Expect(problems, $"policy {appId} namespace", namespaceName!, Str(policy, "namespace"));
            Expect(problems, $"policy {appId} trustDomain", Str(configuration, "spec", "accessControl", "trustDomain") ?? "public", Str(policy, "trustDomain"));
            var operations = Seq(policy, "operations").OfType<YamlMappingNode>().ToList();
            problems.AddRange(operations.Where(o => Str(o, "action") != "allow").Select(o => $"policy {appId} operation {Str(o, "name")}: action {Str(o, "action")}, want allow"));
            var allowed = operations.Select(o => Str(o, "name") ?? "").ToHashSet(StringComparer.Ordinal);
            var want = expected.GetValueOrDefault(appId, []);
            problems.AddRange(want.Except(allowed).Order().Select(o => $"policy {appId} does not allow {o}, which the code calls"));
            problems.AddRange(allowed.Except(want).Order().Select(o => $"policy {appId} allows {o}, which the code never calls"));
        }

        problems.AddRange(expected.Where(e => e.Value.Count > 0 && !policies.Any(p => Str(p, "appId") == e.Key))
            .Select(e => $"no policy for {e.Key}, which calls {string.Join(", ", e.Value.Order())}"));
        Assert.True(problems.Count == 0, $"{overlay}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EveryModuleProvesItsServiceIdentityFromASecretAndRequiresTheCallersAppId(string overlay)
    {
        var objects = Render(overlay);
        var problems = new List<string>();
        foreach (var (deployment, appId) in DaprDeployments(objects).Where(d => d.AppId != ServiceAppIds.Gateway))
        {
            var name = Str(deployment, "metadata", "name");
            var env = Seq(Containers(deployment).Single(), "env").OfType<YamlMappingNode>().ToDictionary(e => Str(e, "name")!, e => e);
            var key = env.GetValueOrDefault("DirectConnect__ServiceIdentity__Key");
            if (key is null || Str(key, "valueFrom", "secretKeyRef", "name") != "directconnect-service-identity" || Str(key, "valueFrom", "secretKeyRef", "key") is not { Length: > 0 })
            {
                problems.Add($"Deployment {name} ({appId}): DirectConnect__ServiceIdentity__Key must come from the Secret directconnect-service-identity");
            }

            Expect(problems, $"Deployment {name} env DirectConnect__ServiceIdentity__RequireDaprCallerAppId", "true",
                Str(env.GetValueOrDefault("DirectConnect__ServiceIdentity__RequireDaprCallerAppId"), "value"));
        }

        Assert.True(problems.Count == 0, $"{overlay}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EveryDeploymentHasProbesResourcesAndANonRootSecurityContext(string overlay)
    {
        var objects = Render(overlay);
        var problems = new List<string>();
        var deployments = objects.Where(o => Str(o, "kind") == "Deployment").ToList();
        Assert.NotEmpty(deployments);
        foreach (var deployment in deployments)
        {
            var name = Str(deployment, "metadata", "name");
            var dapr = Str(deployment, "spec", "template", "metadata", "annotations", "dapr.io/enabled") == "true";
            var pod = Map(deployment, "spec", "template", "spec");
            if (Str(pod, "securityContext", "runAsNonRoot") != "true")
            {
                problems.Add($"Deployment {name}: pod securityContext.runAsNonRoot is not true");
            }

            if (Str(pod, "securityContext", "runAsUser") == "0")
            {
                problems.Add($"Deployment {name}: pod runs as uid 0");
            }

            foreach (var container in Containers(deployment))
            {
                var where = $"Deployment {name} container {Str(container, "name")}";
                // The binary's HTTP probes (services/Platform/Hosting/ServiceDefaults.cs MapDefaultEndpoints), on its REST
                // port: liveness never depends on the store or the sidecar; readiness does.
                foreach (var (probe, path) in new[] { ("livenessProbe", "/healthz"), ("readinessProbe", "/readyz") })
                {
                    if (Node(container, probe) is not YamlMappingNode)
                    {
                        problems.Add($"{where}: no {probe}");
                    }
                    else if (dapr && (Str(container, probe, "httpGet", "path") != path || Str(container, probe, "httpGet", "port") is not { } port ||
                                      (port != "http" && port != ContainerPorts(container).GetValueOrDefault("http").ToString(System.Globalization.CultureInfo.InvariantCulture))))
                    {
                        problems.Add($"{where}: {probe} is not an HTTP GET of {path} on the http (REST) port");
                    }
                }

                foreach (var resource in new[] { "cpu", "memory" })
                {
                    if (Str(container, "resources", "requests", resource) is not { Length: > 0 })
                    {
                        problems.Add($"{where}: no resources.requests.{resource}");
                    }
                }

                if (Str(container, "resources", "limits", "memory") is not { Length: > 0 })
                {
                    problems.Add($"{where}: no resources.limits.memory");
                }

                var security = Map(container, "securityContext");
                if (Str(security, "runAsNonRoot") != "true" && Str(pod, "securityContext", "runAsNonRoot") != "true")
                {
                    problems.Add($"{where}: runAsNonRoot is not true");
                }

                if (Str(security, "runAsUser") == "0")
                {
                    problems.Add($"{where}: runs as uid 0");
                }

                Expect(problems, $"{where} securityContext.allowPrivilegeEscalation", "false", Str(security, "allowPrivilegeEscalation"));
                Expect(problems, $"{where} securityContext.readOnlyRootFilesystem", "true", Str(security, "readOnlyRootFilesystem"));
                var drop = Seq(security, "capabilities", "drop").OfType<YamlScalarNode>().Select(s => s.Value).ToList();
                if (!drop.Contains("ALL"))
                {
                    problems.Add($"{where}: capabilities.drop does not hold ALL");
                }

                if (Node(security, "privileged") is YamlScalarNode { Value: "true" })
                {
                    problems.Add($"{where}: privileged");
                }
            }
        }

        Assert.True(problems.Count == 0, $"{overlay}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void DaprComponentsAreScopedToTheAppsThatUseThem(string overlay)
    {
        var objects = Render(overlay);
        var problems = new List<string>();
        var appIds = DaprDeployments(objects).Select(d => d.AppId).ToHashSet(StringComparer.Ordinal);
        var components = objects.Where(o => Str(o, "kind") == "Component").ToList();
        foreach (var component in components)
        {
            var name = Str(component, "metadata", "name");
            Expect(problems, $"Component {name} apiVersion", "dapr.io/v1alpha1", Str(component, "apiVersion"));
            var scopes = Seq(component, "scopes").OfType<YamlScalarNode>().Select(s => s.Value!).ToList();
            if (scopes.Count == 0)
            {
                problems.Add($"Component {name} has no scopes: every app-id would load it");
            }

            problems.AddRange(scopes.Where(s => !appIds.Contains(s)).Select(s => $"Component {name} is scoped to {s}, which no Deployment is"));
            if (Str(component, "spec", "type") is not { Length: > 0 } || Str(component, "spec", "version") is not { Length: > 0 })
            {
                problems.Add($"Component {name}: spec.type and spec.version are required");
            }

            foreach (var item in Seq(component, "spec", "metadata").OfType<YamlMappingNode>())
            {
                var key = Str(item, "name") ?? "";
                var hasValue = Node(item, "value") is not null;
                var hasRef = Node(item, "secretKeyRef") is YamlMappingNode;
                if (hasValue == hasRef)
                {
                    problems.Add($"Component {name} metadata {key}: exactly one of value and secretKeyRef");
                }

                // Credentials come from Secrets; only dev's unauthenticated Redis may say "" inline.
                if (SecretLooking().IsMatch(key) && hasValue && Str(item, "value") is { Length: > 0 })
                {
                    problems.Add($"Component {name} metadata {key} carries an inline value: use secretKeyRef");
                }

                if (hasRef && Str(component, "auth", "secretStore") is not { Length: > 0 })
                {
                    problems.Add($"Component {name} metadata {key} uses secretKeyRef without auth.secretStore");
                }
            }
        }

        var pubsubs = components.Where(c => Str(c, "spec", "type")?.StartsWith("pubsub.", StringComparison.Ordinal) == true).ToList();
        var stores = components.Where(c => Str(c, "spec", "type")?.StartsWith("state.", StringComparison.Ordinal) == true).ToList();
        var pubsub = pubsubs.SingleOrDefault(c => Str(c, "metadata", "name") == ServiceAppIds.PubSubComponent);
        if (pubsub is null)
        {
            problems.Add($"no pub/sub component {ServiceAppIds.PubSubComponent}");
        }
        else
        {
            // Every process uses pub/sub: the services publish and subscribe, the gateway subscribes (watch feed).
            var scoped = Seq(pubsub, "scopes").OfType<YamlScalarNode>().Select(s => s.Value!).Order(StringComparer.Ordinal);
            if (!scoped.SequenceEqual(ServiceAppIds.ByService.Values.Order(StringComparer.Ordinal)))
            {
                problems.Add($"pub/sub {ServiceAppIds.PubSubComponent} is scoped to [{string.Join(", ", scoped)}], want every app-id");
            }
        }

        foreach (var appId in ServiceAppIds.ByService.Values)
        {
            var storeName = ServiceAppIds.StateStoreComponent(appId);
            var store = stores.SingleOrDefault(c => Str(c, "metadata", "name") == storeName);
            if (store is null)
            {
                problems.Add($"no state store {storeName} for {appId}");
                continue;
            }

            var scoped = Seq(store, "scopes").OfType<YamlScalarNode>().Select(s => s.Value!).ToList();
            if (!scoped.SequenceEqual([appId]))
            {
                problems.Add($"state store {storeName} is scoped to [{string.Join(", ", scoped)}], want only {appId}");
            }

            var metadata = Metadata(store);
            Expect(problems, $"state store {storeName} actorStateStore", "false", metadata.GetValueOrDefault("actorStateStore"));
            // The Dapr adapter keeps its own outbox in the store and relays it to each event's topic; Dapr's
            // component outbox would publish the raw state values as well, so it must be off.
            if (metadata.ContainsKey("outboxPublishPubsub") || metadata.ContainsKey("outboxPublishTopic"))
            {
                problems.Add($"state store {storeName} sets Dapr's component outbox; the adapter relays its own outbox");
            }
        }

        // The state stores' type, credentials and tables: EveryStateStoreIsPostgreSqlV2WithADatabaseCredentialAndTablesOfItsOwn.
        var pubsubType = overlay == "prod" ? "pubsub.kafka" : "pubsub.redis";
        problems.AddRange(pubsubs.Where(s => Str(s, "spec", "type") != pubsubType)
            .Select(s => $"pub/sub {Str(s, "metadata", "name")} is {Str(s, "spec", "type")}, want {pubsubType}"));
        if (overlay == "prod")
        {
            foreach (var key in new[] { "brokers", "saslUsername", "saslPassword" })
            {
                if (pubsub is not null && Node(MetadataItem(pubsub, key), "secretKeyRef") is not YamlMappingNode)
                {
                    problems.Add($"pub/sub {ServiceAppIds.PubSubComponent}: {key} is not a secretKeyRef");
                }
            }
        }

        // Resiliency policies name apps and components that exist.
        var resiliency = objects.SingleOrDefault(o => Str(o, "kind") == "Resiliency");
        if (resiliency is null)
        {
            problems.Add("no Dapr Resiliency");
        }
        else
        {
            var targetApps = Map(resiliency, "spec", "targets", "apps").Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value!).ToHashSet(StringComparer.Ordinal);
            problems.AddRange(ServiceAppIds.ByService.Values.Where(a => !targetApps.Contains(a)).Select(a => $"Resiliency has no policy for app {a}"));
            var componentNames = components.Select(c => Str(c, "metadata", "name")).ToHashSet(StringComparer.Ordinal);
            foreach (var target in Map(resiliency, "spec", "targets", "components").Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value!))
            {
                if (!componentNames.Contains(target))
                {
                    problems.Add($"Resiliency names component {target}, which does not exist");
                }
            }

            foreach (var policy in new[] { "timeouts", "retries", "circuitBreakers" })
            {
                if (Map(resiliency, "spec", "policies", policy).Children.Count == 0)
                {
                    problems.Add($"Resiliency has no {policy}");
                }
            }
        }

        Assert.True(problems.Count == 0, $"{overlay}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void SecretsAreReferencedNeverCommitted(string overlay)
    {
        var objects = Render(overlay);
        var problems = new List<string>();
        problems.AddRange(objects.Where(o => Str(o, "kind") == "Secret").Select(o => $"Secret {Str(o, "metadata", "name")} is committed in the manifests"));
        problems.AddRange(objects.Where(o => Str(o, "kind") == "ConfigMap" && Map(o, "data").Children.Keys.OfType<YamlScalarNode>().Any(k => SecretLooking().IsMatch(k.Value!)))
            .Select(o => $"ConfigMap {Str(o, "metadata", "name")} holds secret-looking keys"));

        // Every Secret the manifests reference is one the operator is told to create.
        var readme = File.ReadAllText(DeployPath("README.md"));
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var deployment in objects.Where(o => Str(o, "kind") == "Deployment"))
        {
            foreach (var container in Containers(deployment))
            {
                foreach (var variable in Seq(container, "env").OfType<YamlMappingNode>())
                {
                    if (SecretLooking().IsMatch(Str(variable, "name") ?? "") && Node(variable, "value") is not null)
                    {
                        problems.Add($"Deployment {Str(deployment, "metadata", "name")} env {Str(variable, "name")} has an inline value");
                    }

                    if (Str(variable, "valueFrom", "secretKeyRef", "name") is { } secret)
                    {
                        referenced.Add(secret);
                    }
                }
            }
        }

        foreach (var component in objects.Where(o => Str(o, "kind") == "Component"))
        {
            foreach (var item in Seq(component, "spec", "metadata").OfType<YamlMappingNode>())
            {
                if (Str(item, "secretKeyRef", "name") is { } secret)
                {
                    referenced.Add(secret);
                }
            }
        }

        Assert.Contains("directconnect-auth", referenced);
        problems.AddRange(referenced.Where(s => !readme.Contains(s, StringComparison.Ordinal)).Select(s => $"Secret {s} is referenced but deploy/README.md does not tell the operator to create it"));
        Assert.True(problems.Count == 0, $"{overlay}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void ReplicasAndDisruptionBudgetsFitTheOverlay(string overlay)
    {
        var objects = Render(overlay);
        var problems = new List<string>();
        var budgets = objects.Where(o => Str(o, "kind") == "PodDisruptionBudget").ToList();
        foreach (var (deployment, appId) in DaprDeployments(objects))
        {
            var replicas = int.Parse(Str(deployment, "spec", "replicas") ?? "1", System.Globalization.CultureInfo.InvariantCulture);
            var labels = Map(deployment, "spec", "template", "metadata", "labels");
            var covered = budgets.Any(b => Map(b, "spec", "selector", "matchLabels").Children.All(l => Str(labels, ((YamlScalarNode)l.Key).Value!) == ((YamlScalarNode)l.Value).Value));
            if (overlay == "prod")
            {
                if (replicas < 2)
                {
                    problems.Add($"{appId}: {replicas} replica(s), want 2 or more");
                }

                if (!covered)
                {
                    problems.Add($"{appId}: no PodDisruptionBudget selects its pods");
                }
            }
            else if (replicas != 1)
            {
                problems.Add($"{appId}: {replicas} replicas in dev, want 1");
            }
        }

        // dev brings its own PostgreSQL (the state stores) and Redis (the pub/sub).
        foreach (var backing in new[] { "postgres", "redis" })
        {
            if (overlay == "dev" && !objects.Any(o => Str(o, "kind") == "Deployment" && Str(o, "metadata", "name") == backing))
            {
                problems.Add($"dev has no {backing} Deployment");
            }
        }

        Assert.True(problems.Count == 0, $"{overlay}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task KubernetesObjectsMatchTheKubernetesSchemas(string overlay)
    {
        // kubernetes-models (pinned in package.json) validates against Kubernetes' OpenAPI schemas offline;
        // Dapr's CRDs have no schema there, and the other tests check their fields.
        var objects = Render(overlay);
        var json = new JsonArray(objects.Select(o => ToJson(o)).ToArray());
        var script = System.IO.Path.Combine(RepositoryRoot.Path, "tests", "DirectConnect.ContractTests", "validate-manifests.mjs");
        Assert.True(Directory.Exists(System.IO.Path.Combine(RepositoryRoot.Path, "node_modules", "kubernetes-models")), "kubernetes-models is not installed: run `npm ci` in the repository root (./test.sh does).");
        var start = new ProcessStartInfo("node", [script])
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(json.ToJsonString());
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        var lines = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(process.ExitCode == 0, $"{overlay}: objects the Kubernetes schemas reject:\n  " + string.Join("\n  ", lines.Where(l => !l.StartsWith("valid ", StringComparison.Ordinal) && !l.StartsWith("skipped ", StringComparison.Ordinal))) + "\n" + await error);
        Assert.Equal(objects.Count(o => Str(o, "apiVersion")?.EndsWith("dapr.io/v1alpha1", StringComparison.Ordinal) != true), lines.Count(l => l.StartsWith("valid ", StringComparison.Ordinal)));
    }

    /// <summary>A YAML node as JSON, with YAML's plain scalars typed (integers, booleans, null) as Kubernetes reads them.</summary>
    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(c => KeyValuePair.Create(((YamlScalarNode)c.Key).Value!, ToJson(c.Value)))),
        YamlSequenceNode sequence => new JsonArray(sequence.Children.Select(ToJson).ToArray()),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "true" or "false" } b => JsonValue.Create(b.Value == "true"),
        YamlScalarNode { Style: ScalarStyle.Plain, Value: "null" or "~" or "" } => null,
        YamlScalarNode { Style: ScalarStyle.Plain } n when long.TryParse(n.Value, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var integer) => JsonValue.Create(integer),
        YamlScalarNode scalar => JsonValue.Create(scalar.Value),
        _ => throw new InvalidOperationException($"Unexpected YAML node {node.NodeType}"),
    };

    [Fact]
    public void EveryProcessHasADockerfileThatMatchesItsDeployment()
    {
        var objects = Render("dev");
        var problems = new List<string>();
        foreach (var (deployment, appId) in DaprDeployments(objects))
        {
            var path = DeployPath("docker", $"{appId}.Dockerfile");
            if (!File.Exists(path))
            {
                problems.Add($"{appId}: no deploy/docker/{appId}.Dockerfile");
                continue;
            }

            var lines = JoinContinuations(File.ReadAllLines(path));
            var froms = lines.Where(l => l.StartsWith("FROM ", StringComparison.OrdinalIgnoreCase)).ToList();
            if (froms.Count < 2 || !froms[0].Contains("mcr.microsoft.com/dotnet/sdk:10.0", StringComparison.Ordinal) || !froms[^1].Contains("mcr.microsoft.com/dotnet/aspnet:10.0", StringComparison.Ordinal))
            {
                problems.Add($"{appId}.Dockerfile: not a multi-stage sdk:10.0 → aspnet:10.0 build ({string.Join(" | ", froms)})");
            }

            var runtime = lines.SkipWhile(l => l != froms[^1]).ToList();
            if (!runtime.Any(l => l.StartsWith("COPY --from=", StringComparison.OrdinalIgnoreCase)))
            {
                problems.Add($"{appId}.Dockerfile: the runtime stage copies nothing from the build stage");
            }

            var user = runtime.LastOrDefault(l => l.StartsWith("USER ", StringComparison.OrdinalIgnoreCase))?[5..].Trim();
            if (user is null || (user != "$APP_UID" && !(int.TryParse(user.Split(':')[0], out var uid) && uid > 0)))
            {
                problems.Add($"{appId}.Dockerfile: the runtime stage's USER is '{user}', want $APP_UID or a numeric non-zero uid");
            }

            var exposed = runtime.Where(l => l.StartsWith("EXPOSE ", StringComparison.OrdinalIgnoreCase))
                .SelectMany(l => l[7..].Split(' ', StringSplitOptions.RemoveEmptyEntries)).Select(p => int.Parse(p.Split('/')[0], System.Globalization.CultureInfo.InvariantCulture)).Order().ToList();
            var container = Containers(deployment).Single();
            var ports = ContainerPorts(container).Values.Order().ToList();
            if (!exposed.SequenceEqual(ports))
            {
                problems.Add($"{appId}.Dockerfile: EXPOSE {string.Join(' ', exposed)}, the Deployment's ports are {string.Join(' ', ports)}");
            }

            var module = ModuleByAppId[appId];
            var entrypoint = runtime.LastOrDefault(l => l.StartsWith("ENTRYPOINT ", StringComparison.OrdinalIgnoreCase)) ?? "";
            if (!entrypoint.Contains("\"DirectConnect.Gateway.dll\"", StringComparison.Ordinal) || !entrypoint.Contains($"\"--DirectConnect:Modules={module}\"", StringComparison.Ordinal))
            {
                problems.Add($"{appId}.Dockerfile: ENTRYPOINT '{entrypoint}' does not run DirectConnect.Gateway.dll with --DirectConnect:Modules={module}");
            }

            // The public edge serves the web console, which its build bundles with Node.js; the module images leave it out.
            var publish = lines.SingleOrDefault(l => l.StartsWith("RUN dotnet publish ", StringComparison.Ordinal)) ?? "";
            var withoutConsole = publish.Contains("-p:BuildConsole=false", StringComparison.Ordinal);
            if (module == "Gateway" && (withoutConsole || !lines.Any(l => l.StartsWith("RUN apt-get", StringComparison.Ordinal) && l.Contains(" nodejs npm", StringComparison.Ordinal))
                                        || !lines.Any(l => l.StartsWith("COPY ", StringComparison.Ordinal) && l.Contains("package-lock.json", StringComparison.Ordinal))))
            {
                problems.Add($"{appId}.Dockerfile: the edge's image must build the console: install nodejs npm, copy package.json and package-lock.json, publish without -p:BuildConsole=false");
            }
            else if (module != "Gateway" && !withoutConsole)
            {
                problems.Add($"{appId}.Dockerfile: '{publish}' builds the web console, which only the edge serves: add -p:BuildConsole=false");
            }

            var env = string.Join(' ', runtime.Where(l => l.StartsWith("ENV ", StringComparison.OrdinalIgnoreCase)));
            string[] settings =
            [
                $"DirectConnect__Modules={module}", "DirectConnect__ListenAddress=0.0.0.0", $"DirectConnect__GrpcPort={ContainerPorts(container)["grpc"]}",
                $"DirectConnect__MetricsPort={ContainerPorts(container).GetValueOrDefault("metrics")}",
            ];
            foreach (var setting in settings)
            {
                if (!env.Contains(setting, StringComparison.Ordinal))
                {
                    problems.Add($"{appId}.Dockerfile: no ENV {setting}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n  ", problems));
    }

    /// <summary>Module (the folder under services/, or Gateway) → the services its code calls through <c>ServiceChannels.For</c>.</summary>
    private static Dictionary<string, HashSet<string>> ServiceCalls() => Calls(internalApi: null);

    /// <summary>
    /// Module → the services its code calls through <c>ServiceChannels</c>: through <c>For</c> (the public
    /// API, on a caller's behalf) when <paramref name="internalApi"/> is false, through <c>Internal</c> when
    /// true, both when null.
    /// </summary>
    private static Dictionary<string, HashSet<string>> Calls(bool? internalApi)
    {
        var calls = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        var roots = Directory.GetDirectories(System.IO.Path.Combine(RepositoryRoot.Path, "services")).Select(d => (Module: System.IO.Path.GetFileName(d), Dir: d))
            .Append(("Gateway", System.IO.Path.Combine(RepositoryRoot.Path, "gateway")));
        foreach (var (module, dir) in roots)
        {
            foreach (var file in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains($"{System.IO.Path.DirectorySeparatorChar}obj{System.IO.Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
            {
                foreach (Match match in ChannelCall().Matches(File.ReadAllText(file)))
                {
                    if (internalApi is { } wanted && wanted != (match.Groups["api"].Value == "Internal"))
                    {
                        continue;
                    }

                    var service = match.Groups["literal"].Success ? match.Groups["literal"].Value : match.Groups["nameof"].Value.Split('.')[^1];
                    if (!calls.TryGetValue(module, out var set))
                    {
                        calls[module] = set = new HashSet<string>(StringComparer.Ordinal);
                    }

                    set.Add(service);
                }
            }
        }

        return calls;
    }

    [GeneratedRegex("""\.(?<api>For|Internal)\(\s*(?:"(?<literal>[A-Za-z]+)"|nameof\((?<nameof>[A-Za-z.]+)\))\s*[,)]""")]
    private static partial Regex ChannelCall();

    [GeneratedRegex("(?i)(password|secret|token|signingkey|signing-key|connectionstring|apikey)")]
    private static partial Regex SecretLooking();

    private static readonly Dictionary<string, List<YamlMappingNode>> Rendered = new(StringComparer.Ordinal);

    /// <summary>The objects <c>kubectl kustomize deploy/kustomize/overlays/&lt;overlay&gt;</c> renders.</summary>
    private static List<YamlMappingNode> Render(string overlay)
    {
        lock (Rendered)
        {
            if (Rendered.TryGetValue(overlay, out var cached))
            {
                return cached;
            }

            var start = new ProcessStartInfo("kubectl", ["kustomize", DeployPath("kustomize", "overlays", overlay)])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException("kubectl is not installed (or not on PATH): the deployment manifests cannot be rendered. Install kubectl (it renders offline with `kubectl kustomize`; ./test.sh installs Debian's kubernetes-client).", e);
            }

            using (process)
            {
                var error = process.StandardError.ReadToEndAsync();
                var output = process.StandardOutput.ReadToEnd();
                if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
                {
                    process.Kill();
                    throw new TimeoutException($"kubectl kustomize {overlay} did not finish within 2 minutes");
                }

                Assert.True(process.ExitCode == 0, $"kubectl kustomize {overlay} failed ({process.ExitCode}): {error.Result}");
                var stream = new YamlStream();
                stream.Load(new StringReader(output));
                var objects = stream.Documents.Select(d => d.RootNode).OfType<YamlMappingNode>().ToList();
                Assert.NotEmpty(objects);
                Rendered[overlay] = objects;
                return objects;
            }
        }
    }

    private static List<(YamlMappingNode Deployment, string AppId)> DaprDeployments(List<YamlMappingNode> objects) =>
        objects.Where(o => Str(o, "kind") == "Deployment" && Str(o, "spec", "template", "metadata", "annotations", "dapr.io/app-id") is not null)
            .Select(o => (o, Str(o, "spec", "template", "metadata", "annotations", "dapr.io/app-id")!)).ToList();

    private static IEnumerable<YamlMappingNode> Containers(YamlMappingNode deployment) => Seq(deployment, "spec", "template", "spec", "containers").OfType<YamlMappingNode>();

    private static Dictionary<string, int> ContainerPorts(YamlMappingNode container) =>
        Seq(container, "ports").OfType<YamlMappingNode>().ToDictionary(p => Str(p, "name") ?? "(unnamed)", p => int.Parse(Str(p, "containerPort") ?? "0", System.Globalization.CultureInfo.InvariantCulture));

    private static Dictionary<string, string?> Env(YamlMappingNode container) =>
        Seq(container, "env").OfType<YamlMappingNode>().ToDictionary(e => Str(e, "name")!, e => Str(e, "value"));

    private static Dictionary<string, string?> Metadata(YamlMappingNode component) =>
        Seq(component, "spec", "metadata").OfType<YamlMappingNode>().ToDictionary(m => Str(m, "name")!, m => Str(m, "value"));

    private static YamlMappingNode? MetadataItem(YamlMappingNode component, string name) =>
        Seq(component, "spec", "metadata").OfType<YamlMappingNode>().FirstOrDefault(m => Str(m, "name") == name);

    private static YamlNode? Node(YamlNode? node, params string[] path)
    {
        foreach (var key in path)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out node))
            {
                return null;
            }
        }

        return node;
    }

    private static string? Str(YamlNode? node, params string[] path) => (Node(node, path) as YamlScalarNode)?.Value;

    private static YamlMappingNode Map(YamlNode? node, params string[] path) => Node(node, path) as YamlMappingNode ?? new YamlMappingNode();

    private static IEnumerable<YamlNode> Seq(YamlNode? node, params string[] path) => (Node(node, path) as YamlSequenceNode)?.Children ?? [];

    private static void Expect(List<string> problems, string what, string want, string? got)
    {
        if (got != want)
        {
            problems.Add($"{what} is '{got ?? "(missing)"}', want '{want}'");
        }
    }

    private static string Show(Dictionary<string, int> ports) => "{" + string.Join(", ", ports.OrderBy(p => p.Key).Select(p => $"{p.Key}: {p.Value}")) + "}";

    private static List<string> JoinContinuations(string[] lines)
    {
        var joined = new List<string>();
        var current = "";
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (current.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                current += line[..^1] + " ";
                continue;
            }

            joined.Add(current + line);
            current = "";
        }

        return joined;
    }
}
