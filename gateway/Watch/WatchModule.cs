using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Tenancy;
using DirectConnect.Platform.Coordination;

namespace DirectConnect.Gateway.Watch;

/// <summary>
/// Wires the watch into the gateway: the change-feed recorder (one subscription per topic), the
/// reader, the gRPC service and its server-sent-events form. It lives in the gateway because it
/// spans every domain's events.
/// </summary>
public static class WatchModule
{
    /// <summary>Registers the watch's services and subscriptions.</summary>
    public static IHostApplicationBuilder AddWatch(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Configure<WatchOptions>(builder.Configuration.GetSection(WatchOptions.Section));
        builder.Services.AddSingleton<ChangeFeedSignal>();
        builder.Services.AddSingleton<ChangeFeedReader>();
        builder.Services.AddSingleton<WatchStreams>();
        foreach (var topic in ChangeMapping.Topics)
        {
            builder.Services.AddEventSubscription<ChangeFeedRecorder>(ChangeFeedRecorder.SubscriptionFor(topic), topic);
        }

        return builder;
    }

    /// <summary>Maps the gRPC service and, ahead of its transcoded route, the server-sent-events endpoint.</summary>
    public static IEndpointRouteBuilder MapWatch(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<WatchGrpcService>();
        // Order -1 beats the transcoded route of the same path and method (order 0), so REST clients get
        // text/event-stream. The OpenAPI document keeps the transcoded operation (its parameters, the Change
        // schema) and describes its response from what this endpoint declares it produces.
        endpoints.MapGet(ServerSentChanges.Pattern, ServerSentChanges.ServeAsync)
            .WithOrder(-1)
            // Admitted as the method it serves: the same rate limit as the gRPC and transcoded forms.
            .WithMetadata(new PublicMethodMetadata(WatchService.Descriptor.FindMethodByName(nameof(WatchService.WatchServiceBase.WatchChanges))))
            .WithMetadata(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, type: null, contentTypes: [ServerSentChanges.ContentType]))
            .WithDescription(ServerSentChanges.Description)
            .ExcludeFromDescription();
        return endpoints;
    }
}
