using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using DirectConnect.Platform.ServiceIdentity;
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

    /// <summary>
    /// Where this host serves the internal API of the modules it hosts, when that is not
    /// <see cref="LocalAddress"/>: a public edge hosting modules (the embedded default) serves it on
    /// a loopback listener of its own, never on its public ports.
    /// </summary>
    public Func<Uri>? LocalInternalAddress { get; set; }
}

/// <summary>One cached gRPC channel per service address.</summary>
public sealed class ServiceChannels(IOptions<ServiceEndpointOptions> options, ServiceCredentials credentials, ILogger<ServiceChannels> logger)
    : IDisposable
{
    private readonly ConcurrentDictionary<Uri, GrpcChannel> _channels = new();

    /// <summary>
    /// How to call the public API of <paramref name="service"/> (on a caller's behalf: see
    /// <see cref="OnBehalfOf"/>): its channel, with the Dapr app-id on every call when one is configured.
    /// A call that cannot reach it fails with SERVICE_UNAVAILABLE naming it (so do internal calls).
    /// </summary>
    public CallInvoker For(string service)
    {
        var address = options.Value.Addresses.TryGetValue(service, out var configured)
            ? configured
            : options.Value.LocalAddress?.Invoke() ?? throw new InvalidOperationException($"No address is configured for service {service}.");
        var appId = options.Value.AppIds.TryGetValue(service, out var configuredAppId) ? configuredAppId : null;
        var invoker = Channel(service, address);
        return appId is null ? invoker : invoker.Intercept(headers => Rewrite(headers, appId, null));
    }

    /// <summary>
    /// How module <paramref name="caller"/> (e.g. <c>VirtualInterfaces</c>) calls the internal API of
    /// <paramref name="service"/>: every call carries a service token naming the caller's app-id
    /// (and no person's credentials), plus the target's Dapr app-id when one is configured.
    /// </summary>
    public CallInvoker Internal(string service, string caller)
    {
        var address = options.Value.Addresses.TryGetValue(service, out var configured)
            ? configured
            : options.Value.LocalInternalAddress?.Invoke() ?? options.Value.LocalAddress?.Invoke()
              ?? throw new InvalidOperationException($"No address is configured for service {service}.");
        var appId = options.Value.AppIds.TryGetValue(service, out var configuredAppId) ? configuredAppId : null;
        var callerAppId = Hosting.ServiceAppIds.For(caller);
        return Channel(service, address).Intercept(headers => Rewrite(headers, appId, "Bearer " + credentials.TokenFor(callerAppId)));
    }

    private CallInvoker Channel(string service, Uri address) =>
        _channels.GetOrAdd(address, a => GrpcChannel.ForAddress(a)).CreateCallInvoker().Intercept(new UnreachableServiceInterceptor(service, logger));

    /// <summary>
    /// A copy of <paramref name="headers"/> (the caller's are often shared by several calls to
    /// different services) with the target's app-id and, for internal calls, the service token as
    /// the only credentials.
    /// </summary>
    private static Metadata Rewrite(Metadata? headers, string? appId, string? authorization)
    {
        var rewritten = new Metadata();
        foreach (var entry in headers ?? [])
        {
            if (!(appId is not null && string.Equals(entry.Key, "dapr-app-id", StringComparison.OrdinalIgnoreCase)) &&
                !(authorization is not null && string.Equals(entry.Key, "authorization", StringComparison.OrdinalIgnoreCase)))
            {
                rewritten.Add(entry);
            }
        }

        if (appId is not null)
        {
            rewritten.Add("dapr-app-id", appId);
        }

        if (authorization is not null)
        {
            rewritten.Add("authorization", authorization);
        }

        return rewritten;
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
