using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.ServiceIdentity;
using DirectConnect.VirtualInterfaces.Api;
using DirectConnect.VirtualInterfaces.Application;
using DirectConnect.VirtualInterfaces.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DirectConnect.VirtualInterfaces;

/// <summary>Wires the VirtualInterfaces module into a host.</summary>
public static class VirtualInterfacesModule
{
    /// <summary>Registers the module's services, the creation saga, its event subscription and the intent reconciler.</summary>
    public static IHostApplicationBuilder AddVirtualInterfaces(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<VirtualInterfaceOptions>(builder.Configuration.GetSection(VirtualInterfaceOptions.Section));
        builder.Services.AddSingleton<VirtualInterfaceStore>();
        builder.Services.AddSingleton<IReservations, InternalApiReservations>();
        builder.Services.AddSingleton<CreationRollback>();
        builder.Services.AddSingleton<VirtualInterfaceCreation>();
        builder.Services.AddSingleton<RouterFeedSignal>();
        builder.Services.AddSingleton<AuthKeys>();
        builder.Services.AddSingleton<DataPlaneStatusRecorder>();
        builder.Services.AddSingleton<IntentReconciler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<IntentReconciler>());
        builder.Services.AddEventSubscription<VirtualInterfaceCreatedHandler>(VirtualInterfaceCreatedHandler.Subscription, VirtualInterfaceMapper.Topic);
        builder.Services.AddEventSubscription<GatewayAnnouncementsHandler>(GatewayAnnouncementsHandler.Subscription, GatewayAnnouncementsHandler.Topic);
        return builder;
    }

    /// <summary>Maps the module's gRPC services.</summary>
    public static IEndpointRouteBuilder MapVirtualInterfaces(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<VirtualInterfaceGrpcService>();
        endpoints.MapInternalGrpcService<DataPlaneGrpcService>();
        return endpoints;
    }
}
