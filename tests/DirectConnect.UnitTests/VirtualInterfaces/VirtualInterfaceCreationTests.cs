using System.Collections.Concurrent;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Coordination.Sqlite;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Idempotency;
using DirectConnect.VirtualInterfaces;
using DirectConnect.VirtualInterfaces.Application;
using DirectConnect.VirtualInterfaces.Domain;
using DirectConnect.VirtualInterfaces.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.UnitTests.VirtualInterfaces;

/// <summary>
/// The creation saga on its own — no gRPC: a real SQLite state store, and the owners' reservations
/// recorded in memory. Duplicates meet on one id and only one of them reserves; a refused
/// reservation rolls the creation back (a tombstone and <c>VirtualInterfaceCreationAbandoned</c>, never
/// <c>VirtualInterfaceDeleted</c>); a retry of the rolled-back request is created under the next id
/// of its sequence; and a rollback never touches an interface that exists.
/// </summary>
public sealed class VirtualInterfaceCreationTests : IDisposable
{
    private const string Account = "saga";
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"dc-saga-{Guid.NewGuid():N}.db");
    private readonly ServiceProvider _services;
    private readonly RecordingReservations _reservations = new();

    public VirtualInterfaceCreationTests()
    {
        var services = new ServiceCollection();
        services.AddSqliteCoordination(options => options.DatabasePath = _database);
        services.AddSingleton(TimeProvider.System);
        services.Configure<VirtualInterfaceOptions>(_ => { });
        services.AddSingleton<RequestLedger>();
        services.AddSingleton<OptimisticTransaction>();
        services.AddSingleton<VirtualInterfaceStore>();
        services.AddSingleton<CreationRollback>();
        services.AddSingleton<VirtualInterfaceCreation>();
        services.AddSingleton<RouterFeedSignal>();
        services.AddSingleton<IReservations>(_reservations);
        _services = services.BuildServiceProvider();
    }

    private VirtualInterfaceCreation Saga => _services.GetRequiredService<VirtualInterfaceCreation>();

    private VirtualInterfaceStore Store => _services.GetRequiredService<VirtualInterfaceStore>();

    [Fact]
    public async Task ConcurrentDuplicatesShareOneInterfaceAndOnlyOneOfThemReserves()
    {
        var request = Request("dup-1");
        _reservations.Delay = TimeSpan.FromMilliseconds(200); // the first attempt is still reserving when the others arrive
        var answers = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Saga.CreateAsync(request, CancellationToken.None)));

        Assert.Single(answers.Select(a => a.Id).Distinct());
        Assert.Equal(VirtualInterfaceCreation.IdFor(request, 0), answers[0].Id);
        Assert.Equal([("connection", answers[0].Id), ("gateway", answers[0].Id)], _reservations.Calls.ToArray());
        Assert.Empty((await Store.GetIntentIndexAsync(CancellationToken.None)).Index.Ids); // every intent closed
        Assert.Equal(["directconnect.events.v1.VirtualInterfaceCreated"], EventTypes());
    }

    [Fact]
    public async Task ARefusedReservationRollsBackWithItsOwnEventAndARetryTakesTheNextId()
    {
        var request = Request("refused-1");
        _reservations.RefuseGateway = true;
        var refused = await Assert.ThrowsAsync<DomainException>(() => Saga.CreateAsync(request, CancellationToken.None));
        Assert.Equal("CIDR_OVERLAP", refused.Reason);

        var first = VirtualInterfaceCreation.IdFor(request, 0);
        Assert.Null(await Store.GetAsync(first, CancellationToken.None));
        Assert.Equal("CIDR_OVERLAP", (await Store.GetAbandonedAsync(first, CancellationToken.None))!.Value.Reason);
        Assert.Empty((await Store.GetIntentIndexAsync(CancellationToken.None)).Index.Ids);
        Assert.Equal(["directconnect.events.v1.VirtualInterfaceCreationAbandoned"], EventTypes()); // not a deletion: nothing existed

        _reservations.RefuseGateway = false;
        var retried = await Saga.CreateAsync(request, CancellationToken.None);
        Assert.Equal(VirtualInterfaceCreation.IdFor(request, 1), retried.Id); // the rolled-back id is never used again
        Assert.NotEqual(first, retried.Id);
        Assert.Equal(retried, await Saga.CreateAsync(request, CancellationToken.None)); // and from now on the request answers with it
    }

    [Fact]
    public async Task ARollbackNeverTouchesAnInterfaceThatExists()
    {
        var created = await Saga.CreateAsync(Request("exists-1"), CancellationToken.None);
        var state = _services.GetRequiredService<IStateStore>();
        // An intent left open beside the interface (as the old code could leave it): rolling it back only closes it.
        var (intents, unchanged) = await Store.GetIntentIndexAsync(CancellationToken.None);
        Assert.True(await state.TryExecuteTransactionAsync(
            [VirtualInterfaceStore.PutIntent(new CreationIntent(created.Id, Account, "cn-north-1", "dxpc-000000000001", "dxbgw-000000000001", DateTimeOffset.UtcNow.AddHours(-1)), ETagCondition.MustNotExist),
             VirtualInterfaceStore.PutIntentIndex(intents.With(created.Id), unchanged)], []));

        Assert.False(await _services.GetRequiredService<CreationRollback>().AbandonAsync(created.Id, "ABANDONED"));
        Assert.NotNull(await Store.GetAsync(created.Id, CancellationToken.None));
        Assert.Null(await Store.GetAbandonedAsync(created.Id, CancellationToken.None));
        Assert.Empty((await Store.GetIntentIndexAsync(CancellationToken.None)).Index.Ids);
        Assert.DoesNotContain("directconnect.events.v1.VirtualInterfaceCreationAbandoned", EventTypes());
    }

    public void Dispose()
    {
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" })
        {
            File.Delete(file);
        }
    }

    private static CreationRequest Request(string requestId) => new(Account, "cn-north-1",
        new RequestId("virtual-interfaces/create", Account, requestId, "fingerprint-" + requestId),
        new VirtualInterface
        {
            Id = "", AccountId = Account, Region = "cn-north-1", Name = "vif", PhysicalConnectionId = "dxpc-000000000001",
            BorderGatewayId = "dxbgw-000000000001", Vlan = 100, BandwidthMbps = 100,
            Bgp = new BgpPeering(65001, 64512, "169.254.0.1/30", "169.254.0.2/30", null), IdcPrefixes = ["192.168.0.0/24"],
            State = VirtualInterfaceState.Configuring, CreateTime = default, UpdateTime = default, ETag = "",
        });

    private string[] EventTypes()
    {
        using var connection = new SqliteConnection($"Data Source={_database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT type FROM events ORDER BY seq";
        using var reader = command.ExecuteReader();
        var types = new List<string>();
        while (reader.Read())
        {
            types.Add(reader.GetString(0));
        }

        return [.. types];
    }

    /// <summary>The owners, as far as the saga can tell: each call recorded; the gateway refuses on demand.</summary>
    private sealed class RecordingReservations : IReservations
    {
        public ConcurrentQueue<(string Owner, string VirtualInterfaceId)> Calls { get; } = new();

        public TimeSpan Delay { get; set; }

        public bool RefuseGateway { get; set; }

        public async Task ReserveConnectionAsync(CreationIntent intent, int vlan, DateTime deadline, CancellationToken cancellationToken)
        {
            Calls.Enqueue(("connection", intent.VirtualInterfaceId));
            await Task.Delay(Delay, cancellationToken);
        }

        public Task<GatewayPlacement> ReserveGatewayAsync(CreationIntent intent, IReadOnlyList<string> idcPrefixes, DateTime deadline, CancellationToken cancellationToken)
        {
            Calls.Enqueue(("gateway", intent.VirtualInterfaceId));
            return RefuseGateway
                ? throw new DomainException(ErrorCode.InvalidArgument, "CIDR_OVERLAP", "overlaps a VPC")
                : Task.FromResult(GatewayPlacement.None);
        }
    }
}
