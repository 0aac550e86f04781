using System.Net;
using System.Text.Json;
using DirectConnect.Testing.Dapr;
using Grpc.Health.V1;

namespace DirectConnect.IntegrationTests;

/// <summary>What a probe reads from <c>/healthz</c> or <c>/readyz</c>: the HTTP status and each check's status.</summary>
public sealed record ProbeAnswer(HttpStatusCode Code, string Status, IReadOnlyDictionary<string, string> Checks)
{
    /// <summary>GETs <paramref name="path"/> on <paramref name="restAddress"/> without any token, as a kubelet does.</summary>
    public static async Task<ProbeAnswer> GetAsync(Uri restAddress, string path)
    {
        using var http = new HttpClient { BaseAddress = restAddress };
        using var response = await http.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"{path} answered {(int)response.StatusCode} {body}");
        using var json = JsonDocument.Parse(body);
        var checks = json.RootElement.GetProperty("checks").EnumerateObject().ToDictionary(c => c.Name, c => c.Value.GetProperty("status").GetString()!, StringComparer.Ordinal);
        return new ProbeAnswer(response.StatusCode, json.RootElement.GetProperty("status").GetString()!, checks);
    }

    /// <summary>Waits until <c>/readyz</c> answers 200 (a process's delivery loops start just after it listens).</summary>
    public static Task<ProbeAnswer> ReadyAsync(Uri restAddress) =>
        Seed.EventuallyAsync(() => GetAsync(restAddress, "/readyz"), a => a.Code == HttpStatusCode.OK, "became ready");
}

/// <summary>Liveness and readiness over HTTP on the REST port, for probes that carry no token.</summary>
public sealed class ProbeTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    [Fact]
    public async Task LivenessAnswersWithoutATokenThatTheProcessIsUp()
    {
        var live = await ProbeAnswer.GetAsync(system.RestAddress, "/healthz");
        Assert.Equal(HttpStatusCode.OK, live.Code);
        Assert.Equal("Healthy", live.Status);
        Assert.Equal(new Dictionary<string, string> { ["self"] = "Healthy" }, live.Checks);
    }

    [Fact]
    public async Task ReadinessAnswersWithoutATokenThatTheStoreAnswersAndEventsAreDelivered()
    {
        var ready = await ProbeAnswer.ReadyAsync(system.RestAddress);
        Assert.Equal("Healthy", ready.Status);
        Assert.Equal(new Dictionary<string, string> { ["events"] = "Healthy", ["self"] = "Healthy", ["state"] = "Healthy" }, ready.Checks);
    }
}

/// <summary>
/// Readiness follows the Dapr sidecar, through which the store is read: ready while it answers, not
/// ready once it is gone — while liveness (HTTP and gRPC health alike) stays up, since restarting the
/// process would not bring the sidecar back.
/// </summary>
public sealed class DaprReadinessTests : IAsyncLifetime
{
    private DaprTestSidecar _sidecar = null!;
    private DaprSystem _system = null!;
    private bool _sidecarStopped;

    private sealed class DaprSystem(string endpoint) : EmbeddedSystem
    {
        protected override IEnumerable<string> ExtraArguments =>
        [
            "--DirectConnect:Coordination:Adapter=Dapr",
            $"--DirectConnect:Coordination:Dapr:GrpcEndpoint={endpoint}",
            $"--DirectConnect:Coordination:Dapr:StoreName={DaprTestSidecar.StoreName}",
            $"--DirectConnect:Coordination:Dapr:PubSubName={DaprTestSidecar.PubSubName}",
            "--DirectConnect:Coordination:Dapr:AppApiToken=readiness-test-token",
        ];
    }

    public async Task InitializeAsync()
    {
        _sidecar = await DaprTestSidecar.StartAsync();
        _system = new DaprSystem(_sidecar.Endpoint);
        await _system.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _system.DisposeAsync();
        if (!_sidecarStopped)
        {
            await _sidecar.DisposeAsync();
        }
    }

    [Fact]
    public async Task ReadinessFollowsTheSidecarAndLivenessDoesNot()
    {
        var ready = await ProbeAnswer.ReadyAsync(_system.RestAddress);
        Assert.Equal("Healthy", ready.Checks["state"]);
        Assert.Equal("Healthy", ready.Checks["events"]);

        await _sidecar.DisposeAsync();
        _sidecarStopped = true;

        var notReady = await ProbeAnswer.GetAsync(_system.RestAddress, "/readyz");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.Code);
        Assert.Equal("Unhealthy", notReady.Status);
        Assert.Equal("Unhealthy", notReady.Checks["state"]);
        Assert.Equal(HttpStatusCode.OK, (await ProbeAnswer.GetAsync(_system.RestAddress, "/healthz")).Code);
        var grpcHealth = await new Health.HealthClient(_system.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, grpcHealth.Status);
    }
}
