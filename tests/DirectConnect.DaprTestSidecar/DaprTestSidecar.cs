using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Dapr.Client.Autogen.Grpc.v1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static Dapr.AppCallback.Autogen.Grpc.v1.TopicEventResponse.Types;

namespace DirectConnect.Testing.Dapr;

/// <summary>How the test sidecar delivers a topic to an app, after the pub/sub components Dapr ships.</summary>
public enum DaprDelivery
{
    /// <summary>One event at a time, in publication order, each once unless the app asks for a retry (what the SQLite adapter also does).</summary>
    InOrder,

    /// <summary>
    /// Redis Streams (components-contrib <c>pubsub/redis/redis.go</c>): a pool of <c>concurrency</c>
    /// (default 10) workers handles the stream's messages at once, so they finish in any order; a
    /// message still unacknowledged after <c>processingTimeout</c> is reclaimed and delivered again
    /// while the first copy is still being retried (<c>reclaimPendingMessagesLoop</c>).
    /// </summary>
    RedisStreams,

    /// <summary>
    /// Kafka (components-contrib <c>common/component/kafka</c>): a topic's partitions are consumed
    /// side by side, each in order; a message goes to the partition of its <c>partitionKey</c>
    /// publish metadata (<c>partitioner.go</c>), to any partition without one. A retried message holds
    /// its partition back; after a rebalance or restart, messages since the last commit come again.
    /// </summary>
    Kafka,
}

/// <summary>Settings of a <see cref="DaprTestSidecar"/>.</summary>
public sealed class DaprTestSidecarOptions
{
    /// <summary>How topics are delivered.</summary>
    public DaprDelivery Delivery { get; set; } = DaprDelivery.InOrder;

    /// <summary>The app API token daprd presents to the app (<c>APP_API_TOKEN</c>); null: none.</summary>
    public string? AppApiToken { get; set; }

    /// <summary>The Dapr API token the app must present to daprd (<c>DAPR_API_TOKEN</c>); null: none required.</summary>
    public string? DaprApiToken { get; set; }

    /// <summary>The state stores the sidecar has (component names).</summary>
    public IReadOnlyCollection<string> StoreNames { get; set; } = [DaprTestSidecar.StoreName];

    /// <summary>Seed of the disorder in <see cref="DaprDelivery.RedisStreams"/> and <see cref="DaprDelivery.Kafka"/> delivery.</summary>
    public int Seed { get; set; } = 20261203;
}

