using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectConnect.Platform.Grpc;

/// <summary>
/// Where the other services listen (configuration <c>DirectConnect:Services</c>: service name →
/// gRPC address). A service missing there is reached at <see cref="LocalAddress"/>: the embedded
/// host's own gRPC endpoint, so that modules call each other through their public gRPC API over
/// loopback — the same code path as the distributed topology.
/// </summary>
public sealed class ServiceEndpointOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:Services";

    /// <summary>Service name (e.g. <c>PhysicalConnections</c>) → gRPC address.</summary>
    public IDictionary<string, Uri> Addresses { get; } = new Dictionary<string, Uri>(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Service name → Dapr app-id, when calls go through a Dapr sidecar's gRPC proxy (the address is
    /// then the sidecar's, e.g. <c>http://localhost:50001</c>): each call carries <c>dapr-app-id</c>.
    /// </summary>
    public IDictionary<string, string> AppIds { get; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>The host's own gRPC address, set by the host once it listens.</summary>
    public Func<Uri>? LocalAddress { get; set; }
}

/// <summary>One cached gRPC channel per service address.</summary>
public sealed class ServiceChannels(IOptions<ServiceEndpointOptions> options, ILogger<ServiceChannels> logger) : IDisposable
{
    private readonly ConcurrentDictionary<Uri, GrpcChannel> _channels = new();

    /// <summary>
    /// How to call <paramref name="service"/>: its channel, with the Dapr app-id on every call when one
    /// is configured; a call that cannot reach it fails with SERVICE_UNAVAILABLE naming it.
    /// </summary>
    public CallInvoker For(string service)
    {
        var address = options.Value.Addresses.TryGetValue(service, out var configured)
            ? configured
            : options.Value.LocalAddress?.Invoke() ?? throw new InvalidOperationException($"No address is configured for service {service}.");
        var invoker = _channels.GetOrAdd(address, a => GrpcChannel.ForAddress(a)).CreateCallInvoker()
            .Intercept(new UnreachableServiceInterceptor(service, logger));
        return options.Value.AppIds.TryGetValue(service, out var appId)
            ? invoker.Intercept(headers =>
            {
                // A copy: the caller's headers are often shared by several calls to different services.
                var withAppId = new Metadata();
                foreach (var entry in headers ?? [])
                {
                    if (!string.Equals(entry.Key, "dapr-app-id", StringComparison.OrdinalIgnoreCase))
                    {
                        withAppId.Add(entry);
                    }
                }

                withAppId.Add("dapr-app-id", appId);
                return withAppId;
            })
            : invoker;
    }

    /// <summary>
    /// Call options for a call made on behalf of the caller of <paramref name="context"/>: its
    /// credentials, deadline and cancellation travel on.
    /// </summary>
    public static CallOptions OnBehalfOf(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var headers = new Metadata();
        if (context.RequestHeaders.GetValue("authorization") is { } authorization)
        {
            headers.Add("authorization", authorization);
        }

        return new CallOptions(headers, context.Deadline == DateTime.MaxValue ? null : context.Deadline, context.CancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }
}
