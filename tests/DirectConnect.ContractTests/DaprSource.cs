using System.Globalization;

namespace DirectConnect.ContractTests;

/// <summary>
/// What Dapr does with the manifests, as read in Dapr's own source — no cluster and no daprd run
/// here, so this is the model the deployment test checks the manifests against. Each fact names the
/// file it comes from, so that the next reader can check it again (and again after a Dapr upgrade):
/// <list type="bullet">
/// <item>dapr/dapr v1.18.3, commit 2dcf2e3548faf3c740b3d29ee300e2132db65cff ("dapr");</item>
/// <item>dapr/components-contrib v1.18.4, commit 58a792451a050605301ff05cdff5e6ff2ad79143, the version
/// dapr v1.18.3's go.mod requires ("contrib");</item>
/// <item>IBM/sarama v1.48.1, commit 21ec56a94abf6338c64709235a46f4903038ea1d, the version contrib
/// v1.18.4's go.mod requires (its Kafka client).</item>
/// </list>
/// </summary>
internal static class DaprSource
{
    /// <summary>
    /// dapr/kit strings/strings.go IsTruthy, which the injector uses for boolean annotations
    /// (dapr pkg/injector/patcher/sidecar.go setValueFromString).
    /// </summary>
    public static bool IsTruthy(string? value) =>
        value?.Trim().ToLowerInvariant() is "y" or "yes" or "true" or "t" or "on" or "1";

    /// <summary>A TCP port the injected daprd container listens on, and where that comes from.</summary>
    public sealed record SidecarPort(int Port, string Name, string What);

    /// <summary>
    /// Every TCP port daprd opens in a pod with these annotations. The app shares the pod's network
    /// namespace, so none of them may be a port the app listens on: whichever of the two binds second
    /// fails (daprd binds its metrics port on 0.0.0.0, dapr pkg/metrics/options.go defaultMetricsAddress;
    /// a loopback-only listener of one and a 0.0.0.0 listener of the other collide just the same).
    /// daprd itself only refuses an app port equal to its HTTP or gRPC API port
    /// (dapr pkg/runtime/config.go, "conflicts with 'app-port'"), never its metrics port.
    /// </summary>
    public static IReadOnlyList<SidecarPort> SidecarPorts(IReadOnlyDictionary<string, string> annotations, List<string> problems, string where)
    {
        int Port(string annotation, int fallback)
        {
            if (!annotations.TryGetValue(annotation, out var text))
            {
                return fallback;
            }

            if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var port) && port is > 0 and < 65536)
            {
                return port;
            }

