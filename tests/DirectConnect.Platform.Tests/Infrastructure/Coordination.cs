using System.Text;
using DirectConnect.Platform.Coordination;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DirectConnect.Platform.Tests.Infrastructure;

/// <summary>Builds the embedded adapter the way a service does: through <c>AddSqliteCoordination</c>.</summary>
public static class Coordination
{
    public const string Topic = "conformance";
    public const string Source = "conformance-tests";
    public const string EventType = "directconnect.test.v1.Happened";

    /// <summary>A service provider of its own with only the state store used (its dispatcher is never started).</summary>
    public static ServiceProvider StoreOnly(string databasePath)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSqliteCoordination(o =>
        {
            o.DatabasePath = databasePath;
            o.Source = Source;
        });
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public static IStateStore Store(this IServiceProvider services) => services.GetRequiredService<IStateStore>();

    public static ReadOnlyMemory<byte> Bytes(string text) => Encoding.UTF8.GetBytes(text);

    public static string Text(this StateItem item) => Encoding.UTF8.GetString(item.Value.Span);

    public static string Text(this CloudEvent cloudEvent) => Encoding.UTF8.GetString(cloudEvent.Data.Span);

    /// <summary>The ordering key of the test events: one resource, so brokers that order per key keep them all in order.</summary>
    public const string OrderingKey = "conformance-resource";

    /// <summary>An event whose id and payload are <paramref name="id"/>.</summary>
    public static OutgoingEvent Event(string id, string topic = Topic) => new(topic, EventType, Bytes(id)) { Id = id, OrderingKey = OrderingKey };

    /// <summary>Subscribes a <see cref="RecordingHandler{TSubscription}"/> writing to <paramref name="log"/>.</summary>
    public static IServiceCollection AddRecordingSubscription<TSubscription>(this IServiceCollection services,
        string name, DeliveryLog<TSubscription> log, string topic = Topic)
    {
        services.AddSingleton(log);
        return services.AddEventSubscription<RecordingHandler<TSubscription>>(name, topic);
    }

    public static Task<bool> TryPublishAsync(this IStateStore store, params OutgoingEvent[] events) =>
        store.TryExecuteTransactionAsync([], events);
}

/// <summary>A started host with an adapter and the subscriptions the test adds.</summary>
public sealed class CoordinationHost : IAsyncDisposable
{
    private readonly IHost _host;
    private bool _stopped;

    public CoordinationHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IStateStore Store => _host.Services.GetRequiredService<IStateStore>();

    /// <summary>A generic host with the SQLite adapter on <paramref name="databasePath"/>.</summary>
    public static async Task<CoordinationHost> StartAsync(string databasePath, Action<IServiceCollection> configure)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddSqliteCoordination(o =>
        {
            o.DatabasePath = databasePath;
            o.Source = Coordination.Source;
            o.PollInterval = TimeSpan.FromMilliseconds(50);
        });
        configure(builder.Services);
        var host = builder.Build();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StartAsync(timeout.Token);
        return new CoordinationHost(host);
    }

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _host.Dispose();
    }
}
