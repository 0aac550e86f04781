using System.Globalization;
using DirectConnect.Gateway.Hosting;
using DirectConnect.Platform.Hosting;
using YamlDotNet.RepresentationModel;

namespace DirectConnect.ContractTests;

/// <summary>
/// The manifests against what Dapr will do with them — the ports the injected sidecar opens, the
/// securityContext the injector gives it, how resiliency policies treat component errors, when
/// tracing exports — as read in Dapr's source (<see cref="DaprSource"/>, which names the versions and
/// files). Nothing here has run on a cluster.
/// </summary>
public sealed partial class DeploymentManifestTests
{
    [Theory]
    [MemberData(nameof(Overlays))]
    public void NoPortTheAppListensOnIsAPortItsDaprSidecarOpens(string overlay)
    {
        var objects = Render(overlay);
        var problems = new List<string>();
        foreach (var (deployment, appId) in DaprDeployments(objects))
        {
            var where = $"Deployment {Str(deployment, "metadata", "name")} ({appId})";
            var sidecar = DaprSource.SidecarPorts(Annotations(deployment), problems, where);
            problems.AddRange(sidecar.GroupBy(p => p.Port).Where(g => g.Count() > 1)
                .Select(g => $"{where}: daprd would open port {g.Key} twice: {string.Join("; ", g.Select(p => p.What))}"));

            // The binary listens on its gRPC and REST ports in every process (gateway/Hosting/GatewayApp.cs),
            // exposed or not, on InternalGrpcPort when one is configured, and on MetricsPort when set.
            var container = Containers(deployment).Single();
            var env = Env(container);
            var app = new Dictionary<int, string>();
            void Listens(int port, string what)
            {
                if (port > 0)
                {
                    app.TryAdd(port, what);
                }
            }

            Listens(Setting(env, "DirectConnect__GrpcPort", Defaults.GrpcPort), "the app's gRPC port (DirectConnect__GrpcPort)");
            Listens(Setting(env, "DirectConnect__RestPort", Defaults.RestPort), "the app's REST port (DirectConnect__RestPort)");
            Listens(Setting(env, "DirectConnect__InternalGrpcPort", Defaults.InternalGrpcPort), "the app's internal gRPC port (DirectConnect__InternalGrpcPort)");
            Listens(Setting(env, "DirectConnect__MetricsPort", 0), "the app's Prometheus metrics port (DirectConnect__MetricsPort)");
            foreach (var (name, port) in ContainerPorts(container))
            {
                Listens(port, $"container port {name}");
            }

            foreach (var port in sidecar.Where(p => app.ContainsKey(p.Port)))
            {
                problems.Add($"{where}: port {port.Port} is {app[port.Port]} and {port.What}: whichever binds second fails, so the pod never starts");
            }
        }

        Assert.True(problems.Count == 0, $"{overlay}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EveryPodMeetsTheRestrictedPodSecurityStandardWithItsInjectedSidecar(string overlay)
    {
        var objects = Render(overlay);
        var problems = new List<string>();
        var ns = objects.SingleOrDefault(o => Str(o, "kind") == "Namespace");
        Expect(problems, "Namespace pod-security.kubernetes.io/enforce", "restricted", Str(ns, "metadata", "labels", "pod-security.kubernetes.io/enforce"));
        var injector = DaprSource.InjectorSettingsIn(File.ReadAllText(DeployPath("README.md")));
        foreach (var deployment in objects.Where(o => Str(o, "kind") == "Deployment"))
        {
            var name = Str(deployment, "metadata", "name");
            var annotations = Annotations(deployment);
            var pod = Map(deployment, "spec", "template", "spec");
            var containers = Containers(deployment).Select(c => (Name: $"container {Str(c, "name")}", Security: Restricted.From(Map(c, "securityContext")), Ports: Seq(c, "ports").OfType<YamlMappingNode>().ToList())).ToList();
            if (DaprSource.IsTruthy(annotations.GetValueOrDefault("dapr.io/enabled")))
            {
                // The container the injector adds, as deploy/README.md has the operator install the injector.
                var daprd = DaprSource.Sidecar(annotations, injector);
                containers.Add(("injected container daprd", new Restricted(
                    Privileged: false, daprd.AllowPrivilegeEscalation, daprd.RunAsNonRoot, RunAsUser: null,
                    Drop: daprd.DropsAll ? ["ALL"] : [], Add: [], daprd.SeccompProfileType), []));
            }

            problems.AddRange(Restricted.Check($"{overlay} Deployment {name}", pod, containers));
        }

        Assert.True(problems.Count == 0, $"{overlay}:\n  " + string.Join("\n  ", problems)
            + "\n(the injector adds capabilities.drop [ALL] to daprd only when installed with dapr_sidecar_injector.sidecarDropALLCapabilities=true — dapr pkg/injector/patcher/sidecar_container.go; deploy/README.md's prerequisites must say so)");
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EveryImageIsPinnedAndItsPullPolicyIsExplicit(string overlay)
    {
        var objects = Render(overlay);
        var problems = new List<string>();
        foreach (var deployment in objects.Where(o => Str(o, "kind") == "Deployment"))
        {
            foreach (var container in Containers(deployment))
            {
                var where = $"Deployment {Str(deployment, "metadata", "name")} container {Str(container, "name")}";
                var image = Str(container, "image") ?? "";
                var (repository, tag, digest) = ImageReference(image);
                if (digest is null && tag is null)
                {
                    problems.Add($"{where}: image {image} has no tag (Kubernetes pulls :latest)");
                }
                else if (digest is null && tag == "latest")
                {
                    problems.Add($"{where}: image {image} is :latest, which names no particular build");
                }

                // Kubernetes' default policy depends on the tag (Always for :latest or none, else IfNotPresent):
                // say which one is meant.
                if (Str(container, "imagePullPolicy") is not ("Always" or "IfNotPresent" or "Never"))
                {
                    problems.Add($"{where}: imagePullPolicy '{Str(container, "imagePullPolicy") ?? "(default)"}', want Always, IfNotPresent or Never explicitly");
                }

                // The processes' images: dev loads builds tagged `dev` into the cluster; prod runs a release.
                if (overlay == "prod" && repository.EndsWith("directconnect/" + Str(container, "name"), StringComparison.Ordinal) && tag == "dev")
                {
                    problems.Add($"{where}: prod runs the development tag {image}; set a release tag (kustomize edit set image)");
                }
            }
        }

        Assert.True(problems.Count == 0, $"{overlay}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void SidecarTracesAreSampledOnlyWhenAnExporterTakesThem(string overlay)
    {
        var objects = Render(overlay);
        var problems = new List<string>();
        var configuration = objects.Single(o => Str(o, "kind") == "Configuration" && Str(o, "metadata", "name") == "directconnect");
        var rate = DaprSource.SamplingRate(Str(configuration, "spec", "tracing", "samplingRate"));
        if (rate is < 0 or > 1)
        {
            problems.Add($"spec.tracing.samplingRate {rate} is not between 0 and 1");
        }

        // dapr pkg/runtime/runtime.go setupTracing registers an exporter for stdout: true, a zipkin
        // endpointAddress, or an otel endpointAddress with protocol http|grpc; pkg/config/configuration.go
        // SetTracingSpecFromEnv also takes OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT from daprd's environment.
        var tracing = Map(configuration, "spec", "tracing");
        var exporter = Str(tracing, "stdout") == "true"
            || Str(tracing, "zipkin", "endpointAddress") is { Length: > 0 }
            || (Str(tracing, "otel", "endpointAddress") is { Length: > 0 } && Str(tracing, "otel", "protocol") is "http" or "grpc");
        var everyPodExportsByEnvironment = DaprDeployments(objects).All(d =>
            Annotations(d.Deployment).GetValueOrDefault("dapr.io/env", "").Split(',').Any(e => e.Split('=')[0].Trim() is "OTEL_EXPORTER_OTLP_ENDPOINT" or "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"));
        if (rate != 0 && !exporter && !everyPodExportsByEnvironment)
        {
            problems.Add($"the sidecars sample {rate} of all requests into spans that no exporter takes (set spec.tracing.otel endpointAddress and protocol, or samplingRate \"0\")");
        }

        Assert.True(problems.Count == 0, $"{overlay}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void EveryStateStoreIsPostgreSqlV2WithADatabaseCredentialAndTablesOfItsOwn(string overlay)
    {
        var objects = Render(overlay);
        var problems = new List<string>();
        var stores = objects.Where(o => Str(o, "kind") == "Component" && Str(o, "spec", "type")?.StartsWith("state.", StringComparison.Ordinal) == true).ToList();
        Assert.Equal(ServiceAppIds.ByService.Count, stores.Count);
        var credentials = new Dictionary<string, string>(StringComparer.Ordinal);
        var tables = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var store in stores)
        {
            var name = Str(store, "metadata", "name")!;
            // Our guarantees need what state.redis v1 lacks (contrib state/redis/redis.go): its Multi is a
            // MULTI/EXEC of Lua scripts, so a failed condition undoes nothing else; in Multi the set script gets
            // no first-write flag and version "0", so a create-only write overwrites an existing key; the set
            // script creates an absent key whatever ETag it is given; the delete script deletes an absent key
            // (no error) whatever the ETag. state.postgresql v2 (state/postgresql/v2/postgresql.go) runs a
            // transaction in one database transaction and checks every condition, so both overlays use it.
            if (Str(store, "spec", "type") != "state.postgresql" || Str(store, "spec", "version") != "v2")
            {
                problems.Add($"state store {name} is {Str(store, "spec", "type")} {Str(store, "spec", "version")}, want state.postgresql v2");
                continue;
            }

            var secret = Node(MetadataItem(store, "connectionString"), "secretKeyRef");
            if (secret is not YamlMappingNode)
            {
                problems.Add($"state store {name}: connectionString is not a secretKeyRef");
            }
            else if ($"{Str(secret, "name")}/{Str(secret, "key")}" is var credential && !credentials.TryAdd(credential, name))
            {
                problems.Add($"state stores {credentials[credential]} and {name} share the credential {credential}: each app needs its own database role");
            }

            // common/authentication/postgresql/metadata.go buildConnectionString: these metadata fields override
            // the connection string's, so they could point two stores at one database or role.
            problems.AddRange(ConnectionFields.Where(k => MetadataItem(store, k) is not null)
                .Select(k => $"state store {name}: metadata {k} overrides the connection string from its Secret"));

            // v2 keeps its rows in <tablePrefix>state and its migration bookkeeping in metadataTableName
            // (metadata.go: TableName, default "dapr_metadata"), spliced into SQL unquoted (postgresql.go), so
            // both must be plain identifiers; distinct per app, two stores never share a table even if an
            // operator points two Secrets at one database.
            var metadata = Metadata(store);
            foreach (var (key, table) in new[] { ("tablePrefix", (metadata.GetValueOrDefault("tablePrefix") ?? "") + "state"), ("metadataTableName", metadata.GetValueOrDefault("metadataTableName") ?? "dapr_metadata") })
            {
                if (!SqlTableName().IsMatch(table))
                {
                    problems.Add($"state store {name}: {key} gives table '{table}', not a plain (optionally schema-qualified) SQL identifier");
                }

                if (!tables.TryAdd(table, name))
                {
                    problems.Add($"state stores {tables[table]} and {name} share the table {table} ({key})");
                }
            }
        }

        Assert.True(problems.Count == 0, $"{overlay}:\n  " + string.Join("\n  ", problems));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public void DaprNeitherRetriesNorCountsALostStateRaceAndItsTimeoutsOutlastTheComponents(string overlay)
    {
        var objects = Render(overlay);
        var problems = new List<string>();
        var resiliency = objects.Single(o => Str(o, "kind") == "Resiliency");
        var components = objects.Where(o => Str(o, "kind") == "Component").ToList();
        var policies = Map(resiliency, "spec", "policies");
        var targets = Map(resiliency, "spec", "targets", "components");

        // A lost ETag race fails the store's Multi with an ordinary error, which dapr pkg/api/grpc/grpc.go
        // ExecuteStateTransaction runs through the component's outbound policy
        // (resiliency.ComponentOutboundPolicy(store, Statestore)). pkg/resiliency/policy.go retries every error
        // but a service invocation's CodeError (retry `matching` applies to those alone, retry.go), and
        // breaker/circuitbreaker.go counts every error as a failure (gobreaker without IsSuccessful). So any
        // retry or breaker on a state store would repeat and count lost races; the adapter retries them itself.
        foreach (var store in components.Where(c => Str(c, "spec", "type")?.StartsWith("state.", StringComparison.Ordinal) == true))
        {
            var name = Str(store, "metadata", "name")!;
            var outbound = Map(targets, name, "outbound");
            // With no target of its own a component takes the Default*Policy names (resiliency.go
            // getDefaultPolicy): a target keeps the state stores off them.
            if (Node(targets, name) is null)
            {
                problems.Add($"state store {name} has no Resiliency target: Dapr's default policies would apply to it");
            }

            if (Str(outbound, "retry") is { } retry)
            {
                problems.Add($"state store {name}: outbound retry {retry} would retry each lost ETag race");
            }

            if (Str(outbound, "circuitBreaker") is { } breaker)
            {
                problems.Add($"state store {name}: outbound circuit breaker {breaker} would count each lost ETag race as a failure");
            }
        }

        // resiliency.go getPolicyLevels: these names would apply to any state store that lacks a target.
        foreach (var (kind, template) in new[] { ("retries", "Default{0}RetryPolicy"), ("circuitBreakers", "Default{0}CircuitBreakerPolicy") })
        {
            foreach (var level in new[] { "", "Component", "ComponentOutbound", "StatestoreComponentOutbound" })
            {
                var policyName = string.Format(CultureInfo.InvariantCulture, template, level);
                if (Node(policies, kind, policyName) is not null)
                {
                    problems.Add($"Resiliency defines {policyName}, which applies to state stores");
                }
            }
        }

        // Each component's own timeouts fire before Dapr's, which would otherwise cut a call the component
        // still bounds (and, for a component that ignores the context, cannot cancel it at all).
        foreach (var component in components)
        {
            var name = Str(component, "metadata", "name")!;
            if (Str(Map(targets, name, "outbound"), "timeout") is not { } timeoutName)
            {
                problems.Add($"component {name} has no outbound timeout in the Resiliency");
                continue;
            }

            var timeout = DaprSource.Duration(Str(policies, "timeouts", timeoutName));
            var metadata = Metadata(component);
            var least = DaprSource.LeastResiliencyTimeout(Str(component, "spec", "type")!, Str(component, "spec", "version")!, metadata);
            if (timeout is null)
            {
                problems.Add($"component {name}: timeout policy {timeoutName} is not a duration");
            }
            else if (least is null)
            {
                problems.Add($"component {name}: no entry for {Str(component, "spec", "type")} in DaprSource.LeastResiliencyTimeout (read the component's source for its own timeouts)");
            }
            else if (timeout < least.Value.Least)
            {
                problems.Add($"component {name}: Resiliency timeout {timeoutName} = {timeout.Value.TotalSeconds}s, want at least {(least.Value.Least == TimeSpan.MaxValue ? "a bounded component" : least.Value.Least.TotalSeconds + "s")}: {least.Value.Why}");
            }

            // sarama v1.48.1 config.go: Producer.Timeout (10s) is how long the broker waits for acks=all; a
            // shorter client readTimeout gives up on the answer first.
            if (Str(component, "spec", "type") == "pubsub.kafka" && DaprSource.Duration(metadata.GetValueOrDefault("readTimeout")) is { } read && read <= TimeSpan.FromSeconds(10))
            {
                problems.Add($"component {name}: readTimeout {read.TotalSeconds}s does not outlast sarama's Producer.Timeout (10s)");
            }
        }

        Assert.True(problems.Count == 0, $"{overlay}:\n  " + string.Join("\n  ", problems));
    }

    /// <summary>state.postgresql v2 metadata that overrides a field of the connection string.</summary>
    private static readonly string[] ConnectionFields = ["host", "hostaddr", "port", "database", "user", "password"];

    [System.Text.RegularExpressions.GeneratedRegex("^(?:[a-z_][a-z0-9_]*\\.)?[a-z_][a-z0-9_]*$")]
    private static partial System.Text.RegularExpressions.Regex SqlTableName();

    private static Dictionary<string, string> Annotations(YamlMappingNode deployment) =>
        Map(deployment, "spec", "template", "metadata", "annotations").Children
            .ToDictionary(a => ((YamlScalarNode)a.Key).Value!, a => (a.Value as YamlScalarNode)?.Value ?? "", StringComparer.Ordinal);

    private static int Setting(Dictionary<string, string?> env, string name, int fallback) =>
        env.GetValueOrDefault(name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    /// <summary>repository, tag, digest of an image reference (a registry's :port is not a tag).</summary>
    private static (string Repository, string? Tag, string? Digest) ImageReference(string image)
    {
        var at = image.IndexOf('@', StringComparison.Ordinal);
        var digest = at >= 0 ? image[(at + 1)..] : null;
        var name = at >= 0 ? image[..at] : image;
        var colon = name.LastIndexOf(':');
        return colon > name.LastIndexOf('/') ? (name[..colon], name[(colon + 1)..], digest) : (name, null, digest);
    }

    /// <summary>
    /// A container's securityContext as the restricted Pod Security Standard reads it
    /// (kubernetes.io/docs/concepts/security/pod-security-standards, "Restricted", which includes "Baseline").
    /// </summary>
    private sealed record Restricted(bool Privileged, bool? AllowPrivilegeEscalation, bool? RunAsNonRoot, long? RunAsUser, string[] Drop, string[] Add, string? SeccompProfileType)
    {
        private static readonly string[] HostNamespaces = ["hostNetwork", "hostPID", "hostIPC"];

        private static readonly string[] AllowedVolumes = ["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"];

        public static Restricted From(YamlMappingNode security) => new(
            Str(security, "privileged") == "true",
            Bool(Str(security, "allowPrivilegeEscalation")),
            Bool(Str(security, "runAsNonRoot")),
            Str(security, "runAsUser") is { } user ? long.Parse(user, CultureInfo.InvariantCulture) : null,
            Seq(security, "capabilities", "drop").OfType<YamlScalarNode>().Select(s => s.Value!).ToArray(),
            Seq(security, "capabilities", "add").OfType<YamlScalarNode>().Select(s => s.Value!).ToArray(),
            Str(security, "seccompProfile", "type"));

        private static bool? Bool(string? value) => value is null ? null : value == "true";

        public static IEnumerable<string> Check(string where, YamlMappingNode pod, IEnumerable<(string Name, Restricted Security, List<YamlMappingNode> Ports)> containers)
        {
            foreach (var host in HostNamespaces.Where(h => Str(pod, h) == "true"))
            {
                yield return $"{where}: {host}";
            }

            foreach (var volume in Seq(pod, "volumes").OfType<YamlMappingNode>())
            {
                var type = volume.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value!).FirstOrDefault(k => k != "name");
                if (type is null || !AllowedVolumes.Contains(type))
                {
                    yield return $"{where}: volume {Str(volume, "name")} of type {type} is not allowed";
                }
            }

            var podNonRoot = Str(pod, "securityContext", "runAsNonRoot") == "true";
            var podUser = Str(pod, "securityContext", "runAsUser");
            var podSeccomp = Str(pod, "securityContext", "seccompProfile", "type");
            foreach (var (name, security, ports) in containers)
            {
                var at = $"{where} {name}";
                if (security.Privileged)
                {
                    yield return $"{at}: privileged";
                }

                if (security.AllowPrivilegeEscalation != false)
                {
                    yield return $"{at}: allowPrivilegeEscalation is not false";
                }

                // Set on the container, runAsNonRoot overrides the pod's.
                if (!(security.RunAsNonRoot ?? podNonRoot))
                {
                    yield return $"{at}: runAsNonRoot is not true (container {security.RunAsNonRoot?.ToString() ?? "unset"}, pod {podNonRoot})";
                }

                if (security.RunAsUser == 0 || (security.RunAsUser is null && podUser == "0"))
                {
                    yield return $"{at}: runs as uid 0";
                }

                if (!security.Drop.Contains("ALL"))
                {
                    yield return $"{at}: capabilities.drop does not hold ALL";
                }

                if (security.Add.Any(c => c != "NET_BIND_SERVICE"))
                {
                    yield return $"{at}: adds capabilities {string.Join(", ", security.Add)}";
                }

                if ((security.SeccompProfileType ?? podSeccomp) is not ("RuntimeDefault" or "Localhost"))
                {
                    yield return $"{at}: seccompProfile is '{security.SeccompProfileType ?? podSeccomp ?? "(none)"}', want RuntimeDefault or Localhost";
                }

                foreach (var port in ports.Where(p => Str(p, "hostPort") is { } hostPort && hostPort != "0"))
                {
                    yield return $"{at}: hostPort {Str(port, "hostPort")}";
                }
            }
        }
    }
}
