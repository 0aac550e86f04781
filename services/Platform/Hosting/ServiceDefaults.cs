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
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
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
/// the error interceptor, the region catalog, the request ledger and optimistic transactions, OpenTelemetry traces and metrics (OTLP only when
/// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set — quiet by default), and gRPC health.
/// </summary>
public static class ServiceDefaults
{
    /// <summary>The length-prefixed message framing of gRPC: 1 compression flag byte and a 4-byte length.</summary>
    private const int GrpcFrameHeaderBytes = 5;

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
            // Outermost first: metrics see the code the client gets; errors become statuses; then who may
            // call (the method's declared access), then the method. The rate limit and the size limit ran
            // before, in RequestAdmission, ahead of any parsing.
            options.Interceptors.Add<RpcMetricsInterceptor>();
            options.Interceptors.Add<ErrorInterceptor>();
            options.Interceptors.Add<MethodAccessInterceptor>();
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
        builder.Services.Configure<RateLimitOptions>(builder.Configuration.GetSection(RateLimitOptions.Section));
        builder.Services.TryAddSingleton<AccountRateLimiter>();
        builder.Services.TryAddSingleton<RpcMetrics>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<RequestLedger>();
        builder.Services.TryAddSingleton<OptimisticTransaction>();
        builder.Services.Configure<ServiceEndpointOptions>(builder.Configuration.GetSection(ServiceEndpointOptions.Section));
        builder.Services.TryAddSingleton<ServiceChannels>();
        builder.Services.AddServiceIdentity(builder.Configuration);
        builder.Services.AddGrpcHealthChecks().AddCheck("self", () => Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckResult.Healthy());

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                .AddSource(EventTelemetry.Source.Name)
                // Client spans of outgoing calls, among them the modules' loopback gRPC calls to one
                // another: gRPC's own and HttpClient's (.NET's System.Net.Http source). Both exist
                // (and propagate W3C context) anyway; unexported, a called module's server span
                // would point at a parent that no exporter ever sees.
                .AddSource("Grpc.Net.Client")
                .AddSource("System.Net.Http")
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !context.Request.Path.StartsWithSegments("/grpc.health.v1.Health", StringComparison.Ordinal)))
            .WithMetrics(metrics => metrics
                .AddMeter(MeterName)
                .AddAspNetCoreInstrumentation());
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            otel.UseOtlpExporter();
        }

        return builder;
    }

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

    /// <summary>Maps gRPC health (<c>grpc.health.v1.Health</c>), open to unauthenticated probes.</summary>
    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcHealthChecksService().AllowAnonymous();
        return endpoints;
    }
}
