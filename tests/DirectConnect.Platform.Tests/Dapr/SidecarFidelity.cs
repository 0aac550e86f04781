using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Coordination.Dapr;
using DirectConnect.Platform.Tests.Infrastructure;
using DirectConnect.Testing.Dapr;
using Microsoft.Extensions.DependencyInjection;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.Dapr;

/// <summary>
/// What only the Dapr adapter must get right for daprd as its source describes it (see
/// <see cref="DaprTestSidecar"/>): how it publishes, what a failed transaction means, TTLs the store
/// accepts, and the API token on every channel to the sidecar.
/// </summary>
public sealed class TheDaprAdapterMeetsDaprAsItsSourceDescribesIt() : ConformanceTest(new DaprAdapter())
{
    private DaprAdapter Dapr => (DaprAdapter)Adapter;

    [Fact]
    public async Task TheRelayPublishesBytesAsOctetStreamKeyedByTheirResource()
    {
        await using var host = await Dapr.StartHostAsync(_ => { });
        Assert.True(await host.Store.TryPublishAsync(Event("keyed") with { OrderingKey = "dxpc-0123456789ab" }, Event("unkeyed") with { OrderingKey = null }));
        await Eventually.HoldsAsync(() => Dapr.TestSidecar.Envelopes(Topic).Count == 2, () => "the relay did not publish both events");

        var (keyed, keyedMetadata) = Dapr.TestSidecar.Envelopes(Topic).Single(e => e.Envelope["id"]!.GetValue<string>() == "keyed");
        // components-contrib pubsub/envelope.go: only binary content keeps its bytes, in data_base64.
        Assert.Equal(DaprOutboxRelay.PublishContentType, keyed["datacontenttype"]!.GetValue<string>());
        Assert.Equal(Convert.ToBase64String(Bytes("keyed").ToArray()), keyed["data_base64"]!.GetValue<string>());
        Assert.Null(keyed["data"]);
        // common/component/kafka: partitionKey picks the partition, so one resource's events keep their order.
        Assert.Equal("dxpc-0123456789ab", keyedMetadata["partitionKey"]);
        Assert.False(Dapr.TestSidecar.Envelopes(Topic).Single(e => e.Envelope["id"]!.GetValue<string>() == "unkeyed").Metadata.ContainsKey("partitionKey"));
    }

    [Fact]
    public async Task AFailedTransactionWhoseConditionsStillHoldIsAnErrorNotALostRace()
    {
        await using var services = Dapr.StoreOnly();
        var store = services.Store();
        Assert.True(await store.TrySaveAsync("k", Bytes("v1"), ETagCondition.MustNotExist));
        var read = await store.GetAsync("k");

        // The store breaks (daprd: Internal, ERR_STATE_TRANSACTION, as for a lost race): the condition still holds, so it is no race.
        Dapr.TestSidecar.FailTransactions(1);
        await Assert.ThrowsAsync<global::Dapr.DaprException>(() => store.TrySaveAsync("k", Bytes("v2"), ETagCondition.Matches(read!.ETag)));

        // A real lost race, answered the same way by daprd, is false.
        Assert.True(await store.TrySaveAsync("k", Bytes("v2"), ETagCondition.Matches(read!.ETag)));
        Assert.False(await store.TrySaveAsync("k", Bytes("v3"), ETagCondition.Matches(read.ETag)));
        Assert.Equal("v2", (await store.GetAsync("k"))!.Text());
    }

    [Fact]
    public async Task ATimeToLiveBeyondWhatTheStoreAcceptsIsCappedNotRefused()
    {
        await using var services = Dapr.StoreOnly();
        // state/utils/ttl.go refuses more than int32 seconds (about 68 years).
        Assert.True(await services.Store().TryExecuteTransactionAsync(
            [new UpsertState("forever", Bytes("v"), ETagCondition.MustNotExist, TimeSpan.FromDays(365 * 100))], []));
        Assert.Equal("v", (await services.Store().GetAsync("forever"))!.Text());
    }
}

/// <summary>With a Dapr API token on the sidecar, every call of the adapter carries it: the SDK's and the raw runtime client's (bulk reads).</summary>
public sealed class WithADaprApiTokenEveryCallToTheSidecarCarriesIt : IAsyncLifetime
{
    private DaprTestSidecar _sidecar = null!;

    public async Task InitializeAsync() => _sidecar = await DaprTestSidecar.StartAsync(new DaprTestSidecarOptions { DaprApiToken = "sidecar-api-token" });

    public async Task DisposeAsync() => await _sidecar.DisposeAsync();

    [Fact]
    public async Task ReadsWritesAndBulkReadsAreServedWithTheTokenAndRefusedWithout()
    {
        await using var withToken = Store(token: "sidecar-api-token");
        var store = withToken.Store();
        Assert.True(await store.TrySaveAsync("k", Bytes("v"), ETagCondition.MustNotExist));
        Assert.Equal("v", (await store.GetBulkAsync(["k", "absent"]))["k"].Text());

        await using var without = Store(token: null);
        var refused = await Assert.ThrowsAnyAsync<Exception>(() => without.Store().GetBulkAsync(["k"]));
        Assert.Contains("api token", refused.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    private ServiceProvider Store(string? token)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDaprCoordination(o =>
        {
            o.GrpcEndpoint = _sidecar.Endpoint;
            o.StoreName = DaprTestSidecar.StoreName;
            o.PubSubName = DaprTestSidecar.PubSubName;
            o.ApiToken = token;
        });
        return services.BuildServiceProvider();
    }
}
