using DirectConnect.Platform.Coordination.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace DirectConnect.Platform.Coordination;

/// <summary>Wires the coordination ports into a host.</summary>
public static class CoordinationServiceCollectionExtensions
{
    /// <summary>
    /// Uses the embedded SQLite adapter: state and the event log in one database file, and a
    /// dispatcher delivering the log to this process's subscriptions.
    /// </summary>
    public static IServiceCollection AddSqliteCoordination(this IServiceCollection services, Action<SqliteCoordinationOptions> configure)
    {
        services.Configure(configure);
        services.TryAddSingleton(sp => new SqliteDatabase(sp.GetRequiredService<IOptions<SqliteCoordinationOptions>>().Value.DatabasePath));
        services.TryAddSingleton<EventSignal>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IStateStore, SqliteStateStore>();
        // One instance, both the hosted service and what readiness asks whether every delivery loop runs.
        services.TryAddSingleton<SqliteEventDispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<SqliteEventDispatcher>());
        // Expired state rows and delivered events are deleted, not only hidden.
        services.TryAddSingleton<SqliteRetention>();
        services.AddHostedService(provider => provider.GetRequiredService<SqliteRetention>());
        // The write-ahead log is checkpointed beside the writers, not by the commit that fills it.
        services.TryAddSingleton<SqliteCheckpointer>();
        services.AddHostedService(provider => provider.GetRequiredService<SqliteCheckpointer>());
        return services.AddCoordinationReadiness<SqliteDeliveryRuns>();
    }

    /// <summary>
    /// Subscribes <typeparamref name="THandler"/> to <paramref name="topic"/> under the durable
    /// subscription <paramref name="name"/> (resolved per event from a fresh scope).
    /// </summary>
    public static IServiceCollection AddEventSubscription<THandler>(this IServiceCollection services, string name, string topic)
        where THandler : class, IEventHandler
    {
        // One registration per name and process: two would share one lease owner and deliver every event twice.
        if (services.Any(d => d.ImplementationInstance is EventSubscription existing && existing.Name == name))
        {
            throw new InvalidOperationException($"The event subscription '{name}' is registered twice.");
        }

        services.TryAddScoped<THandler>();
        services.AddSingleton(new EventSubscription(name, topic, typeof(THandler)));
        return services;
    }
}
