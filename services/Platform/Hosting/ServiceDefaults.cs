using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Idempotency;
using DirectConnect.Platform.RateLimiting;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.ServiceIdentity;
using DirectConnect.Platform.Telemetry;
using DirectConnect.Platform.Tenancy;
using Grpc.AspNetCore.Server;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace DirectConnect.Platform.Hosting;

/// <summary>
/// What every DirectConnect process shares (in the spirit of eShop's ServiceDefaults): gRPC with
/// the error interceptor, the region catalog, the request ledger and optimistic transactions, OpenTelemetry metrics, and traces with OTLP export only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (no activities at all by default), and the probes (gRPC health, <c>/healthz</c>, <c>/readyz</c>).
/// </summary>
public static class ServiceDefaults
{
    /// <summary>The length-prefixed message framing of gRPC: 1 compression flag byte and a 4-byte length.</summary>
    internal const int GrpcFrameHeaderBytes = 5;

    /// <summary>The meter every module records its metrics on.</summary>
    public const string MeterName = "DirectConnect";

    /// <summary>Adds the shared defaults to <paramref name="builder"/>.</summary>
    public static IHostApplicationBuilder AddServiceDefaults(this IHostApplicationBuilder builder, string serviceName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The console writes what is logged with unsafe characters escaped (request text is echoed into logs);
        // an explicitly chosen formatter other than the default "simple" one is left alone.
        builder.Logging.AddConsoleFormatter<EscapingConsoleFormatter, SimpleConsoleFormatterOptions>();
        builder.Services.PostConfigure<ConsoleLoggerOptions>(options =>
        {
            if (options.FormatterName is null || string.Equals(options.FormatterName, ConsoleFormatterNames.Simple, StringComparison.OrdinalIgnoreCase))
            {
                options.FormatterName = EscapingConsoleFormatter.FormatterName;
            }
        });
        // One size limit for both transports: a gRPC message and a REST body. RequestAdmission refuses a larger
        // request with the API's status before it is read; these limits are the transports' own backstop.
        var limits = builder.Configuration.GetSection(RequestLimitOptions.Section).Get<RequestLimitOptions>() ?? new RequestLimitOptions();
        var maxRequestBytes = limits.Validated();
        builder.Services.Configure<RequestLimitOptions>(builder.Configuration.GetSection(RequestLimitOptions.Section));
        // A gRPC request's body is its message plus the 5-byte frame header: a message at the limit must fit.
        builder.Services.Configure<KestrelServerOptions>(kestrel => kestrel.Limits.MaxRequestBodySize = maxRequestBytes + GrpcFrameHeaderBytes);
        builder.Services.AddGrpc(options =>
        {
            // One interceptor: metrics see the code the client gets; errors become statuses; who may call (the
            // method's declared access) is asked before the method runs. The rate limit and the size limit ran
            // before, in RequestAdmission, ahead of any parsing. Registered as a singleton below, so gRPC takes
            // that one instead of creating an interceptor for every call.
            options.Interceptors.Add<ErrorInterceptor>();
            // Failures are mapped by ErrorInterceptor; never send exception text to clients.
            options.EnableDetailedErrors = false;
            options.MaxReceiveMessageSize = maxRequestBytes;
        });
        // A compressed message is measured again as it is decompressed: its frame may fit while its content does not.
        builder.Services.PostConfigure<GrpcServiceOptions>(options =>
        {
            for (var i = 0; i < options.CompressionProviders.Count; i++)
            {
                options.CompressionProviders[i] = MessageSizeLimit.Bounded(options.CompressionProviders[i], maxRequestBytes);
            }
        });
        builder.Services.Configure<RegionOptions>(builder.Configuration.GetSection("DirectConnect"));
        builder.Services.TryAddSingleton<RegionCatalog>();
        builder.Services.TryAddSingleton<MethodAccessCatalog>();
        builder.Services.TryAddSingleton<MethodAccess>();
        builder.Services.TryAddSingleton<ErrorInterceptor>();
        builder.Services.Configure<RateLimitOptions>(builder.Configuration.GetSection(RateLimitOptions.Section));
        builder.Services.TryAddSingleton<AccountRateLimiter>();
        builder.Services.TryAddSingleton<RpcMetrics>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<RequestLedger>();
        builder.Services.TryAddSingleton<OptimisticTransaction>();
        builder.Services.Configure<ServiceEndpointOptions>(builder.Configuration.GetSection(ServiceEndpointOptions.Section));
        builder.Services.TryAddSingleton<ServiceChannels>();
        builder.Services.AddServiceIdentity(builder.Configuration);
        // gRPC health answers as /healthz does (the process is up); /readyz adds what the work needs (the coordination
        // adapter's checks). By default grpc-dotnet would fold every registered check into the "" service.
        builder.Services.AddGrpcHealthChecks(health =>
            {
                health.Services.Clear();
                health.Services.Map("", check => check.Tags.Contains(HealthTags.Live));
            })
            .AddCheck("self", () => HealthCheckResult.Healthy("the process is up"), [HealthTags.Live]);

        // OTEL_SERVICE_NAME (or service.name in OTEL_RESOURCE_ATTRIBUTES), which the SDK's resource detectors read,
        // names the process when set, as the OpenTelemetry specification has it; else the name given here.
        var namedByEnvironment = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_SERVICE_NAME"]) ||
            (builder.Configuration["OTEL_RESOURCE_ATTRIBUTES"] ?? "").Split(',').Any(a => a.Trim().StartsWith("service.name=", StringComparison.Ordinal));
        // Traces only when they go somewhere: without an exporter every request would still get its activity, tags and
        // client spans, for nobody (a host with an exporter of its own adds these sources with AddDirectConnectTracing).
        var exporting = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                if (!namedByEnvironment)
                {
                    resource.AddService(serviceName);
                }
            })
            .WithMetrics(metrics => metrics
                .AddMeter(MeterName)
                .AddAspNetCoreInstrumentation());
        if (exporting)
        {
            otel.WithTracing(tracing => tracing.AddDirectConnectTracing());
            otel.UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// What DirectConnect traces: its own spans (state transactions, events), the client spans of outgoing calls, and
    /// the server span of every request but the probes. <see cref="AddServiceDefaults"/> adds it when OTLP export is
    /// configured; a host exporting elsewhere (a test's in-memory exporter) adds it with its exporter.
    /// </summary>
    public static TracerProviderBuilder AddDirectConnectTracing(this TracerProviderBuilder tracing) => tracing
        .AddSource(EventTelemetry.Source.Name)
        // Client spans of outgoing calls, among them the modules' loopback gRPC calls to one
        // another: gRPC's own and HttpClient's (.NET's System.Net.Http source). Both exist
        // (and propagate W3C context) anyway; unexported, a called module's server span
        // would point at a parent that no exporter ever sees.
        .AddSource("Grpc.Net.Client")
        .AddSource("System.Net.Http")
        // Probes (every few seconds, from the kubelet) are not traced.
        .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsProbe(context.Request.Path));

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.Ordinal) || path == "/healthz" || path == "/readyz";

    /// <summary>
    /// Adds <see cref="DeclaredSizeLimit"/> (a request declaring a body over the size limit is refused from its
    /// header) to the pipeline. Call it first.
    /// </summary>
    public static IApplicationBuilder UseRequestSizeLimit(this IApplicationBuilder app) => app.UseMiddleware<DeclaredSizeLimit>();

    /// <summary>
    /// Adds <see cref="RequestAdmission"/> (the per-account rate limit, then the size of a request that did not
    /// declare it) to the pipeline. Call it after authentication and authorization, before the endpoints run.
    /// </summary>
    public static IApplicationBuilder UseRequestAdmission(this IApplicationBuilder app) => app.UseMiddleware<RequestAdmission>();

    /// <summary>
    /// Adds <see cref="Rest.RestInputValidation"/> (a REST request's query and JSON body, checked against its method's request
    /// message before transcoding reads them) to the pipeline. Call it after <see cref="UseRequestAdmission"/>.
    /// </summary>
    public static IApplicationBuilder UseRestInputValidation(this IApplicationBuilder app) => app.UseMiddleware<Rest.RestInputValidation>();

    /// <summary>
    /// Maps the probes, open to unauthenticated callers: gRPC health (<c>grpc.health.v1.Health</c>) and, over
    /// HTTP, <c>/healthz</c> (liveness: the process is up) and <c>/readyz</c> (readiness: also the checks tagged
    /// <see cref="HealthTags.Ready"/>), each answering 200 or 503 with the checks' status and description as JSON.
    /// </summary>
    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcHealthChecksService().AllowAnonymous();
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HealthTags.Live), ResponseWriter = WriteHealthAsync })
            .AllowAnonymous();
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions
            {
                Predicate = check => check.Tags.Contains(HealthTags.Live) || check.Tags.Contains(HealthTags.Ready),
                ResponseWriter = WriteHealthAsync,
            })
            .AllowAnonymous();
        return endpoints;
    }

    // The status of each check and its own description; never an exception's text (that goes to the log).
    private static async Task WriteHealthAsync(HttpContext context, HealthReport report)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("status", report.Status.ToString());
            json.WriteStartObject("checks");
            foreach (var (name, entry) in report.Entries.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                json.WriteStartObject(name);
                json.WriteString("status", entry.Status.ToString());
                if (entry.Description is { } description)
                {
                    json.WriteString("description", description);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }
}
