using System.Globalization;
using System.Security.Cryptography;
using Dapr.AppCallback.Autogen.Grpc.v1;
using Dapr.Client.Autogen.Grpc.v1;
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

namespace DirectConnect.Platform.Tests.Infrastructure.Dapr;

/// <summary>
/// An in-memory stand-in for a Dapr sidecar, speaking Dapr's own gRPC API on 127.0.0.1:0 to the
/// real Dapr.Client. State behaves like Dapr's transactional stores (modelled on PostgreSQL):
/// every write gets a fresh random ETag; an ETag that does not match (or names an absent key) is
/// <c>Aborted</c>; first-write with no ETag creates only; <c>ttlInSeconds</c> expires an item;
/// a transaction applies all of its operations or none. Pub/sub keeps one log per topic and
/// delivers it to the app's <c>AppCallback</c> over a real gRPC channel, in order per topic, at
/// least once: RETRY (or an unreachable app) redelivers the same event, DROP dead-letters it.
/// </summary>
public sealed class DaprTestSidecar : IAsyncDisposable
{
    public const string StoreName = "statestore";
    public const string PubSubName = "pubsub";
    private static readonly TimeSpan RedeliveryDelay = TimeSpan.FromMilliseconds(20);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _state = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<TopicEventRequest>> _topics = new(StringComparer.Ordinal);
    private readonly List<string> _deadLetters = [];
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _deliveries = [];
    private readonly List<GrpcChannel> _channels = [];
    private TaskCompletionSource _published = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private WebApplication? _host;

    /// <summary>The gRPC endpoint to hand to <c>DaprClientBuilder.UseGrpcEndpoint</c>.</summary>
    public string Endpoint { get; private set; } = "";

    public static async Task<DaprTestSidecar> StartAsync()
    {
        var sidecar = new DaprTestSidecar();
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

    /// <summary>Connects an app (its AppCallback at <paramref name="appEndpoint"/>): asks what it subscribes to and starts delivering.</summary>
    public async Task ConnectAppAsync(string appEndpoint)
    {
        var channel = GrpcChannel.ForAddress(appEndpoint);
        lock (_gate)
        {
            _channels.Add(channel);
        }

        var app = new AppCallbackClient(channel.CreateCallInvoker());
        var subscriptions = await app.ListTopicSubscriptionsAsync();
        foreach (var subscription in subscriptions.Subscriptions.Where(s => s.PubsubName == PubSubName))
        {
            lock (_gate)
            {
                _deliveries.Add(Task.Run(() => DeliverAsync(app, subscription.Topic, _stopping.Token)));
            }
        }
    }

    /// <summary>Ids of the events the app answered with DROP.</summary>
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

    /// <summary>Ids of every event ever published, on any topic.</summary>
    public IReadOnlyList<string> PublishedIds
    {
        get
        {
            lock (_gate)
            {
                return [.. _topics.Values.SelectMany(t => t).Select(e => e.Id)];
            }
        }
    }

    /// <summary>The stored keys (expired ones too), for looking at what the adapter wrote.</summary>
    public IReadOnlyList<string> Keys
    {
        get
        {
            lock (_gate)
            {
                return [.. _state.Keys];
            }
        }
    }

    /// <summary>The ETag stored under <paramref name="key"/>, even if it has expired.</summary>
    public string? StoredETag(string key)
    {
        lock (_gate)
        {
            return _state.GetValueOrDefault(key)?.ETag;
        }
    }

    internal Entry? Read(string store, string key)
    {
        EnsureStore(store);
        lock (_gate)
        {
            return Live(key, DateTimeOffset.UtcNow);
        }
    }

    internal void Apply(string store, IEnumerable<TransactionalStateOperation> operations)
    {
        EnsureStore(store);
        var all = operations.ToArray();
        lock (_gate)
        {
            var now = DateTimeOffset.UtcNow;
            // Check every condition first: a transaction writes all or nothing.
            foreach (var operation in all)
            {
                var request = operation.Request;
                var current = Live(request.Key, now);
                var firstWrite = request.Options?.Concurrency == StateOptions.Types.StateConcurrency.ConcurrencyFirstWrite;
                var hasETag = request.Etag is { Value.Length: > 0 };
                var holds = operation.OperationType switch
                {
                    "upsert" when hasETag => current is not null && current.ETag == request.Etag.Value,
                    "upsert" when firstWrite => current is null,
                    "upsert" => true,
                    "delete" when hasETag => current is not null && current.ETag == request.Etag.Value,
                    "delete" => true,
                    _ => throw new RpcException(new Status(StatusCode.InvalidArgument, $"unknown operation type '{operation.OperationType}'")),
                };
                if (!holds)
                {
                    throw new RpcException(new Status(StatusCode.Aborted,
                        $"failed to execute state operation on key {request.Key}: possible etag mismatch"));
                }
            }

            foreach (var operation in all)
            {
                var request = operation.Request;
                if (operation.OperationType == "delete")
                {
                    _state.Remove(request.Key);
                    continue;
                }

                DateTimeOffset? expires = null;
                if (request.Metadata.TryGetValue("ttlInSeconds", out var ttl))
                {
                    if (!long.TryParse(ttl, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds))
                    {
                        throw new RpcException(new Status(StatusCode.InvalidArgument, $"ttlInSeconds '{ttl}' is not an integer"));
                    }

                    expires = seconds < 0 ? null : now.AddSeconds(seconds);
                }

                _state[request.Key] = new Entry(request.Value.ToByteArray(), Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), expires);
            }
        }
    }