/// <summary>
/// A stand-in for a Dapr sidecar, speaking Dapr's own gRPC API on 127.0.0.1:0 to the real
/// Dapr.Client, and behaving as Dapr's source says daprd does. Each behaviour names the file it
/// comes from (dapr/dapr at d8450742, components-contrib at c23900d2, both of 2026-08-21), so the
/// next reader can check it again:
/// <list type="bullet">
/// <item>State, as <c>state.postgresql</c> v2 (components-contrib <c>state/postgresql/v2/postgresql.go</c>):
/// ETags are random UUIDs; first-write without an ETag inserts, or overwrites an expired row, and
/// otherwise fails ("no item was updated"); an ETag update needs the live row with that ETag; an
/// ETag delete needs the row with that ETag whatever its expiry (the DELETE does not look at
/// <c>expires_at</c>); <c>ttlInSeconds</c> outside -1..int32 max is refused (<c>state/utils/ttl.go</c>).</item>
/// <item>Errors, as daprd maps them (dapr <c>pkg/api/grpc/grpc.go</c>): any failed
/// <c>ExecuteStateTransaction</c> is <c>Internal</c> with ErrorInfo reason <c>ERR_STATE_TRANSACTION</c>,
/// an ETag mismatch included; only SaveState and DeleteState answer an ETag mismatch with <c>Aborted</c>.</item>
/// <item>Publishing, as daprd wraps the bytes (dapr <c>pkg/runtime/pubsub/cloudevents.go</c>,
/// components-contrib <c>pubsub/envelope.go</c>): <c>cloudevent.*</c> metadata override the envelope's
/// attributes; the data goes to <c>data</c> parsed as JSON for a JSON content type, to
/// <c>data_base64</c> for <c>application/octet-stream</c> (or CloudEvent protobuf), and to
/// <c>data</c> as a string otherwise.</item>
/// <item>Delivering, as daprd builds <c>TopicEventRequest</c> (dapr <c>pkg/runtime/pubsub/subscriptions.go</c>,
/// <c>GRPCEnvelopeFromSubscriptionMessage</c>): <c>data_base64</c> is decoded; <c>data</c> is passed
/// on only for text or XML content types (as bytes) or JSON (re-marshalled) — anything else arrives
/// empty; every attribute but id, source, type, specversion, datacontenttype, data and data_base64
/// is an extension.</item>
/// <item>Tokens (dapr <c>pkg/runtime/processor/subscriber/subscriber.go</c>,
/// <c>pkg/runtime/subscription/postman/grpc/grpc.go</c>, <c>pkg/api/grpc/manager/manager.go</c>):
/// <c>ListTopicSubscriptions</c> is called without the app API token; <c>OnTopicEvent</c> carries it
/// (since v1.16.2).</item>
/// <item>DROP discards the event unless the subscription names a <c>dead_letter_topic</c>, to which it
/// is then published (dapr <c>pkg/runtime/subscription/subscription.go</c>).</item>
/// </list>
/// </summary>
public sealed class DaprTestSidecar : IAsyncDisposable
{
    public const string StoreName = "statestore";
    public const string PubSubName = "pubsub";
    private static readonly TimeSpan RedeliveryDelay = TimeSpan.FromMilliseconds(20);

    // Redis Streams' defaults (components-contrib pubsub/redis/metadata.yaml: concurrency 10,
    // processingTimeout 60s), the timeout shortened so that tests meet the reclaimed duplicates.
    private const int RedisConcurrency = 10;
    private static readonly TimeSpan RedisProcessingTimeout = TimeSpan.FromMilliseconds(150);
    private const int KafkaPartitions = 4;

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<string, Entry>> _stores;
    private readonly Dictionary<string, List<Published>> _topics = new(StringComparer.Ordinal);
    private readonly List<string> _deadLetters = [];
    private readonly List<string> _discarded = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _deliveries = [];
    private readonly List<GrpcChannel> _channels = [];
    private readonly DaprTestSidecarOptions _options;
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _host;

