using System.Net;
using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using DirectConnect.Contracts.V1;
using DirectConnect.Gateway.Watch;
using DirectConnect.Platform.Coordination;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Events = DirectConnect.Contracts.Events.V1;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The watch (issue 6): a client waits for AVAILABLE on the change stream instead of polling, and
/// one that disconnects and resumes from its last position sees every change exactly once, in
/// order — over gRPC and over server-sent events.
/// </summary>
public sealed class WatchTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private const string Region = Lifecycle.Region;
    private const string StateChanged = "directconnect.events.v1.PhysicalConnectionStateChanged";

    private readonly Lifecycle _lifecycle = new(system.Channel, system.As);
    private readonly WatchService.WatchServiceClient _watch = new(system.Channel);

    private static string NewAccount() => "watch-" + Guid.NewGuid().ToString("N")[..10];

    // What a client sees of one change, minus positions and times (asserted separately).
    private static string Describe(Change change) =>
        $"{change.EventType.Replace("directconnect.events.v1.", "", StringComparison.Ordinal)} {change.ResourceType}/{change.ResourceId} {change.ChangeType} {change.PreviousState}->{change.State}";

    private static string[] ExpectedLifecycle(string id) =>
    [
        $"PhysicalConnectionCreated physicalConnection/{id} Created ->STATE_APPLYING",
        $"PhysicalConnectionStateChanged physicalConnection/{id} StateChanged STATE_APPLYING->STATE_PENDING_PAYMENT",
        $"PhysicalConnectionStateChanged physicalConnection/{id} StateChanged STATE_PENDING_PAYMENT->STATE_UNDER_CONSTRUCTION",
        $"PortAllocated physicalConnection/{id} Updated ->",
        // while the client is away:
        $"PhysicalConnectionUpdated physicalConnection/{id} Updated ->STATE_UNDER_CONSTRUCTION",
        $"PhysicalConnectionStateChanged physicalConnection/{id} StateChanged STATE_UNDER_CONSTRUCTION->STATE_AWAITING_CONFIRMATION",
        $"PhysicalConnectionStateChanged physicalConnection/{id} StateChanged STATE_AWAITING_CONFIRMATION->STATE_AVAILABLE",
        // after AVAILABLE, one more change: a duplicate of AVAILABLE would show up before it
        $"PhysicalConnectionUpdated physicalConnection/{id} Updated ->STATE_AVAILABLE",
    ];

    private static bool IsAvailable(Change change) => change.EventType == StateChanged && change.State == "STATE_AVAILABLE";

    private static bool IsUnderConstruction(Change change) => change.EventType == StateChanged && change.State == "STATE_UNDER_CONSTRUCTION";

    private static void AssertExactlyOnceInOrder(IReadOnlyList<Change> seen, IReadOnlyList<string> expected)
    {
        Assert.Equal(expected, seen.Select(Describe));
        Assert.Equal(Enumerable.Range(1, expected.Count).Select(i => (long)i), seen.Select(c => c.Position));
        Assert.All(seen, c => Assert.NotNull(c.Time));
    }

    // A safety net against a hang, not an assertion about time.
    private static CancellationTokenSource Patience() => new(TimeSpan.FromSeconds(60));

    private static async Task ReadUntilAsync(IAsyncStreamReader<Change> stream, List<Change> seen, Func<Change, bool> last, CancellationToken cancellationToken)
    {
        while (await stream.MoveNext(cancellationToken))
        {
            seen.Add(stream.Current);
            if (last(stream.Current))
            {
                return;
            }
        }

        throw new Xunit.Sdk.XunitException("The watch ended before the awaited change.");
    }

    [Fact]
    public async Task OverGrpcAClientThatDisconnectsAndResumesSeesEveryChangeExactlyOnceInOrder()
    {
        var account = NewAccount();
        await system.AddDeviceAsync(system.DefaultLocationId, 1);
        var seen = new List<Change>();
        PhysicalConnection connection;

        using (var first = Patience())
        {
            using var call = _watch.WatchChanges(new WatchChangesRequest { Region = Region },
                _lifecycle.Customer(account).WithCancellationToken(first.Token));
            connection = await _lifecycle.OrderAsync(account, system.DefaultLocationId);
            await _lifecycle.PayAsync(await _lifecycle.ApproveAsync(connection));
            await ReadUntilAsync(call.ResponseStream, seen, IsUnderConstruction, first.Token);
            await first.CancelAsync(); // the client goes away mid-stream, before the port allocation
        }

        Assert.Equal(3, seen.Count);
        var renamed = await _lifecycle.RenameAsync(connection, "renamed-while-away");
        await _lifecycle.ConfirmAsync(await _lifecycle.BuildAsync(renamed));

        using (var second = Patience())
        {
            using var call = _watch.WatchChanges(new WatchChangesRequest { Region = Region, AfterPosition = seen[^1].Position },
                _lifecycle.Customer(account).WithCancellationToken(second.Token));
            // The client waits for AVAILABLE on the stream: no polling.
            await ReadUntilAsync(call.ResponseStream, seen, IsAvailable, second.Token);
            await _lifecycle.RenameAsync(connection, "after-available");
            await ReadUntilAsync(call.ResponseStream, seen, c => c.EventType.EndsWith("Updated", StringComparison.Ordinal), second.Token);
        }

        AssertExactlyOnceInOrder(seen, ExpectedLifecycle(connection.Id));
    }

    [Fact]
    public async Task OverServerSentEventsAClientThatDisconnectsAndResumesWithLastEventIdSeesEveryChangeExactlyOnceInOrder()
    {
        var account = NewAccount();
        await system.AddDeviceAsync(system.DefaultLocationId, 1);
        using var http = system.Rest(account, "customer");
        var path = $"/v1/regions/{Region}/changes:watch";
        var seen = new List<Change>();
        PhysicalConnection connection;
        string? lastEventId;

        using (var first = Patience())
        {
            using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path + "?afterPosition=0"),
                HttpCompletionOption.ResponseHeadersRead, first.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            await using var body = await response.Content.ReadAsStreamAsync(first.Token);
            var events = SseParser.Create(body).EnumerateAsync(first.Token).GetAsyncEnumerator(first.Token);
            connection = await _lifecycle.OrderAsync(account, system.DefaultLocationId);
            await _lifecycle.PayAsync(await _lifecycle.ApproveAsync(connection));
            lastEventId = await ReadUntilAsync(events, seen, IsUnderConstruction);
            await first.CancelAsync();
        }

        Assert.Equal(3, seen.Count);
        var renamed = await _lifecycle.RenameAsync(connection, "renamed-while-away");
        await _lifecycle.ConfirmAsync(await _lifecycle.BuildAsync(renamed));

        using (var second = Patience())
        {
            // What a reconnecting EventSource sends: the same URL, and the id of the last event it got.
            var resume = new HttpRequestMessage(HttpMethod.Get, path + "?afterPosition=0");
            resume.Headers.Add("Last-Event-ID", lastEventId);
            using var response = await http.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead, second.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            await using var body = await response.Content.ReadAsStreamAsync(second.Token);
            var events = SseParser.Create(body).EnumerateAsync(second.Token).GetAsyncEnumerator(second.Token);
            await ReadUntilAsync(events, seen, IsAvailable);
            await _lifecycle.RenameAsync(connection, "after-available");
            await ReadUntilAsync(events, seen, c => c.EventType.EndsWith("Updated", StringComparison.Ordinal));
        }

        AssertExactlyOnceInOrder(seen, ExpectedLifecycle(connection.Id));
    }

    // Reads server-sent events into changes until one matches; returns the id of the last event.
    private static async Task<string> ReadUntilAsync(IAsyncEnumerator<SseItem<string>> events, List<Change> seen, Func<Change, bool> last)
    {
        while (await events.MoveNextAsync())
        {
            var item = events.Current;
            Assert.Equal("change", item.EventType);
            var change = JsonParser.Default.Parse<Change>(item.Data);
            Assert.Equal(change.Position.ToString(System.Globalization.CultureInfo.InvariantCulture), item.EventId);
            Assert.Contains("\"resourceType\":", item.Data, StringComparison.Ordinal); // lowerCamelCase proto JSON
            seen.Add(change);
            if (last(change))
            {
                return item.EventId!;
            }
        }

        throw new Xunit.Sdk.XunitException("The event stream ended before the awaited change.");
    }

    [Fact]
    public async Task AnotherAccountsWatchSeesNoneOfTheseChanges()
    {
        var account = NewAccount();
        var connection = await _lifecycle.ApproveAsync(await _lifecycle.OrderAsync(account, system.DefaultLocationId));
        var mine = new List<Change>();
        using (var patience = Patience())
        {
            using var call = _watch.WatchChanges(new WatchChangesRequest { Region = Region }, _lifecycle.Customer(account).WithCancellationToken(patience.Token));
            await ReadUntilAsync(call.ResponseStream, mine, c => c.State == "STATE_PENDING_PAYMENT", patience.Token);
        }

        Assert.All(mine, c => Assert.Equal(connection.Id, c.ResourceId));

        // Everything of the first account is recorded by now; the other account's own change marks the end of what it can see.
        var other = NewAccount();
        var sentinel = await _lifecycle.OrderAsync(other, system.DefaultLocationId);
        var theirs = new List<Change>();
        using (var patience = Patience())
        {
            using var call = _watch.WatchChanges(new WatchChangesRequest { Region = Region }, _lifecycle.Customer(other).WithCancellationToken(patience.Token));
            await ReadUntilAsync(call.ResponseStream, theirs, c => c.ResourceId == sentinel.Id, patience.Token);
        }

        Assert.Equal([$"PhysicalConnectionCreated physicalConnection/{sentinel.Id} Created ->STATE_APPLYING"], theirs.Select(Describe));
        Assert.Equal(1, theirs[0].Position);

        // An operator watches its own account's feed, not everyone's.
        using (var patience = Patience())
        {
            var operatorSentinel = await _lifecycle.OrderAsync("ops-" + Guid.NewGuid().ToString("N")[..6], system.DefaultLocationId);
            var ops = new List<Change>();
            using var call = _watch.WatchChanges(new WatchChangesRequest { Region = Region },
                system.As(operatorSentinel.AccountId, "customer", "operator").WithCancellationToken(patience.Token));
            await ReadUntilAsync(call.ResponseStream, ops, c => c.ResourceId == operatorSentinel.Id, patience.Token);
            Assert.Equal([operatorSentinel.Id], ops.Select(c => c.ResourceId));
        }
    }

    [Fact]
    public async Task AWatchStartedAtTheHeadSaysWhereItStartsAndStreamsOnlyWhatComesAfterOnBothTransports()
    {
        var account = NewAccount();
        // Two changes already in the feed (positions 1 and 2), which a watch from the head does not replay. The feed is
        // recorded from the events, just after each commit: a watch from the start waits until both are there.
        var connection = await _lifecycle.ApproveAsync(await _lifecycle.OrderAsync(account, system.DefaultLocationId));
        using (var patience = Patience())
        {
            using var call = _watch.WatchChanges(new WatchChangesRequest { Region = Region }, _lifecycle.Customer(account).WithCancellationToken(patience.Token));
            await ReadUntilAsync(call.ResponseStream, [], c => c.Position == 2, patience.Token);
        }

        using (var patience = Patience())
        {
            using var call = _watch.WatchChanges(new WatchChangesRequest { Region = Region, StartAtHead = true },
                _lifecycle.Customer(account).WithCancellationToken(patience.Token));
            var headers = await call.ResponseHeadersAsync;
            Assert.Equal("2", headers.GetValue(WatchGrpcService.StartPositionHeader));
            connection = await _lifecycle.RenameAsync(connection, "after-the-head");
            var seen = new List<Change>();
            await ReadUntilAsync(call.ResponseStream, seen, _ => true, patience.Token);
            Assert.Equal([(3L, $"PhysicalConnectionUpdated physicalConnection/{connection.Id} Updated ->STATE_PENDING_PAYMENT")],
                seen.Select(c => (c.Position, Describe(c))));
        }

        // The same over server-sent events (startAtHead=true), and a Last-Event-ID wins over it, as over the position.
        using var http = system.Rest(account, "customer");
        var path = $"/v1/regions/{Region}/changes:watch";
        using (var patience = Patience())
        {
            using var response = await http.SendAsync(new HttpRequestMessage(HttpMethod.Get, path + "?startAtHead=true"),
                HttpCompletionOption.ResponseHeadersRead, patience.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(["3"], response.Headers.GetValues("Watch-Start-Position"));
            await using var body = await response.Content.ReadAsStreamAsync(patience.Token);
            var events = SseParser.Create(body).EnumerateAsync(patience.Token).GetAsyncEnumerator(patience.Token);
            await _lifecycle.RenameAsync(connection, "after-the-head-again");
            var seen = new List<Change>();
            Assert.Equal("4", await ReadUntilAsync(events, seen, _ => true));
        }

        using (var patience = Patience())
        {
            var resume = new HttpRequestMessage(HttpMethod.Get, path + "?startAtHead=true");
            resume.Headers.Add("Last-Event-ID", "1");
            using var response = await http.SendAsync(resume, HttpCompletionOption.ResponseHeadersRead, patience.Token);
            Assert.Equal(["1"], response.Headers.GetValues("Watch-Start-Position"));
            await using var body = await response.Content.ReadAsStreamAsync(patience.Token);
            var events = SseParser.Create(body).EnumerateAsync(patience.Token).GetAsyncEnumerator(patience.Token);
            var seen = new List<Change>();
            Assert.Equal("2", await ReadUntilAsync(events, seen, _ => true));
        }

        // Both ways of saying where to start at once is refused, naming the field; so is a flag that is not true or false.
        var both = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () =>
        {
            using var call = _watch.WatchChanges(new WatchChangesRequest { Region = Region, AfterPosition = 1, StartAtHead = true }, _lifecycle.Customer(account));
            await call.ResponseStream.MoveNext();
        });
        Assert.Equal(["start_at_head"], both.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
        var flag = await StatusOf(await http.GetAsync(path + "?startAtHead=maybe"));
        var violations = flag["details"]!.AsArray().Single(d => d!["@type"]!.GetValue<string>() == "type.googleapis.com/google.rpc.BadRequest")!["fieldViolations"]!.AsArray();
        Assert.Equal(["start_at_head"], violations.Select(v => v!["field"]!.GetValue<string>()));
    }

    [Fact]
    public async Task BadInputIsInvalidArgumentOverGrpc()
    {
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () =>
        {
            using var call = _watch.WatchChanges(new WatchChangesRequest { Region = "mars-1", AfterPosition = -1 }, _lifecycle.Customer(NewAccount()));
            await call.ResponseStream.MoveNext();
        });
        Assert.Equal("INVALID_ARGUMENT", status.Reason());
        Assert.Equal(["region", "after_position"], status.Detail<BadRequest>().FieldViolations.Select(v => v.Field));

        // A position the feed never handed out is refused too, rather than silently skipping what comes before it.
        var beyond = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () =>
        {
            using var call = _watch.WatchChanges(new WatchChangesRequest { Region = Region, AfterPosition = 5 }, _lifecycle.Customer(NewAccount()));
            await call.ResponseStream.MoveNext();
        });
        Assert.Equal(["after_position"], beyond.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task BadInputIsA400WithTheSameStatusAsGrpcOverServerSentEvents()
    {
        using var http = system.Rest(NewAccount(), "customer");

        var status = await StatusOf(await http.GetAsync("/v1/regions/mars-1/changes:watch?afterPosition=-1"));
        var details = status["details"]!.AsArray();
        Assert.Contains(details, d => d!["@type"]!.GetValue<string>() == "type.googleapis.com/google.rpc.ErrorInfo" && d["reason"]!.GetValue<string>() == "INVALID_ARGUMENT");
        var violations = details.Single(d => d!["@type"]!.GetValue<string>() == "type.googleapis.com/google.rpc.BadRequest")!["fieldViolations"]!.AsArray();
        Assert.Equal(["region", "after_position"], violations.Select(v => v!["field"]!.GetValue<string>()));

        var notANumber = new HttpRequestMessage(HttpMethod.Get, $"/v1/regions/{Region}/changes:watch");
        notANumber.Headers.Add("Last-Event-ID", "yesterday");
        var header = await StatusOf(await http.SendAsync(notANumber));
        Assert.Contains("Last-Event-ID", header.ToJsonString(), StringComparison.Ordinal);

        using var anonymous = system.Rest(null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/v1/regions/{Region}/changes:watch")).StatusCode);

    }

    // A REST refusal of bad input: 400 with the google.rpc.Status of INVALID_ARGUMENT as JSON.
    private static async Task<JsonObject> StatusOf(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"expected 400, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var status = JsonNode.Parse(body)!.AsObject();
        Assert.Equal(3, status["code"]!.GetValue<int>());
        return status;
    }

    [Fact]
    public async Task RedeliveredEventsAppendNothingAndConcurrentAppendsGetOnePositionEach()
    {
        var account = NewAccount();
        var events = Enumerable.Range(0, 12).Select(i => StateChangedEvent(account, $"dxpc-watch{i:D4}")).ToArray();

        // Every event twice (as at-least-once delivery may), all at once: appends race for the head.
        var outcomes = await Task.WhenAll(events.Concat(events).Select(async cloudEvent =>
        {
            using var scope = system.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<ChangeFeedRecorder>().HandleAsync(cloudEvent, CancellationToken.None);
        }));
        Assert.All(outcomes, o => Assert.Equal(EventHandling.Success, o));

        // And once more, after the fact.
        using (var scope = system.Services.CreateScope())
        {
            Assert.Equal(EventHandling.Success, await scope.ServiceProvider.GetRequiredService<ChangeFeedRecorder>().HandleAsync(events[0], CancellationToken.None));
        }

        var sentinel = StateChangedEvent(account, "dxpc-watchlast");
        using (var scope = system.Services.CreateScope())
        {
            await scope.ServiceProvider.GetRequiredService<ChangeFeedRecorder>().HandleAsync(sentinel, CancellationToken.None);
        }

        var seen = new List<Change>();
        using (var patience = Patience())
        {
            using var call = _watch.WatchChanges(new WatchChangesRequest { Region = Region }, _lifecycle.Customer(account).WithCancellationToken(patience.Token));
            await ReadUntilAsync(call.ResponseStream, seen, c => c.ResourceId == "dxpc-watchlast", patience.Token);
        }

        Assert.Equal(Enumerable.Range(1, events.Length + 1).Select(i => (long)i), seen.Select(c => c.Position));
        Assert.Equal(events.Select((_, i) => $"dxpc-watch{i:D4}").Order(StringComparer.Ordinal),
            seen.SkipLast(1).Select(c => c.ResourceId).Order(StringComparer.Ordinal));
        Assert.Equal("dxpc-watchlast", seen[^1].ResourceId);
    }

    [Fact]
    public async Task ABatchAppendsEachChangeToItsAccountsFeedInOrderAndDeliveredAgainAppendsOnlyWhatIsNew()
    {
        var (first, second) = (NewAccount(), NewAccount());
        var a = Enumerable.Range(0, 3).Select(i => StateChangedEvent(first, $"dxpc-batcha{i}")).ToArray();
        var b = Enumerable.Range(0, 2).Select(i => StateChangedEvent(second, $"dxpc-batchb{i}")).ToArray();
        var malformed = new CloudEvent(Guid.NewGuid().ToString("N"), "tests", StateChanged, "physical-connections", DateTimeOffset.UtcNow, new byte[] { 0xff, 0xff }, null);
        // Interleaved accounts, an event that can never be recorded, and one event twice (as a redelivery inside a batch).
        CloudEvent[] batch = [a[0], b[0], malformed, a[1], a[1], b[1], a[2]];

        var outcomes = await RecordAsync(batch);
        Assert.Equal([EventHandling.Success, EventHandling.Success, EventHandling.Drop, EventHandling.Success, EventHandling.Success,
            EventHandling.Success, EventHandling.Success], outcomes);

        // The same batch again, with one new change of the second account: only that one is appended.
        await RecordAsync([.. batch, StateChangedEvent(second, "dxpc-batchb2")]);

        Assert.Equal([(1L, "dxpc-batcha0"), (2L, "dxpc-batcha1"), (3L, "dxpc-batcha2")], await FeedAsync(first, "dxpc-batcha2"));
        Assert.Equal([(1L, "dxpc-batchb0"), (2L, "dxpc-batchb1"), (3L, "dxpc-batchb2")], await FeedAsync(second, "dxpc-batchb2"));

        async Task<IReadOnlyList<EventHandling>> RecordAsync(IReadOnlyList<CloudEvent> events)
        {
            using var scope = system.Services.CreateScope();
            return await scope.ServiceProvider.GetRequiredService<ChangeFeedRecorder>().HandleBatchAsync(events, CancellationToken.None);
        }

        async Task<List<(long, string)>> FeedAsync(string account, string lastId)
        {
            var seen = new List<Change>();
            using var patience = Patience();
            using var call = _watch.WatchChanges(new WatchChangesRequest { Region = Region }, _lifecycle.Customer(account).WithCancellationToken(patience.Token));
            await ReadUntilAsync(call.ResponseStream, seen, c => c.ResourceId == lastId, patience.Token);
            return [.. seen.Select(c => (c.Position, c.ResourceId))];
        }
    }

    [Fact]
    public async Task AResumeFromAnExpiredPositionIsToldToReListAndZeroStartsAtTheOldestRetainedChange()
    {
        var account = NewAccount();
        foreach (var i in Enumerable.Range(1, 3))
        {
            using var scope = system.Services.CreateScope();
            await scope.ServiceProvider.GetRequiredService<ChangeFeedRecorder>().HandleAsync(StateChangedEvent(account, $"dxpc-expire{i}"), CancellationToken.None);
        }

        // Retention expires entries oldest first; remove the first two as their TTL would (no waiting on a clock).
        var store = system.Services.GetRequiredService<IStateStore>();
        foreach (var position in new[] { 1, 2 })
        {
            Assert.True(await store.TryDeleteAsync($"watch/{Region}/{account}/changes/{position}", ETagCondition.Any));
        }

        var status = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, async () =>
        {
            using var call = _watch.WatchChanges(new WatchChangesRequest { Region = Region, AfterPosition = 1 }, _lifecycle.Customer(account));
            await call.ResponseStream.MoveNext();
        });
        Assert.Equal(ChangeFeedReader.PositionExpired, status.Reason());
        Assert.Equal("3", status.Detail<ErrorInfo>().Metadata["headPosition"]);

        using var http = system.Rest(account, "customer");
        var response = await http.GetAsync($"/v1/regions/{Region}/changes:watch?afterPosition=1");
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(ChangeFeedReader.PositionExpired, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var seen = new List<Change>();
        using var patience = Patience();
        using var fromZero = _watch.WatchChanges(new WatchChangesRequest { Region = Region }, _lifecycle.Customer(account).WithCancellationToken(patience.Token));
        await ReadUntilAsync(fromZero.ResponseStream, seen, _ => true, patience.Token);
        Assert.Equal(3, seen.Single().Position);
        Assert.Equal("dxpc-expire3", seen.Single().ResourceId);
    }

    [Fact]
    public async Task TheOpenApiDocumentStillBuildsAndDescribesTheWatchOnce()
    {
        using var anonymous = system.Rest(null);
        var response = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var paths = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["paths"]!.AsObject();
        var watch = paths["/v1/regions/{region}/changes:watch"]!.AsObject();
        Assert.Equal(["get"], watch.Select(p => p.Key));
    }

    private static CloudEvent StateChangedEvent(string account, string id) => new(
        Guid.NewGuid().ToString("N"), "tests", StateChanged, "physical-connections", DateTimeOffset.UtcNow,
        new Events.PhysicalConnectionStateChanged
        {
            Id = id,
            AccountId = account,
            Region = Region,
            FromState = PhysicalConnection.Types.State.AwaitingConfirmation,
            ToState = PhysicalConnection.Types.State.Available,
            Actor = "tests",
            Time = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow),
        }.ToByteArray(), null);
}