    internal void Publish(PublishEventRequest request)
    {
        if (request.PubsubName != PubSubName)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"pubsub {request.PubsubName} is not found"));
        }

        // The CloudEvent envelope Dapr wraps around published bytes; cloudevent.* metadata override its attributes.
        var metadata = request.Metadata;
        var cloudEvent = new TopicEventRequest
        {
            Id = metadata.GetValueOrDefault("cloudevent.id") ?? Guid.NewGuid().ToString(),
            Source = metadata.GetValueOrDefault("cloudevent.source") ?? "test-app",
            Type = metadata.GetValueOrDefault("cloudevent.type") ?? "com.dapr.event.sent",
            SpecVersion = "1.0",
            DataContentType = request.DataContentType,
            Data = request.Data,
            Topic = request.Topic,
            PubsubName = request.PubsubName,
            Extensions = new Struct(),
        };
        cloudEvent.Extensions.Fields["time"] = Value.ForString(DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        if (metadata.GetValueOrDefault("cloudevent.traceparent") is { } traceParent)
        {
            cloudEvent.Extensions.Fields["traceparent"] = Value.ForString(traceParent);
        }

        lock (_gate)
        {
            if (!_topics.TryGetValue(request.Topic, out var log))
            {
                _topics[request.Topic] = log = [];
            }

            log.Add(cloudEvent);
            Interlocked.Exchange(ref _published, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        }
    }

    private async Task DeliverAsync(AppCallbackClient app, string topic, CancellationToken stopping)
    {
        var position = 0;
        while (!stopping.IsCancellationRequested)
        {
            TopicEventRequest? next;
            Task published;
            lock (_gate)
            {
                published = _published.Task;
                next = _topics.TryGetValue(topic, out var log) && position < log.Count ? log[position] : null;
            }

            try
            {
                if (next is null)
                {
                    await Task.WhenAny(published, Task.Delay(Timeout.Infinite, stopping));
                    continue;
                }

                TopicEventResponseStatus status;
                try
                {
                    var response = await app.OnTopicEventAsync(next, stopping);
                    status = response.Status;
                }
                catch (RpcException) when (!stopping.IsCancellationRequested)
                {
                    status = TopicEventResponseStatus.Retry; // the app is away: Dapr redelivers
                }

                switch (status)
                {
                    case TopicEventResponseStatus.Success:
                        position++;
                        break;
                    case TopicEventResponseStatus.Drop:
                        lock (_gate)
                        {
                            _deadLetters.Add(next.Id);
                        }

                        position++;
                        break;
                    default:
                        await Task.Delay(RedeliveryDelay, stopping);
                        break;
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (RpcException) when (stopping.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private Entry? Live(string key, DateTimeOffset now) =>
        _state.TryGetValue(key, out var entry) && (entry.ExpiresAt is null || entry.ExpiresAt > now) ? entry : null;

    private static void EnsureStore(string store)
    {
        if (store != StoreName)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"state store {store} is not found"));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        Task[] deliveries;
        lock (_gate)
        {
            deliveries = [.. _deliveries];
        }

        await Task.WhenAll(deliveries);
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
}