            problems.Add($"{where}: annotation {annotation} is '{text}', not a port");
            return fallback;
        }

        var ports = new List<SidecarPort>
        {
            // dapr pkg/injector/patcher/sidecar.go: SidecarHTTPPort `default:"3500"` has no annotation;
            // sidecar_container.go passes it as --dapr-http-port.
            new(3500, "dapr-http", "daprd HTTP API (--dapr-http-port; fixed by the injector)"),
            // sidecar.go: SidecarPublicPort `default:"3501"`, no annotation; --dapr-public-port. daprd's
            // own readiness (/v1.0/healthz) and liveness probes use it (sidecar_container.go).
            new(3501, "dapr-public", "daprd public health port (--dapr-public-port; fixed by the injector)"),
            // sidecar.go: `annotation:"dapr.io/grpc-port" default:"50001"` (an annotation since Dapr 1.15).
            new(Port("dapr.io/grpc-port", 50001), "dapr-grpc", "daprd gRPC API and gRPC proxy (dapr.io/grpc-port, default 50001)"),
            // sidecar.go: `annotation:"dapr.io/internal-grpc-port" default:"50002"`: sidecar-to-sidecar calls.
            new(Port("dapr.io/internal-grpc-port", 50002), "dapr-internal", "daprd internal gRPC (dapr.io/internal-grpc-port, default 50002)"),
        };

        // sidecar.go: `annotation:"dapr.io/enable-metrics" default:"true"`, `annotation:"dapr.io/metrics-port"
        // default:"9090"`; sidecar_container.go passes --enable-metrics --metrics-port only when metrics are
        // enabled. Turned off, daprd keeps its own flag defaults — pkg/metrics/options.go defaultMetricsEnabled
        // = true, defaultMetricsPort = "9090" — so it still serves metrics, on 9090 whatever dapr.io/metrics-port says.
        var metricsEnabled = !annotations.TryGetValue("dapr.io/enable-metrics", out var enabled) || IsTruthy(enabled);
        ports.Add(metricsEnabled
            ? new(Port("dapr.io/metrics-port", 9090), "dapr-metrics", "daprd metrics (dapr.io/metrics-port, default 9090)")
            : new(9090, "dapr-metrics", "daprd metrics (dapr.io/enable-metrics is off, so daprd's own default: on, port 9090)"));

        // sidecar.go: `annotation:"dapr.io/enable-debug"`, `annotation:"dapr.io/debug-port" default:"40000"`
        // (dlv --listen, sidecar_container.go).
        if (annotations.TryGetValue("dapr.io/enable-debug", out var debug) && IsTruthy(debug))
        {
            ports.Add(new(Port("dapr.io/debug-port", 40000), "dapr-debug", "dlv debugger (dapr.io/debug-port, default 40000)"));
        }

        // sidecar.go: `annotation:"dapr.io/enable-profiling"`; sidecar_container.go passes only
        // --enable-profiling, so daprd listens on its default --profile-port, pkg/runtime/config.go
        // DefaultProfilePort = 7777 (pkg/api/http/server.go starts it).
        if (annotations.TryGetValue("dapr.io/enable-profiling", out var profiling) && IsTruthy(profiling))
        {
            ports.Add(new(7777, "dapr-profiling", "daprd profiling (dapr.io/enable-profiling; port fixed at 7777)"));
        }

        return ports;
    }

    /// <summary>The injector's cluster-wide settings (Helm values of the dapr_sidecar_injector chart) that shape every injected daprd.</summary>
    public sealed record InjectorSettings(bool SidecarRunAsNonRoot, bool SidecarDropAllCapabilities);

    /// <summary>
    /// The injector's settings as deploy/README.md's "Prerequisites" section tells the operator to
    /// install Dapr: a Helm <c>--set dapr_sidecar_injector.&lt;value&gt;=…</c> there overrides the chart's default
    /// (dapr charts/dapr/charts/dapr_sidecar_injector/values.yaml: sidecarRunAsNonRoot: true,
    /// sidecarDropALLCapabilities: false; charts/dapr/README.md documents both).
    /// </summary>
    public static InjectorSettings InjectorSettingsIn(string readme)
    {
        var start = readme.IndexOf("\n## Prerequisites", StringComparison.Ordinal);
        var end = start < 0 ? -1 : readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var prerequisites = start < 0 ? "" : end < 0 ? readme[start..] : readme[start..end];
        bool Value(string name, bool chartDefault)
        {
            var marker = $"dapr_sidecar_injector.{name}=";
            var at = prerequisites.IndexOf(marker, StringComparison.Ordinal);
            if (at < 0)
            {
                return chartDefault;
            }

            var value = new string(prerequisites[(at + marker.Length)..].TakeWhile(char.IsLetter).ToArray());
            return IsTruthy(value);
        }

        return new InjectorSettings(Value("sidecarRunAsNonRoot", chartDefault: true), Value("sidecarDropALLCapabilities", chartDefault: false));
    }

    /// <summary>The securityContext of the daprd container the injector adds, as the restricted profile sees it.</summary>
    public sealed record SidecarSecurity(bool AllowPrivilegeEscalation, bool? RunAsNonRoot, bool DropsAll, string? SeccompProfileType);

    /// <summary>
    /// dapr pkg/injector/patcher/sidecar_container.go getSidecarContainer: allowPrivilegeEscalation
    /// false; runAsNonRoot = the injector's sidecarRunAsNonRoot, set explicitly on the container (so it
    /// overrides the pod's), and forced to false when daprd's env holds SSL_CERT_DIR (dapr.io/env or
    /// dapr.io/env-from-secret); capabilities drop ALL only with sidecarDropALLCapabilities — there is no
    /// per-pod annotation for it (sidecar.go's SidecarDropALLCapabilities has no annotation tag); a
    /// seccompProfile only from dapr.io/sidecar-seccomp-profile-type (otherwise the pod's applies).
    /// </summary>
    public static SidecarSecurity Sidecar(IReadOnlyDictionary<string, string> annotations, InjectorSettings injector)
    {
        var env = annotations.GetValueOrDefault("dapr.io/env", "") + "," + annotations.GetValueOrDefault("dapr.io/env-from-secret", "");
        var sslCertDir = env.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(e => e.Split('=')[0].Trim() == "SSL_CERT_DIR");
        return new SidecarSecurity(
            AllowPrivilegeEscalation: false,
            RunAsNonRoot: !sslCertDir && injector.SidecarRunAsNonRoot,
            DropsAll: injector.SidecarDropAllCapabilities,
            SeccompProfileType: annotations.GetValueOrDefault("dapr.io/sidecar-seccomp-profile-type"));
    }

    /// <summary>
    /// The sampling rate daprd uses for a Configuration's spec.tracing.samplingRate: dapr
    /// pkg/diagnostics/utils/trace_utils.go GetTraceSamplingRate parses it and falls back to
    /// defaultSamplingRate = 1e-4 when it does not parse (absent included); IsTracingEnabled is rate != 0.
    /// </summary>
    public static double SamplingRate(string? configured) =>
        double.TryParse(configured, NumberStyles.Float, CultureInfo.InvariantCulture, out var rate) ? rate : 1e-4;

    /// <summary>A Go duration or a plain number of seconds (kit metadata decoding accepts both), e.g. "5s", "1m30s", "20".</summary>
    public static TimeSpan? Duration(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
        {
            return TimeSpan.FromSeconds(seconds);
        }

        var total = TimeSpan.Zero;
        foreach (System.Text.RegularExpressions.Match part in System.Text.RegularExpressions.Regex.Matches(text, @"(\d+(?:\.\d+)?)(ms|h|m|s)"))
        {
            var value = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch
            {
                "h" => TimeSpan.FromHours(value),
                "m" => TimeSpan.FromMinutes(value),
                "s" => TimeSpan.FromSeconds(value),
                _ => TimeSpan.FromMilliseconds(value),
            };
        }

        return total == TimeSpan.Zero ? null : total;
    }

    /// <summary>
    /// How long one outbound call of a component can take by the component's own timeouts, and the
    /// least Dapr's resiliency timeout for it must be so that those fire first (<c>null</c>: no entry for
    /// this component type — read its source and add one). <paramref name="metadata"/> is the
    /// component's spec.metadata (name → value).
    /// </summary>
    public static (TimeSpan Least, string Why)? LeastResiliencyTimeout(string type, string version, IReadOnlyDictionary<string, string?> metadata)
    {
        TimeSpan Meta(string name, TimeSpan fallback) => Duration(metadata.GetValueOrDefault(name)) ?? fallback;

        switch (type, version)
        {
            case ("state.postgresql", "v2"):
            {
                // contrib state/postgresql/v2/metadata.go: `timeout`, defaultTimeout = 20s. postgresql.go: Multi
                // runs two or more operations through common/component/postgresql/transactions/transactions.go
                // ExecuteInTransaction, which gives Begin and Commit each that timeout (and the rollback a fresh
                // one derived from the caller's context). Dapr's timeout cancels that context: if it fired
                // first, the component's rollback would start on a cancelled context. So at least twice.
                var timeout = Meta("timeout", TimeSpan.FromSeconds(20));
                return (2 * timeout, $"twice the component's timeout {timeout.TotalSeconds}s (transaction Begin and Commit each get it)");
            }

            case ("pubsub.redis", _):
            {
                // contrib pubsub/redis/redis.go Publish: XAdd(ctx, …) honours the context; the client's own
                // per-command bounds are readTimeout (pubsub/redis/metadata.yaml default 3s) and writeTimeout
                // (default: readTimeout).
                var read = Meta("readTimeout", TimeSpan.FromSeconds(3));
                var write = Meta("writeTimeout", read);
                return (read + write, $"the client's write and read timeouts ({write.TotalSeconds}s + {read.TotalSeconds}s)");
            }

            case ("pubsub.kafka", _):
            {
                // contrib common/component/kafka/producer.go: Publish(_ context.Context, …) ignores the context,
                // so Dapr's timeout cannot stop a send, only stop waiting for it — and a retry after it would
                // send again while the first send may still land. One SendMessage is bounded by sarama's own
                // timeouts, which contrib sets from metadata (common/component/kafka/kafka.go; defaults in
                // metadata.go mirror sarama v1.48.1 config.go NewConfig: Net dial/read/write 30s; producerRetryMax
                // 5): a metadata refresh (metadataTimeout; 0 = sarama's default, "disabled", up to
                // Net.[Dial|Read]Timeout × brokers × 4 — config.go), then producerRetryMax + 1 attempts of dial +
                // write + read, with sarama's Producer.Retry.Backoff (100ms, config.go) between them.
                var metadataTimeout = Meta("metadataTimeout", TimeSpan.Zero);
                if (metadataTimeout == TimeSpan.Zero)
                {
                    return (TimeSpan.MaxValue, "no metadataTimeout: sarama's metadata refresh has no bound of its own short of Net timeouts × brokers × 4");
                }

                var retries = int.TryParse(metadata.GetValueOrDefault("producerRetryMax"), NumberStyles.None, CultureInfo.InvariantCulture, out var r) ? r : 5;
                var attempt = Meta("dialTimeout", TimeSpan.FromSeconds(30)) + Meta("writeTimeout", TimeSpan.FromSeconds(30)) + Meta("readTimeout", TimeSpan.FromSeconds(30));
                var least = metadataTimeout + ((retries + 1) * attempt) + (retries * TimeSpan.FromMilliseconds(100));
                return (least, $"metadataTimeout {metadataTimeout.TotalSeconds}s + {retries + 1} attempt(s) × (dial + write + read) {attempt.TotalSeconds}s + backoff");
            }

            default:
                return null;
        }
    }
}
