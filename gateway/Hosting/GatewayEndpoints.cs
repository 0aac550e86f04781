using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DirectConnect.Gateway.Hosting;

/// <summary>
/// The listeners of the gateway. Kestrel without TLS cannot negotiate HTTP/1.1 and HTTP/2 on
/// one port, so gRPC (h2c) and REST/JSON (HTTP/1.1) each get their own; a public edge that hosts
/// modules has a third, on loopback, for their internal API; Prometheus metrics, when on, a fourth. After start the endpoints hold the
/// ports actually bound (useful when configured as 0).
/// </summary>
public sealed class GatewayEndpoints
{
    internal ListenOptions? Grpc { get; set; }

    internal ListenOptions? Rest { get; set; }

    internal ListenOptions? Internal { get; set; }

    internal ListenOptions? Metrics { get; set; }

    /// <summary>The gRPC address, e.g. <c>http://127.0.0.1:9090</c>.</summary>
    public Uri GrpcAddress => Address(Grpc);

    /// <summary>The REST address, e.g. <c>http://127.0.0.1:8080</c>.</summary>
    public Uri RestAddress => Address(Rest);

    /// <summary>
    /// Where a public edge that hosts modules serves their internal API (loopback only), or null when
    /// this process has no such listener (a module process serves its internal API on its gRPC port).
    /// </summary>
    public Uri? InternalGrpcAddress => Internal is null ? null : Address(Internal);

    /// <summary>Where Prometheus <c>/metrics</c> is served, or null when <see cref="GatewayOptions.MetricsPort"/> is unset.</summary>
    public Uri? MetricsAddress => Metrics is null ? null : Address(Metrics);

    /// <summary>True when <paramref name="localPort"/> is the internal listener's (false when there is none).</summary>
    public bool IsInternalListener(int localPort) =>
        Internal?.EndPoint is IPEndPoint endPoint && endPoint.Port == localPort;

    /// <summary>True when <paramref name="localPort"/> is the metrics listener's (false when there is none).</summary>
    public bool IsMetricsListener(int localPort) =>
        Metrics?.EndPoint is IPEndPoint endPoint && endPoint.Port == localPort;

    private static Uri Address(ListenOptions? listener) =>
        listener?.EndPoint is IPEndPoint endPoint
            ? new Uri($"http://{(endPoint.Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{endPoint.Address}]" : endPoint.Address.ToString())}:{endPoint.Port}")
            : throw new InvalidOperationException("The gateway is not listening yet.");
}
