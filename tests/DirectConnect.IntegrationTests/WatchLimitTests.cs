using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json;
using DirectConnect.Contracts.V1;
using DirectConnect.Gateway.Watch;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Watches are bounded (issue 12): an account holds at most <c>DirectConnect:Watch:MaxStreamsPerAccount</c> open
/// streams, gRPC and server-sent events together, and a closed one gives its slot back.
/// </summary>
public sealed class WatchLimitTests(WatchLimitTests.TwoPerAccount system) : IClassFixture<WatchLimitTests.TwoPerAccount>
{
    private const string Region = "cn-north-1";
    private const int Limit = 2;

    /// <summary>Two watches per account.</summary>
    public sealed class TwoPerAccount : EmbeddedSystem
    {
        protected override IEnumerable<string> ExtraArguments => [$"--DirectConnect:Watch:MaxStreamsPerAccount={Limit}"];
    }

    private readonly WatchService.WatchServiceClient _watch = new(system.Channel);

    private static string NewAccount() => "watchcap-" + Guid.NewGuid().ToString("N")[..10];

    // A safety net against a hang, not an assertion about time.
    private static CancellationTokenSource Patience() => new(TimeSpan.FromSeconds(60));

    private async Task<AsyncServerStreamingCall<Change>> OpenGrpcAsync(string account, CancellationToken cancellationToken)
    {
        var call = _watch.WatchChanges(new WatchChangesRequest { Region = Region }, system.As(account, "customer").WithCancellationToken(cancellationToken));
        await call.ResponseHeadersAsync; // the server sends them once the watch is open
        return call;
    }

    private static async Task<HttpResponseMessage> OpenSseAsync(HttpClient http, CancellationToken cancellationToken) =>
        await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/v1/regions/{Region}/changes:watch"), HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    private async Task OpenCountDropsToAsync(string account, int count)
    {
        var streams = system.Services.GetRequiredService<WatchStreams>();
        using var patience = Patience();
        while (streams.OpenCount(account) > count)
        {
            await Task.Delay(20, patience.Token); // the server notices the client left a moment after it did
        }
    }

    [Fact]
    public async Task AWatchBeyondTheAccountsLimitIsResourceExhaustedOverGrpcAndServerSentEvents()
    {
        // Found by the security review: an account could hold unlimited watches, each re-reading the store every second
        // (6,000 of them: +166 MiB and seven times the idle CPU; near 20,000 the process ran out of file descriptors).
        var account = NewAccount();
        using var patience = Patience();
        using var http = system.Rest(account, "customer");
        using var first = await OpenSseAsync(http, patience.Token);
        using var second = await OpenSseAsync(http, patience.Token);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);

        using var refused = await OpenSseAsync(http, patience.Token);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        using (var body = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(patience.Token)))
        {
            Assert.Equal((int)StatusCode.ResourceExhausted, body.RootElement.GetProperty("code").GetInt32());
            Assert.Contains(body.RootElement.GetProperty("details").EnumerateArray(),
                d => d.TryGetProperty("reason", out var reason) && reason.GetString() == WatchStreams.LimitExceeded);
        }

        // The gRPC form counts against the same slots.
        var status = await RpcAssert.FailsWith(StatusCode.ResourceExhausted, async () =>
        {
            using var third = _watch.WatchChanges(new WatchChangesRequest { Region = Region }, system.As(account, "customer").WithCancellationToken(patience.Token));
            await third.ResponseStream.MoveNext(patience.Token);
        });
        Assert.Equal(WatchStreams.LimitExceeded, status.Reason());
        Assert.Equal(Limit.ToString(System.Globalization.CultureInfo.InvariantCulture), status.Detail<ErrorInfo>().Metadata["limit"]);
        Assert.Equal($"account:{account}", status.Detail<QuotaFailure>().Violations.Single().Subject);

        // Another account has slots of its own.
        using var other = await OpenGrpcAsync(NewAccount(), patience.Token);
    }

    [Fact]
    public async Task ClosingAWatchGivesItsSlotBack()
    {
        var account = NewAccount();
        using var patience = Patience();
        using var http = system.Rest(account, "customer");
        using var kept = await OpenGrpcAsync(account, patience.Token);
        using (var closing = CancellationTokenSource.CreateLinkedTokenSource(patience.Token))
        {
            using var grpc = await OpenGrpcAsync(account, closing.Token);
            await RpcAssert.FailsWith(StatusCode.ResourceExhausted, async () =>
            {
                using var third = await OpenGrpcAsync(account, patience.Token);
                await third.ResponseStream.MoveNext(patience.Token);
            });
            await closing.CancelAsync(); // the client goes away
        }

        await OpenCountDropsToAsync(account, Limit - 1);
        using (var sse = await OpenSseAsync(http, patience.Token))
        {
            Assert.Equal(HttpStatusCode.OK, sse.StatusCode); // the freed slot
            Assert.Equal(HttpStatusCode.TooManyRequests, (await OpenSseAsync(http, patience.Token)).StatusCode);
        }

        // A server-sent-events client going away frees its slot too.
        await OpenCountDropsToAsync(account, Limit - 1);
        using var again = await OpenGrpcAsync(account, patience.Token);
    }

    [Fact]
    public async Task ARefusedOrInvalidWatchHoldsNoSlot()
    {
        var account = NewAccount();
        using var patience = Patience();
        for (var i = 0; i < Limit + 2; i++)
        {
            await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () =>
            {
                using var bad = _watch.WatchChanges(new WatchChangesRequest { Region = "mars-1" }, system.As(account, "customer"));
                await bad.ResponseStream.MoveNext(patience.Token);
            });
        }

        Assert.Equal(0, system.Services.GetRequiredService<WatchStreams>().OpenCount(account));
        using var first = await OpenGrpcAsync(account, patience.Token);
        using var second = await OpenGrpcAsync(account, patience.Token);
    }
}

