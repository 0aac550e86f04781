using System.Net;
using DirectConnect.Platform.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using OpenTelemetry.Metrics;

namespace DirectConnect.Gateway.Hosting;

/// <summary>
/// Prometheus <c>/metrics</c> (the OpenTelemetry Prometheus exporter: the <c>DirectConnect</c> meter and
/// ASP.NET Core's) on a listener of its own, <see cref="GatewayOptions.MetricsPort"/>, which serves nothing
/// else and needs no token; the REST and gRPC ports never serve it. Off unless the port is set.
/// </summary>
public static class PrometheusMetrics
{
    /// <summary>The scrape path.</summary>
    public const string Path = "/metrics";

    /// <summary>Listens on the metrics port and adds the exporter, when <see cref="GatewayOptions.MetricsPort"/> is set.</summary>
    public static WebApplicationBuilder AddPrometheusMetrics(this WebApplicationBuilder builder, GatewayOptions gateway, GatewayEndpoints endpoints)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(gateway);
        if (gateway.MetricsPort is not { } port)
        {
            return builder;
        }

        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Parse(gateway.ListenAddress), port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            endpoints.Metrics = listen;
        }));
        builder.Services.ConfigureOpenTelemetryMeterProvider(metrics => metrics.AddPrometheusExporter());
        return builder;
    }

    /// <summary>
    /// Serves <see cref="Path"/> on the metrics listener and answers anything else there 404, before
    /// authentication. Call it first. Nothing when the metrics port is unset.
    /// </summary>
    public static IApplicationBuilder UsePrometheusMetrics(this IApplicationBuilder app, GatewayEndpoints endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        if (endpoints.Metrics is null)
        {
            return app;
        }

        app.UseOpenTelemetryPrometheusScrapingEndpoint(context =>
            endpoints.IsMetricsListener(context.Connection.LocalPort) && context.Request.Path == Path);
        return app.Use(async (context, next) =>
        {
            if (endpoints.IsMetricsListener(context.Connection.LocalPort))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            await next(context);
        });
    }
}