    private DaprTestSidecar(DaprTestSidecarOptions options)
    {
        _options = options;
        _stores = options.StoreNames.ToDictionary(s => s, _ => new Dictionary<string, Entry>(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    /// <summary>The gRPC endpoint to hand to <c>DaprClientBuilder.UseGrpcEndpoint</c>.</summary>
    public string Endpoint { get; private set; } = "";

    /// <summary>The settings it runs with.</summary>
    public DaprTestSidecarOptions Options => _options;

    public static async Task<DaprTestSidecar> StartAsync(DaprTestSidecarOptions? options = null)
    {
        var sidecar = new DaprTestSidecar(options ?? new DaprTestSidecarOptions());
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(sidecar);
        var host = builder.Build();
        host.MapGrpcService<DaprRuntimeService>();
        await host.StartAsync();
        sidecar._host = host;
        sidecar.Endpoint = host.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return sidecar;
    }

    /// <summary>
    /// Connects an app (its AppCallback at <paramref name="appEndpoint"/>): asks what it subscribes to
    /// (without the app API token, as daprd does) and starts delivering, as one consumer group per
    /// connection. Returns the subscriptions it found.
    /// </summary>
    public async Task<IReadOnlyList<TopicSubscription>> ConnectAppAsync(string appEndpoint)
    {
        var channel = GrpcChannel.ForAddress(appEndpoint);
        lock (_gate)
        {
            _channels.Add(channel);
        }

        // subscriber.go: the app client used for ListTopicSubscriptions adds no app API token.
        var subscriptions = await new AppCallbackClient(channel.CreateCallInvoker()).ListTopicSubscriptionsAsync();
        // postman/grpc/grpc.go: deliveries add it (AddAppTokenToContext).
        var app = new AppCallbackClient(channel.CreateCallInvoker(), _options.AppApiToken);
        var ours = subscriptions.Subscriptions.Where(s => s.PubsubName == PubSubName).ToArray();
        foreach (var subscription in ours)
        {
            lock (_gate)
            {
                _deliveries.Add(Task.Run(() => DeliverAsync(app, subscription, _stopping.Token)));
            }
        }

        return ours;
    }

    /// <summary>Ids of the events the app answered with DROP that went to a dead-letter topic.</summary>
    public IReadOnlyList<string> DeadLetters
    {
        get
        {
            lock (_gate)
            {
                return [.. _deadLetters];
            }
        }
    }

    /// <summary>Ids of the events the app answered with DROP for a subscription without a dead-letter topic: lost.</summary>
    public IReadOnlyList<string> Discarded
    {
        get
        {
            lock (_gate)
            {
                return [.. _discarded];
            }
        }
    }

    /// <summary>Ids of every event ever published, on any topic (dead-letter topics excluded).</summary>
    public IReadOnlyList<string> PublishedIds
    {
        get
        {
            lock (_gate)
            {
                return [.. _topics.Values.SelectMany(t => t).Where(p => !p.DeadLettered).Select(p => p.Id)];
            }
        }
    }

    /// <summary>The envelopes published on <paramref name="topic"/> (the JSON a broker would hold), with the publish metadata.</summary>
    public IReadOnlyList<(JsonObject Envelope, IReadOnlyDictionary<string, string> Metadata)> Envelopes(string topic)
    {
        lock (_gate)
        {
            return _topics.TryGetValue(topic, out var log) ? [.. log.Select(p => ((JsonObject)JsonNode.Parse(p.Json)!, p.Metadata))] : [];
        }
    }

    /// <summary>The stored keys of <paramref name="store"/> (expired ones too), for looking at what the adapter wrote.</summary>
    public IReadOnlyList<string> KeysOf(string store)
    {
        lock (_gate)
        {
            return [.. StoreOf(store).Keys];
        }
    }

    /// <summary>The stored keys of the default store (expired ones too).</summary>
    public IReadOnlyList<string> Keys => KeysOf(StoreName);

    /// <summary>The ETag stored under <paramref name="key"/>, even if it has expired.</summary>
    public string? StoredETag(string key, string store = StoreName)
    {
        lock (_gate)
        {
            return StoreOf(store).GetValueOrDefault(key)?.ETag;
        }
    }

    private int _failingTransactions;

    /// <summary>
    /// Makes the next <paramref name="count"/> state transactions fail as a broken store would (a lost
    /// connection, not an ETag): daprd answers them Internal ERR_STATE_TRANSACTION all the same.
    /// </summary>
    public void FailTransactions(int count) => Interlocked.Exchange(ref _failingTransactions, count);

    internal void RequireApiToken(ServerCallContext context)
    {
        // Dapr's API token (pkg/http/api_token.go, pkg/api/grpc/... token interceptor): every call from the app carries it.
        if (_options.DaprApiToken is { } token && context.RequestHeaders.GetValue("dapr-api-token") != token)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "authentication error: api token mismatch"));
        }
    }

    internal Entry? Read(string store, string key)
    {
        lock (_gate)
        {
            return Live(StoreOf(store), key, DateTimeOffset.UtcNow);
        }
    }