/// <summary>
/// A watch lasts at most <c>DirectConnect:Watch:MaxStreamDuration</c>; then the server ends it cleanly, and a client
/// that resumes from its last position misses nothing and sees nothing twice. (A short lifetime here; no assertion on time.)
/// </summary>
public sealed class WatchLifetimeTests(WatchLifetimeTests.ShortLived system) : IClassFixture<WatchLifetimeTests.ShortLived>
{
    private const string Region = "cn-north-1";
    private const int Renames = 6;

    /// <summary>Watches that last half a second.</summary>
    public sealed class ShortLived : EmbeddedSystem
    {
        protected override IEnumerable<string> ExtraArguments => ["--DirectConnect:Watch:MaxStreamDuration=00:00:00.500"];
    }

    private readonly Lifecycle _lifecycle = new(system.Channel, system.As);
    private readonly WatchService.WatchServiceClient _watch = new(system.Channel);

    private static CancellationTokenSource Patience() => new(TimeSpan.FromSeconds(120));

    private static void AssertEveryChangeOnceInOrder(PhysicalConnection connection, List<Change> seen)
    {
        Assert.Equal(Enumerable.Range(1, Renames + 1).Select(i => (long)i), seen.Select(c => c.Position));
        Assert.All(seen, c => Assert.Equal(connection.Id, c.ResourceId));
        Assert.Equal(Change.Types.ChangeType.Created, seen[0].ChangeType);
        Assert.All(seen.Skip(1), c => Assert.Equal(Change.Types.ChangeType.Updated, c.ChangeType));
    }

    [Fact]
    public async Task OverGrpcTheStreamEndsWithOkAndResumingFromTheLastPositionMissesNothing()
    {
        var account = "lifetime-" + Guid.NewGuid().ToString("N")[..10];
        using var patience = Patience();
        var connection = await _lifecycle.OrderAsync(account, system.DefaultLocationId);
        var seen = new List<Change>();
        var endings = 0;
        var renamed = 0;
        while (seen.Count < Renames + 1)
        {
            using var call = _watch.WatchChanges(new WatchChangesRequest { Region = Region, AfterPosition = seen.LastOrDefault()?.Position ?? 0 },
                _lifecycle.Customer(account).WithCancellationToken(patience.Token));
            await call.ResponseHeadersAsync;
            if (renamed < Renames)
            {
                await _lifecycle.RenameAsync(connection, $"name-{++renamed}"); // changes keep coming while streams come and go
            }

            while (await call.ResponseStream.MoveNext(patience.Token))
            {
                seen.Add(call.ResponseStream.Current);
            }

            // The server ended the stream (the client never cancels here): status OK, not an error.
            Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
            endings++;
        }

        Assert.True(endings >= 2, $"the watch was opened {endings} times");
        AssertEveryChangeOnceInOrder(connection, seen);
    }

    [Fact]
    public async Task OverServerSentEventsTheResponseEndsAndLastEventIdResumesWithoutAGap()
    {
        var account = "lifetime-" + Guid.NewGuid().ToString("N")[..10];
        using var patience = Patience();
        using var http = system.Rest(account, "customer");
        var connection = await _lifecycle.OrderAsync(account, system.DefaultLocationId);
        var seen = new List<Change>();
        var endings = 0;
        var renamed = 0;
        while (seen.Count < Renames + 1)
        {
            // What a reconnecting EventSource sends: the id of the last event it got.
            var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/regions/{Region}/changes:watch");
            if (seen.Count > 0)
            {
                request.Headers.Add("Last-Event-ID", seen[^1].Position.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, patience.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            if (renamed < Renames)
            {
                await _lifecycle.RenameAsync(connection, $"name-{++renamed}");
            }

            await using var body = await response.Content.ReadAsStreamAsync(patience.Token);
            await foreach (var item in SseParser.Create(body).EnumerateAsync(patience.Token))
            {
                Assert.Equal("change", item.EventType);
                seen.Add(JsonParser.Default.Parse<Change>(item.Data));
            }

            endings++; // the response ended: the server closed it
        }

        Assert.True(endings >= 2, $"the watch was opened {endings} times");
        AssertEveryChangeOnceInOrder(connection, seen);
    }
}
