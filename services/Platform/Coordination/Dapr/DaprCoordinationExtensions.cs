using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DirectConnect.Platform.Coordination.Dapr;

/// <summary>Wires the Dapr adapter into a host.</summary>
public static class DaprCoordinationExtensions
{
    /// <summary>
    /// Uses Dapr for coordination: state through the sidecar's state component, events through a
    /// state-held outbox relayed to its pub/sub component. Map <see cref="MapDaprAppCallback"/> to
    /// receive the subscriptions' events (the app runs with <c>app-protocol: grpc</c>).
    /// </summary>
    public static IServiceCollection AddDaprCoordination(this IServiceCollection services, Action<DaprCoordinationOptions> configure)
    {
        services.Configure(configure);
        services.TryAddSingleton<DaprConnection>();
        services.TryAddSingleton<DaprOutboxSignal>();
        services.TryAddSingleton<DaprDeliveryLedger>();
        services.TryAddSingleton<IStateStore, DaprStateStore>();
        // One instance, both the hosted service and what readiness asks whether the relay runs.
        services.TryAddSingleton<DaprOutboxRelay>();
        services.AddHostedService(provider => provider.GetRequiredService<DaprOutboxRelay>());
        services.AddGrpc();
        return services.AddCoordinationReadiness<DaprRelayRuns>();
    }

    /// <summary>
    /// Maps Dapr's <c>AppCallback</c> gRPC service, through which the sidecar delivers events. The
    /// sidecar carries no user token: a host with a fallback authorization policy allows it
    /// anonymously and relies on <see cref="DaprCoordinationOptions.AppApiToken"/>.
    /// </summary>
    public static GrpcServiceEndpointConventionBuilder MapDaprAppCallback(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGrpcService<DaprAppCallback>();
}
