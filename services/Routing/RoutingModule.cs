using DirectConnect.Platform.Coordination;
using DirectConnect.Routing.Api;
using DirectConnect.Routing.Application;
using DirectConnect.Routing.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace DirectConnect.Routing;

/// <summary>Wires the Routing module (VPC catalog, route tables, reachability) into a host.</summary>
public static class RoutingModule
{
    /// <summary>Registers the module's services.</summary>
    public static IHostApplicationBuilder AddRoutingModule(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<RoutingOptions>(builder.Configuration.GetSection(RoutingOptions.Section));
        builder.Services.AddSingleton<VpcStore>();
        builder.Services.AddSingleton<VpcRegistrations>();
        builder.Services.AddSingleton<RouteTableStore>();
        builder.Services.AddSingleton<ForwardingTableCache>();
        builder.Services.AddEventSubscription<RouteBlackholing>(RouteBlackholing.InterfacesSubscription, "virtual-interfaces");
        builder.Services.AddEventSubscription<RouteBlackholing>(RouteBlackholing.GatewaysSubscription, "border-gateways");
        builder.Services.AddEventSubscription<RouteBlackholing>(RouteBlackholing.VpcsSubscription, "routing");
        return builder;
    }

    /// <summary>Maps the module's gRPC services.</summary>
    public static IEndpointRouteBuilder MapRoutingModule(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<VpcGrpcService>();
        endpoints.MapGrpcService<RouteGrpcService>();
        endpoints.MapGrpcService<ReachabilityGrpcService>();
        return endpoints;
    }
}