    /// <summary>
    /// Applies <paramref name="operations"/> all or nothing, as state.postgresql v2's <c>Multi</c> does.
    /// Throws <see cref="StateStoreException"/> with the store's error; the caller maps it as daprd's API does.
    /// </summary>
    internal void Apply(string store, IEnumerable<TransactionalStateOperation> operations)
    {
        for (var left = Volatile.Read(ref _failingTransactions); left > 0; left = Volatile.Read(ref _failingTransactions))
        {
            if (Interlocked.CompareExchange(ref _failingTransactions, left - 1, left) == left)
            {
                throw new StateStoreException("failed to begin transaction: conn closed", etagMismatch: false);
            }
        }

        lock (_gate)
        {
            var state = StoreOf(store);
            var working = new Dictionary<string, Entry>(state, StringComparer.Ordinal);
            var now = DateTimeOffset.UtcNow;
            foreach (var operation in operations)
            {
                ApplyOne(working, operation, now);
            }

            state.Clear();
            foreach (var (key, entry) in working)
            {
                state[key] = entry;
            }
        }
    }

    private static void ApplyOne(Dictionary<string, Entry> state, TransactionalStateOperation operation, DateTimeOffset now)
    {
        var request = operation.Request;
        var hasETag = request.Etag is { Value.Length: > 0 };
        // postgresql.go: an ETag that is not a UUID is a mismatch right away.
        if (hasETag && !Guid.TryParse(request.Etag!.Value, out _))
        {
            throw StateStoreException.ETagMismatch(request.Key);
        }

        var current = state.GetValueOrDefault(request.Key);
        var live = current is not null && (current.ExpiresAt is null || current.ExpiresAt >= now);
        switch (operation.OperationType)
        {
            case "upsert":
            {
                var expires = TimeToLive(request.Metadata, now);
                if (hasETag)
                {
                    // UPDATE … WHERE key = $1 AND etag = $3 AND (expires_at IS NULL OR expires_at >= now())
                    if (!live || current!.ETag != request.Etag!.Value)
                    {
                        throw StateStoreException.ETagMismatch(request.Key);
                    }
                }
                else if (request.Options?.Concurrency == StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite && live)
                {
                    // INSERT … ON CONFLICT (key) DO UPDATE … WHERE (t.expires_at IS NOT NULL AND t.expires_at < now()): no row for a live key.
                    throw new StateStoreException("no item was updated", etagMismatch: false);
                }

                state[request.Key] = new Entry(request.Value.ToByteArray(), Guid.NewGuid().ToString(), expires);
                return;
            }

            case "delete":
                if (hasETag)
                {
                    // DELETE … WHERE key = $1 AND etag = $2: expiry is not looked at.
                    if (current is null || current.ETag != request.Etag!.Value)
                    {
                        throw StateStoreException.ETagMismatch(request.Key);
                    }
                }

                state.Remove(request.Key);
                return;
            default:
                throw new StateStoreException($"operation type {operation.OperationType} not supported", etagMismatch: false);
        }
    }

