using DirectConnect.BorderGateways.Api;
using DirectConnect.BorderGateways.Application;
using DirectConnect.BorderGateways.Storage;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Reservations;
using DirectConnect.Platform.ServiceIdentity;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DirectConnect.BorderGateways;

/// <summary>Wires the BorderGateways module into a host.</summary>
public static class BorderGatewaysModule
{
    /// <summary>Registers the module's services and event subscriptions.</summary>
    public static IHostApplicationBuilder AddBorderGateways(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<BorderGatewayOptions>(builder.Configuration.GetSection(BorderGatewayOptions.Section));
        builder.Services.AddSingleton<BorderGatewayStore>();
        builder.Services.AddSingleton<VpcAttacher>();
        builder.Services.AddSingleton<VpcCatalogClient>();
        builder.Services.AddEventSubscription<VpcCatalogHandler>(VpcCatalogHandler.Subscription, VpcCatalogHandler.Topic);
        builder.Services.AddEventSubscription<GatewayCreatedHandler>(GatewayCreatedHandler.Subscription, BorderGatewayMapper.Topic);
        builder.Services.AddSingleton<GatewayReservations>();
        builder.Services.AddEventSubscription<ReservationReleaseHandler>(ReservationReleaseHandler.Subscription, ReleasedReservation.Topic);
        return builder;
    }

    /// <summary>Maps the module's gRPC services: the public API, and the internal API for the other services.</summary>
    public static IEndpointRouteBuilder MapBorderGateways(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<BorderGatewayGrpcService>();
        endpoints.MapGrpcService<RouterGrpcService>();
        endpoints.MapInternalGrpcService<BorderGatewayReservationGrpcService>();
        return endpoints;
    }
}
