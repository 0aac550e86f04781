using System.Net;
using System.Text.Json;
using DirectConnect.Contracts.V1;
using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>Per-account token buckets: over the limit is RESOURCE_EXHAUSTED / 429 with when to retry; other accounts are unaffected.</summary>
public sealed class RateLimitTests(RateLimitTests.Limited system) : IClassFixture<RateLimitTests.Limited>
{
    private const int Burst = 5;

    /// <summary>Buckets of five calls that refill far slower than a test runs.</summary>
    public sealed class Limited : EmbeddedSystem
    {
        protected override IEnumerable<string> ExtraArguments =>
        [
            $"--DirectConnect:RateLimits:TokenLimit={Burst}",
            "--DirectConnect:RateLimits:TokensPerPeriod=1",
            "--DirectConnect:RateLimits:ReplenishmentPeriod=01:00:00",
        ];
    }

    private Task<ListPhysicalConnectionsResponse> ListAsync(string account) =>
        new PhysicalConnectionService.PhysicalConnectionServiceClient(system.Channel)
            .ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Seed.Region }, system.As(account, "customer")).ResponseAsync;

    [Fact]
    public async Task AnAccountOverItsBurstIsToldToRetryLaterOverGrpcAndOthersAreNot()
    {
        for (var i = 0; i < Burst; i++)
        {
            await ListAsync("busy-grpc");
        }

        var status = await RpcAssert.FailsWith(StatusCode.ResourceExhausted, () => ListAsync("busy-grpc"));
        Assert.Equal("RATE_LIMITED", status.Reason());
        var retry = status.Detail<RetryInfo>().RetryDelay.ToTimeSpan();
        Assert.InRange(retry, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Assert.Contains("request rate", status.Detail<QuotaFailure>().Violations.Single().Description, StringComparison.Ordinal);

        // Another account has its own bucket.
        await ListAsync("quiet-grpc");
    }

    [Fact]
    public async Task OverRestTheLimitIsA429WithRetryAfterAndTheSameStatus()
    {
        using var http = system.Rest("busy-rest", "customer");
        for (var i = 0; i < Burst; i++)
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"/v1/regions/{Seed.Region}/physicalConnections")).StatusCode);
        }

        using var limited = await http.GetAsync($"/v1/regions/{Seed.Region}/physicalConnections");
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        var retryAfter = limited.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.True(retryAfter >= TimeSpan.FromSeconds(1), $"Retry-After {retryAfter}");
        using var status = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
        Assert.Equal((int)StatusCode.ResourceExhausted, status.RootElement.GetProperty("code").GetInt32());
        var details = status.RootElement.GetProperty("details").EnumerateArray().ToArray();
        Assert.Contains(details, d => d.TryGetProperty("reason", out var reason) && reason.GetString() == "RATE_LIMITED");
        Assert.Contains(details, d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.RetryInfo");
    }

    [Fact]
    public async Task GrpcAndRestDrawOnTheSameBucket()
    {
        using var http = system.Rest("both-ways", "customer");
        for (var i = 0; i < Burst; i++)
        {
            await ListAsync("both-ways");
        }

        Assert.Equal(HttpStatusCode.TooManyRequests, (await http.GetAsync($"/v1/regions/{Seed.Region}/physicalConnections")).StatusCode);
    }

    [Fact]
    public async Task TheServerSentEventsWatchDrawsOnTheSameBucket()
    {
        using var http = system.Rest("sse-busy", "customer");
        for (var i = 0; i < Burst; i++)
        {
            await ListAsync("sse-busy");
        }

        using var watch = await http.GetAsync($"/v1/regions/{Seed.Region}/changes:watch", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.TooManyRequests, watch.StatusCode);
        Assert.NotNull(watch.Headers.RetryAfter?.Delta);
    }

    [Fact]
    public async Task AnOverLimitRestCallIsRefusedAsRateLimitedBeforeItsBodyIsRead()
    {
        // Found by the security review: the limit ran as a gRPC interceptor, after transcoding had read and parsed the
        // body. A malformed body proves the order: parsed first, it would be refused as bad JSON (400).
        using var http = system.Rest("busy-body", "operator");
        for (var i = 0; i < Burst; i++)
        {
            await ListAsync("busy-body");
        }

        using var limited = await http.PostAsync($"/v1/regions/{Seed.Region}/locations", RequestSizeLimitTests.Json(RequestSizeLimitTests.MalformedJsonOf(512 * 1024)));
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        using var status = JsonDocument.Parse(await limited.Content.ReadAsStringAsync());
        Assert.Contains(status.RootElement.GetProperty("details").EnumerateArray(),
            d => d.TryGetProperty("reason", out var reason) && reason.GetString() == "RATE_LIMITED");
    }

    [Fact]
    public async Task AnOverLimitGrpcCallIsRefusedAsRateLimitedBeforeItsMessageIsParsed()
    {
        for (var i = 0; i < Burst; i++)
        {
            await ListAsync("busy-bytes");
        }

        // Bytes that are no protobuf message: parsed first, they would be INVALID_ARGUMENT (MALFORMED_REQUEST).
        var rpc = new Method<byte[], byte[]>(MethodType.Unary, "directconnect.v1.LocationService", "CreateLocation",
            Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        var status = await RpcAssert.FailsWith(StatusCode.ResourceExhausted, () =>
            system.Channel.CreateCallInvoker().AsyncUnaryCall(rpc, null, system.As("busy-bytes", "operator"), [0x0F, 0x01]).ResponseAsync);
        Assert.Equal("RATE_LIMITED", status.Reason());
    }

    [Fact]
    public async Task AThrottledCallIsStillCountedInTheCallMetrics()
    {
        using var listener = new System.Diagnostics.Metrics.MeterListener();
        var counted = 0L;
        var factory = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(system.Services);
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Name == "directconnect.rpc.server.requests" && ReferenceEquals(instrument.Meter.Scope, factory))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            var t = tags.ToArray();
            if (t.Any(x => x.Key == "rpc.grpc.status_code" && Equals(x.Value, "RESOURCE_EXHAUSTED")) && t.Any(x => x.Key == "rpc.method" && Equals(x.Value, "ListPhysicalConnections")))
            {
                Interlocked.Add(ref counted, value);
            }
        });
        listener.Start();
        for (var i = 0; i < Burst; i++)
        {
            await ListAsync("busy-metrics");
        }

        await RpcAssert.FailsWith(StatusCode.ResourceExhausted, () => ListAsync("busy-metrics"));
        Assert.Equal(1, Interlocked.Read(ref counted));
    }
}
