using System.Net;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using Google.Api;
using Google.Protobuf.Reflection;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace DirectConnect.Gateway.Hosting;

/// <summary>
/// The distributed topology's edge: a public method whose module this process does not host is
/// forwarded to the process that does (<c>DirectConnect:Services:Addresses:&lt;Module&gt;</c>), over
/// HTTP/2 — gRPC calls by service path, REST calls by the method's HTTP rule (the module's process
/// transcodes them itself). Headers travel as they are: the bearer token (the module authenticates
/// and authorizes it again), <c>grpc-timeout</c> (the deadline) and <c>traceparent</c>; the request id
/// is in the body; with <c>DirectConnect:Services:AppIds:&lt;Module&gt;</c> set, <c>dapr-app-id</c> too. The routes come from the contracts, so a new method is forwarded without a line here.
/// </summary>
public static class ModuleForwarding
{
    /// <summary>Which module serves each public service.</summary>
    public static readonly IReadOnlyDictionary<string, string> ModuleOfService = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [LocationService.Descriptor.FullName] = "PhysicalConnections",
        [AccessDeviceService.Descriptor.FullName] = "PhysicalConnections",
        [PhysicalConnectionService.Descriptor.FullName] = "PhysicalConnections",
        [PartnerService.Descriptor.FullName] = "PhysicalConnections",
        [HostedConnectionService.Descriptor.FullName] = "PhysicalConnections",
        [BorderGatewayService.Descriptor.FullName] = "BorderGateways",
        [RouterService.Descriptor.FullName] = "BorderGateways",
        [VirtualInterfaceService.Descriptor.FullName] = "VirtualInterfaces",
        [VpcService.Descriptor.FullName] = "Routing",
        [RouteService.Descriptor.FullName] = "Routing",
        [ReachabilityService.Descriptor.FullName] = "Routing",
        [WatchService.Descriptor.FullName] = "Gateway",
    };

    /// <summary>Forwards every module that is not hosted here but has an address; nothing when there is none.</summary>
    public static void AddModuleForwarding(this WebApplicationBuilder builder, IReadOnlyCollection<string> hostedModules)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var addresses = builder.Configuration.GetSection($"{ServiceEndpointOptions.Section}:Addresses");
        var appIds = builder.Configuration.GetSection($"{ServiceEndpointOptions.Section}:AppIds");
        var remote = ModuleOfService.Values.Distinct(StringComparer.Ordinal)
            .Where(m => !hostedModules.Contains(m, StringComparer.OrdinalIgnoreCase) && !string.IsNullOrWhiteSpace(addresses[m]))
            .ToDictionary(m => m, m => addresses[m]!, StringComparer.Ordinal);
        if (remote.Count == 0)
        {
            return;
        }

        // Through a Dapr sidecar (the address is then the sidecar's), each call names the target app.
        IReadOnlyList<IReadOnlyDictionary<string, string>>? TransformsOf(string module) =>
            string.IsNullOrWhiteSpace(appIds[module])
                ? null
                : [new Dictionary<string, string>(StringComparer.Ordinal) { ["RequestHeader"] = "dapr-app-id", ["Set"] = appIds[module]! }];

        var routes = new List<RouteConfig>();
        foreach (var service in Platform.Tenancy.MethodAccessCatalog.ContractServices().Where(s => remote.ContainsKey(ModuleOfService[s.FullName])))
        {
            var cluster = ModuleOfService[service.FullName];
            // Which public service a route serves, for the answer when its module cannot be reached.
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { [ServiceMetadata] = service.FullName };
            routes.Add(new RouteConfig
            {
                RouteId = $"grpc:{service.FullName}",
                ClusterId = cluster,
                Match = new RouteMatch { Path = $"/{service.FullName}/{{**method}}" },
                Transforms = TransformsOf(cluster),
                Metadata = metadata,
            });
            routes.AddRange(service.Methods.Select(method => RestRoute(method, cluster) with { Transforms = TransformsOf(cluster), Metadata = metadata }));
        }

        var clusters = remote.Select(m => new ClusterConfig
        {
            ClusterId = m.Key,
            Destinations = new Dictionary<string, DestinationConfig>(StringComparer.Ordinal) { [m.Key] = new() { Address = m.Value } },
            // Module processes listen h2c: gRPC needs HTTP/2, and their transcoded REST routes answer on it too.
            HttpRequest = new ForwarderRequestConfig { Version = HttpVersion.Version20, VersionPolicy = HttpVersionPolicy.RequestVersionExact },
        }).ToArray();
        builder.Services.AddReverseProxy().LoadFromMemory(routes, clusters);
    }

    private const string ServiceMetadata = "service";

    /// <summary>The forwarding errors that mean the module's process could not be reached or did not answer.</summary>
    private static readonly HashSet<ForwarderError> Unreachable =
    [
        ForwarderError.Request, ForwarderError.RequestTimedOut, ForwarderError.RequestBodyDestination,
        ForwarderError.ResponseHeaders, ForwarderError.NoAvailableDestinations,
    ];

    /// <summary>
    /// Maps the forwarded routes (behind the same authentication as everything else). When the module
    /// cannot be reached, the caller gets what a module answers for one it calls that is down:
    /// UNAVAILABLE (HTTP 503 with <c>Retry-After</c>) with reason <c>SERVICE_UNAVAILABLE</c> naming the
    /// module, never YARP's empty 502 nor the module's address.
    /// </summary>
    public static void MapModuleForwarding(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (app.Services.GetService<IProxyConfigProvider>() is not null)
        {
            app.MapReverseProxy(proxy =>
            {
                proxy.Use(AnswerUnreachableAsync);
                // YARP's default pipeline, which passing one replaces.
                proxy.UseSessionAffinity();
                proxy.UseLoadBalancing();
                proxy.UsePassiveHealthChecks();
            })
            // gRPC-Web travels on as it came; the module's process translates it (see BrowserAccess).
            .DisableGrpcWeb();
        }
    }

    private static async Task AnswerUnreachableAsync(HttpContext context, Func<Task> next)
    {
        await next();
        if (context.Features.Get<IForwarderErrorFeature>() is { } failure && Unreachable.Contains(failure.Error)
            && !context.Response.HasStarted && context.GetReverseProxyFeature().Route.Config is { ClusterId: { } module } route)
        {
            context.Response.Clear();
            var service = route.Metadata?.GetValueOrDefault(ServiceMetadata) ?? "";
            await StatusResponses.WriteAsync(context, RpcStatusMapper.ToStatus(DomainException.ServiceUnavailable(module, service)));
        }
    }

    private static RouteConfig RestRoute(MethodDescriptor method, string cluster)
    {
        var rule = method.GetOptions().GetExtension(AnnotationsExtensions.Http);
        var (verb, path) = rule.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => ("GET", rule.Get),
            HttpRule.PatternOneofCase.Post => ("POST", rule.Post),
            HttpRule.PatternOneofCase.Patch => ("PATCH", rule.Patch),
            HttpRule.PatternOneofCase.Delete => ("DELETE", rule.Delete),
            HttpRule.PatternOneofCase.Put => ("PUT", rule.Put),
            _ => throw new InvalidOperationException($"{method.FullName} has no HTTP rule to forward."),
        };
        return new RouteConfig
        {
            RouteId = $"rest:{method.FullName}",
            ClusterId = cluster,
            Match = new RouteMatch { Path = path, Methods = [verb] },
        };
    }
}