    // components-contrib state/utils/ttl.go ParseTTL: an integer from -1 to int32 max; postgresql.go expires only for > 0.
    private static DateTimeOffset? TimeToLive(IDictionary<string, string> metadata, DateTimeOffset now)
    {
        if (!metadata.TryGetValue("ttlInSeconds", out var text) || text.Length == 0)
        {
            return null;
        }

        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds))
        {
            throw new StateStoreException($"error parsing TTL: incorrect value for metadata 'ttlInSeconds': strconv.ParseInt: parsing \"{text}\": invalid syntax", etagMismatch: false);
        }

        if (seconds < -1 || seconds > int.MaxValue)
        {
            throw new StateStoreException("error parsing TTL: incorrect value for metadata 'ttlInSeconds': must be -1 or greater", etagMismatch: false);
        }

        return seconds > 0 ? now.AddSeconds(seconds) : null;
    }

    /// <summary>
    /// Publishes as daprd's <c>PublishEvent</c> does: the CloudEvent envelope
    /// (<c>pkg/runtime/pubsub/cloudevents.go</c> NewCloudEvent, components-contrib
    /// <c>pubsub/envelope.go</c> NewCloudEventsEnvelope), kept as the JSON a broker would hold.
    /// </summary>
    internal void Publish(PublishEventRequest request)
    {
        if (request.PubsubName != PubSubName)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"pubsub {request.PubsubName} is not found"));
        }

        var metadata = request.Metadata;
        var contentType = string.IsNullOrEmpty(request.DataContentType) ? "text/plain" : request.DataContentType;
        var traceParent = metadata.GetValueOrDefault("cloudevent.traceparent") ?? metadata.GetValueOrDefault("cloudevent.traceid") ?? "";
        var envelope = new JsonObject
        {
            ["id"] = metadata.GetValueOrDefault("cloudevent.id") is { Length: > 0 } id ? id : Guid.NewGuid().ToString(),
            ["specversion"] = "1.0",
            ["datacontenttype"] = contentType,
            ["source"] = metadata.GetValueOrDefault("cloudevent.source") is { Length: > 0 } source ? source : "Dapr",
            ["type"] = metadata.GetValueOrDefault("cloudevent.type") is { Length: > 0 } type ? type : "com.dapr.event.sent",
            ["topic"] = request.Topic,
            ["pubsubname"] = request.PubsubName,
            ["traceid"] = traceParent,
            ["traceparent"] = traceParent,
            ["tracestate"] = metadata.GetValueOrDefault("cloudevent.tracestate") ?? "",
            ["time"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssK", CultureInfo.InvariantCulture),
        };
        var data = request.Data.ToByteArray();
        if (IsContentType(contentType, "application/json"))
        {
            try
            {
                envelope["data"] = JsonNode.Parse(data);
            }
            catch (JsonException)
            {
                envelope["data"] = Encoding.UTF8.GetString(data);
            }
        }
        else if (IsContentType(contentType, "application/octet-stream") || IsContentType(contentType, "application/cloudevents+protobuf"))
        {
            envelope["data_base64"] = Convert.ToBase64String(data);
        }
        else
        {
            // Go's string(data): JSON encoding replaces invalid UTF-8, as decoding does here.
            envelope["data"] = Encoding.UTF8.GetString(data);
        }

        lock (_gate)
        {
            Append(request.Topic, new Published(envelope["id"]!.GetValue<string>(), envelope.ToJsonString(), new Dictionary<string, string>(metadata), DeadLettered: false));
        }
    }

    private void Append(string topic, Published published)
    {
        if (!_topics.TryGetValue(topic, out var log))
        {
            _topics[topic] = log = [];
        }

        log.Add(published);
        Interlocked.Exchange(ref _published, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    /// <summary>The request daprd hands to <c>OnTopicEvent</c> for an envelope (subscriptions.go GRPCEnvelopeFromSubscriptionMessage).</summary>
    private static TopicEventRequest ToTopicEvent(Published published, string topic)
    {
        var envelope = (JsonObject)JsonNode.Parse(published.Json)!;
        var contentType = envelope["datacontenttype"]?.GetValue<string>() ?? "";
        var request = new TopicEventRequest
        {
            Id = envelope["id"]?.GetValue<string>() ?? "",
            Source = envelope["source"]?.GetValue<string>() ?? "",
            DataContentType = contentType,
            Type = envelope["type"]?.GetValue<string>() ?? "",
            SpecVersion = envelope["specversion"]?.GetValue<string>() ?? "",
            Topic = topic,
            PubsubName = PubSubName,
        };
        if (envelope["data_base64"] is { } base64)
        {
            request.Data = ByteString.CopyFrom(Convert.FromBase64String(base64.GetValue<string>()));
        }
        else if (envelope["data"] is { } data)
        {
            if (contentType.StartsWith("text/", StringComparison.OrdinalIgnoreCase) || IsContentType(contentType, "application/xml"))
            {
                request.Data = ByteString.CopyFromUtf8(data.GetValueKind() == JsonValueKind.String ? data.GetValue<string>() : data.ToJsonString());
            }
            else if (IsContentType(contentType, "application/json") || IsContentType(contentType, "application/cloudevents+json"))
            {
                request.Data = ByteString.CopyFromUtf8(data.ToJsonString());
            }

            // Any other content type: nothing is passed on.
        }

        var extensions = new JsonObject();
        foreach (var (key, value) in envelope)
        {
            if (key is not ("id" or "source" or "datacontenttype" or "type" or "specversion" or "data" or "data_base64"))
            {
                extensions[key] = value?.DeepClone();
            }
        }

        request.Extensions = Struct.Parser.ParseJson(extensions.ToJsonString());
        return request;
    }

    private static bool IsContentType(string contentType, string expected)
    {
        var lower = contentType.ToLowerInvariant();
        var semicolon = lower.IndexOf(';', StringComparison.Ordinal);
        return (semicolon >= 0 ? lower[..semicolon] : lower) == expected;
    }

    private Task DeliverAsync(AppCallbackClient app, TopicSubscription subscription, CancellationToken stopping) => _options.Delivery switch
    {
        DaprDelivery.RedisStreams => DeliverConcurrentlyAsync(app, subscription, stopping),
        DaprDelivery.Kafka => DeliverPartitionedAsync(app, subscription, stopping),
        _ => DeliverInOrderAsync(app, subscription, _ => true, stopping),
    };

    /// <summary>One partition (or the whole topic): in order, a retried event holding the rest back.</summary>
    private async Task DeliverInOrderAsync(AppCallbackClient app, TopicSubscription subscription, Func<Published, bool> mine, CancellationToken stopping,
        Random? duplicates = null)
    {
        var position = 0;
        while (!stopping.IsCancellationRequested)
        {
            var (next, published) = Next(subscription.Topic, ref position, mine);
            try
            {
                if (next is null)
                {
                    await Task.WhenAny(published, Task.Delay(Timeout.Infinite, stopping));
                    continue;
                }

                while (!await DeliverOnceAsync(app, subscription, next, stopping))
                {
                    await Task.Delay(RedeliveryDelay, stopping);
                }

                // A rebalance or restart replays what was consumed since the last commit.
                if (duplicates is not null && duplicates.Next(8) == 0)
                {
                    position = Math.Max(0, position - 1 - duplicates.Next(3));
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private Task DeliverPartitionedAsync(AppCallbackClient app, TopicSubscription subscription, CancellationToken stopping)
    {
        var random = new Random(_options.Seed);
        return Task.WhenAll(Enumerable.Range(0, KafkaPartitions).Select(partition => Task.Run(() => DeliverInOrderAsync(app, subscription,
            p => PartitionOf(p) == partition, stopping, new Random(random.Next())), stopping)));
    }

    // partitioner.go: the partition of a keyed message follows its key; an unkeyed one goes anywhere (here: by its id).
    private static int PartitionOf(Published published)
    {
        var key = published.Metadata.GetValueOrDefault("partitionKey") is { Length: > 0 } partitionKey ? partitionKey : published.Id;
        var hash = 17;
        foreach (var c in key)
        {
            hash = unchecked((hash * 31) + c);
        }

        return (int)((uint)hash % KafkaPartitions);
    }

    /// <summary>Redis Streams: <see cref="RedisConcurrency"/> workers on the stream, and reclaimed duplicates of what stays pending too long.</summary>
    private async Task DeliverConcurrentlyAsync(AppCallbackClient app, TopicSubscription subscription, CancellationToken stopping)
    {
        using var workers = new SemaphoreSlim(RedisConcurrency);
        var inFlight = new ConcurrentDictionary<Task, byte>();
        var position = 0;
        while (!stopping.IsCancellationRequested)
        {
            var (next, published) = Next(subscription.Topic, ref position, _ => true);
            try
            {
                if (next is null)
                {
                    await Task.WhenAny(published, Task.Delay(Timeout.Infinite, stopping));
                    continue;
                }

                await workers.WaitAsync(stopping);
                var work = Task.Run(async () =>
                {
                    try
                    {
                        var attempt = DeliverUntilSettledAsync(app, subscription, next, stopping);
                        // reclaimPendingMessagesLoop: still pending after processingTimeout, so delivered again beside the first copy.
                        if (await Task.WhenAny(attempt, Task.Delay(RedisProcessingTimeout, stopping)) != attempt)
                        {
                            await Task.WhenAll(attempt, DeliverUntilSettledAsync(app, subscription, next, stopping));
                        }
                    }
                    catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                    {
                    }
                    finally
                    {
                        workers.Release();
                    }
                }, CancellationToken.None);
                inFlight[work] = 0;
                _ = work.ContinueWith(t => inFlight.TryRemove(t, out _), TaskScheduler.Default);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
        }

        await Task.WhenAll(inFlight.Keys);
    }

    private async Task DeliverUntilSettledAsync(AppCallbackClient app, TopicSubscription subscription, Published next, CancellationToken stopping)
    {
        while (!await DeliverOnceAsync(app, subscription, next, stopping))
        {
            await Task.Delay(RedeliveryDelay, stopping);
        }
    }

    /// <summary>One delivery; true when it is settled (SUCCESS or DROP), false when it must be retried.</summary>
    private async Task<bool> DeliverOnceAsync(AppCallbackClient app, TopicSubscription subscription, Published next, CancellationToken stopping)
    {
        TopicEventResponseStatus status;
        try
        {
            status = (await app.OnTopicEventAsync(ToTopicEvent(next, subscription.Topic), stopping)).Status;
        }
        catch (RpcException) when (!stopping.IsCancellationRequested)
        {
            return false; // the app is away: Dapr redelivers
        }
        catch (RpcException exception)
        {
            throw new OperationCanceledException("The sidecar is stopping.", exception, stopping);
        }

        switch (status)
        {
            case TopicEventResponseStatus.Success:
                return true;
            case TopicEventResponseStatus.Drop:
                lock (_gate)
                {
                    if (subscription.DeadLetterTopic is { Length: > 0 } deadLetterTopic)
                    {
                        // subscription.go: a dropped message goes to the dead-letter topic when the subscription has one.
                        _deadLetters.Add(next.Id);
                        Append(deadLetterTopic, next with { DeadLettered = true });
                    }
                    else
                    {
                        _discarded.Add(next.Id);
                    }
                }

                return true;
            default:
                return false;
        }
    }

    private (Published? Next, Task Published) Next(string topic, ref int position, Func<Published, bool> mine)
    {
        lock (_gate)
        {
            var published = _published.Task;
            if (_topics.TryGetValue(topic, out var log))
            {
                while (position < log.Count && !mine(log[position]))
                {
                    position++;
                }

                if (position < log.Count)
                {
                    return (log[position++], published);
                }
            }

            return (null, published);
        }
    }

    private Dictionary<string, Entry> StoreOf(string store) =>
        _stores.TryGetValue(store, out var state)
            ? state
            : throw new RpcException(new Status(StatusCode.InvalidArgument, $"state store {store} is not found"));

    private static Entry? Live(Dictionary<string, Entry> state, string key, DateTimeOffset now) =>
        state.TryGetValue(key, out var entry) && (entry.ExpiresAt is null || entry.ExpiresAt >= now) ? entry : null;

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Task[] deliveries;
        lock (_gate)
        {
            deliveries = [.. _deliveries];
        }

        try
        {
            await Task.WhenAll(deliveries);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        if (_host is not null)
        {
            await _host.StopAsync();
            await _host.DisposeAsync();
        }

        _stopping.Dispose();
    }

    internal sealed record Entry(byte[] Value, string ETag, DateTimeOffset? ExpiresAt);

    private sealed record Published(string Id, string Json, IReadOnlyDictionary<string, string> Metadata, bool DeadLettered);
}

/// <summary>A state store's own error, before daprd maps it onto a gRPC status.</summary>
internal sealed class StateStoreException(string message, bool etagMismatch) : Exception(message)
{
    /// <summary>state.ETagError of kind ETagMismatch (components-contrib <c>state/errors.go</c>).</summary>
    public bool IsETagMismatch { get; } = etagMismatch;

    public static StateStoreException ETagMismatch(string key) => new($"possible etag mismatch. error from state store: key {key}", etagMismatch: true);
}
