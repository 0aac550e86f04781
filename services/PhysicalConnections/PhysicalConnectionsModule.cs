using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Reservations;
using DirectConnect.Platform.ServiceIdentity;
using DirectConnect.PhysicalConnections.Api;
using DirectConnect.PhysicalConnections.Application;
using DirectConnect.PhysicalConnections.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace DirectConnect.PhysicalConnections;

/// <summary>Wires the PhysicalConnections module (connections, locations, access devices, partners, hosted connections) into a host.</summary>
public static class PhysicalConnectionsModule
{
    /// <summary>Registers the module's services.</summary>
    public static IHostApplicationBuilder AddPhysicalConnections(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<PhysicalConnectionOptions>(builder.Configuration.GetSection(PhysicalConnectionOptions.Section));
        builder.Services.AddSingleton<PhysicalConnectionStore>();
        builder.Services.AddSingleton<InventoryStore>();
        builder.Services.AddSingleton<PortAllocator>();
        builder.Services.AddSingleton<ConnectionOrders>();
        builder.Services.AddSingleton<HostedConnectionStore>();
        builder.Services.AddSingleton<HostedConnections>();
        builder.Services.AddSingleton<PartnerStore>();
        builder.Services.AddSingleton<PartnerRegistry>();
        builder.Services.AddSingleton<PortMetrics>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PortMetrics>());
        builder.Services.TryAddSingleton<StripedLock>();
        builder.Services.AddEventSubscription<PortWaitersHandler>(PortWaitersHandler.Subscription, PhysicalConnectionEvents.Topic);
        builder.Services.AddSingleton<ConnectionReservations>();
        builder.Services.AddEventSubscription<ReservationReleaseHandler>(ReservationReleaseHandler.Subscription, ReleasedReservation.Topic);
        return builder;
    }

    /// <summary>Maps the module's gRPC services: the public API, and the internal API for the other services.</summary>
    public static IEndpointRouteBuilder MapPhysicalConnections(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<PhysicalConnectionGrpcService>();
        endpoints.MapGrpcService<LocationGrpcService>();
        endpoints.MapGrpcService<AccessDeviceGrpcService>();
        endpoints.MapGrpcService<PartnerGrpcService>();
        endpoints.MapGrpcService<HostedConnectionGrpcService>();
        endpoints.MapInternalGrpcService<PhysicalConnectionReservationGrpcService>();
        return endpoints;
    }
}
