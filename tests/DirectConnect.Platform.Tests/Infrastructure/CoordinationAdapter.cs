using DirectConnect.Platform.Coordination.Dapr;
using DirectConnect.Testing.Dapr;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DirectConnect.Platform.Tests.Infrastructure;

/// <summary>
/// One implementation of the coordination ports under test, built the way a service builds it,
/// with the few looks behind the port that some tests need (what the log holds, what was dropped).
/// </summary>
public abstract class CoordinationAdapter : IAsyncDisposable
{
    public virtual Task InitializeAsync() => Task.CompletedTask;

    /// <summary>A service provider of its own with only the state store used (nothing is started).</summary>
    public abstract ServiceProvider StoreOnly();

    /// <summary>A started host with the adapter and the subscriptions <paramref name="configure"/> adds.</summary>
    public abstract Task<CoordinationHost> StartHostAsync(Action<IServiceCollection> configure);

    /// <summary>The ETag stored for <paramref name="key"/>, read behind the port (even once expired).</summary>
    public abstract string? StoredETag(string key);

    /// <summary>Ids of every event the adapter has recorded for publication (published or still waiting).</summary>
    public abstract IReadOnlyList<string> RecordedEventIds();

    /// <summary>Ids of the events set aside as dead letters for <paramref name="subscription"/>.</summary>
    public abstract IReadOnlyList<string> DroppedEventIds(string subscription);

    /// <summary>
    /// Whether the events of one ordering key arrive in publication order (a retried one holding the
    /// later ones back). Every adapter delivers every event at least once; order and exactly-once are
    /// extras that a broker may not give, so no handler may rely on them (<see cref="DeliversOnce"/>).
    /// </summary>
    public virtual bool DeliversInOrder => true;

    /// <summary>Whether an event a handler settled (SUCCESS or DROP) is never delivered to it again.</summary>
    public virtual bool DeliversOnce => true;

    public abstract ValueTask DisposeAsync();
}

/// <summary>The embedded adapter on a database file of its own.</summary>
public sealed class SqliteAdapter : CoordinationAdapter
{
    private readonly TempDatabase _database = new();

    public override ServiceProvider StoreOnly() => Coordination.StoreOnly(_database.Path);

    public override Task<CoordinationHost> StartHostAsync(Action<IServiceCollection> configure) =>
        CoordinationHost.StartAsync(_database.Path, configure);

    public override string? StoredETag(string key) => Query<string>("SELECT etag FROM state WHERE key = $key", key).SingleOrDefault();

    public override IReadOnlyList<string> RecordedEventIds() => Query<string>("SELECT id FROM events ORDER BY seq", null);

    public override IReadOnlyList<string> DroppedEventIds(string subscription) =>
        Query<string>("SELECT e.id FROM dead_letters d JOIN events e ON e.seq = d.seq WHERE d.subscription = $key ORDER BY d.seq", subscription);

    public override ValueTask DisposeAsync()
    {
        _database.Dispose();
        return ValueTask.CompletedTask;
    }

    private List<T> Query<T>(string sql, string? key)
    {
        using var raw = _database.OpenRaw();
        using var command = raw.CreateCommand();
        command.CommandText = sql;
        if (key is not null)
        {
            command.Parameters.AddWithValue("$key", key);
        }

        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(reader.GetFieldValue<T>(0));
        }

        return rows;
    }
}

/// <summary>
/// The Dapr adapter, through the real Dapr.Client, against a <see cref="DaprTestSidecar"/> of its own
/// that delivers as <paramref name="delivery"/> says (in order; or as Redis Streams or Kafka do).
/// </summary>
public sealed class DaprAdapter(DaprDelivery delivery = DaprDelivery.InOrder) : CoordinationAdapter
{
    private DaprTestSidecar? _sidecar;

    private DaprTestSidecar Sidecar => _sidecar ?? throw new InvalidOperationException("The sidecar was not started.");

    public override async Task InitializeAsync() => _sidecar = await DaprTestSidecar.StartAsync(new DaprTestSidecarOptions { Delivery = delivery });

    // Redis Streams' workers finish in any order; Kafka keeps a partition (one ordering key) in order.
    public override bool DeliversInOrder => delivery != DaprDelivery.RedisStreams;

    // Redis reclaims what is pending too long while the first copy runs; Kafka replays after a rebalance.
    public override bool DeliversOnce => delivery == DaprDelivery.InOrder;

    public override ServiceProvider StoreOnly()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDaprCoordination(Configure);
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateScopes = true, ValidateOnBuild = true });
    }

    public override async Task<CoordinationHost> StartHostAsync(Action<IServiceCollection> configure)
    {
        var (app, address) = await StartAppAsync(configure);
        await Sidecar.ConnectAppAsync(address);
        return new CoordinationHost(app);
    }

    /// <summary>The sidecar, for tests of what only the Dapr adapter does.</summary>
    public DaprTestSidecar TestSidecar => Sidecar;

    /// <summary>Starts an app with the Dapr adapter and its AppCallback on 127.0.0.1:0, not yet connected to the sidecar.</summary>
    public async Task<(WebApplication App, string Address)> StartAppAsync(Action<IServiceCollection> configure, string? appApiToken = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddDaprCoordination(o =>
        {
            Configure(o);
            o.RelayInterval = TimeSpan.FromMilliseconds(50);
            o.AppApiToken = appApiToken;
        });
        configure(builder.Services);
        var app = builder.Build();
        app.MapDaprAppCallback();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await app.StartAsync(timeout.Token);
        return (app, app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single());
    }

    public override string? StoredETag(string key) => Sidecar.StoredETag(key);

    public override IReadOnlyList<string> RecordedEventIds() =>
    [
        .. Sidecar.PublishedIds,
        .. Sidecar.Keys.Where(k => k.StartsWith(OutboxEvents, StringComparison.Ordinal)).Select(k => k[OutboxEvents.Length..]),
    ];

    // Dapr dead-letters per app and topic; the sidecar does not know our subscription names.
    public override IReadOnlyList<string> DroppedEventIds(string subscription) => Sidecar.DeadLetters;

    public override async ValueTask DisposeAsync()
    {
        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }
    }

    private const string OutboxEvents = "outbox/event/";

    private void Configure(DaprCoordinationOptions options)
    {
        options.GrpcEndpoint = Sidecar.Endpoint;
        options.StoreName = DaprTestSidecar.StoreName;
        options.PubSubName = DaprTestSidecar.PubSubName;
        options.Source = Coordination.Source;
    }
}

/// <summary>A conformance test class: its tests run once per adapter, through a derived class per adapter.</summary>
public abstract class ConformanceTest(CoordinationAdapter adapter) : IAsyncLifetime
{
    protected CoordinationAdapter Adapter { get; } = adapter;

    public Task InitializeAsync() => Adapter.InitializeAsync();

    public async Task DisposeAsync() => await Adapter.DisposeAsync();
}
