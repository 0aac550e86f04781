using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DirectConnect.Platform.Coordination.Dapr;

/// <summary>
/// Publishes the events that committed transactions left in the outbox, in commit order, through
/// Dapr pub/sub, and then removes them. An event is removed only after Dapr accepted it, so a crash
/// in between publishes it again (at least once; the event id stays the same for deduplication).
/// Any process of the app may relay: the pending index is shared state.
/// </summary>
public sealed partial class DaprOutboxRelay(DaprConnection dapr, DaprOutboxSignal signal, IStateStore store,
    ILogger<DaprOutboxRelay> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(5);
    private readonly DaprStateStore _store = store as DaprStateStore
        ?? throw new InvalidOperationException("The Dapr outbox relay needs the Dapr state store.");

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var backoff = TimeSpan.Zero;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wake = signal.Next;
            try
            {
                while (await RelayBatchAsync(stoppingToken).ConfigureAwait(false))
                {
                }

                backoff = TimeSpan.Zero;
                await Task.WhenAny(wake, Task.Delay(dapr.Options.RelayInterval, stoppingToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // the sidecar may be away for a while: keep trying, never stop relaying
            catch (Exception exception)
#pragma warning restore CA1031
            {
                LogRelayFailure(exception);
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(50) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
                try
                {
                    await Task.Delay(backoff, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Publishes what is pending now and removes it; false when nothing was pending.</summary>
    private async Task<bool> RelayBatchAsync(CancellationToken cancellationToken)
    {
        var index = await _store.GetAsync(_store.OutboxIndexKey, cancellationToken).ConfigureAwait(false);
        if (index is null || DaprStateStore.ReadIndex(index).Ids is not { Count: > 0 } ids)
        {
            return false;
        }

        var keys = ids.Select(_store.OutboxEventKey).ToArray();
        var entries = await _store.GetBulkAsync(keys, cancellationToken).ConfigureAwait(false);
        foreach (var key in keys)
        {
            // An id without its entry was relayed by another process that has not yet trimmed the index.
            if (entries.TryGetValue(key, out var item))
            {
                var entry = JsonSerializer.Deserialize(item.Value.Span, PlatformJsonContext.Default.OutboxEntry)
                    ?? throw new InvalidDataException($"Outbox entry '{key}' is empty.");
                await PublishAsync(entry, cancellationToken).ConfigureAwait(false);
            }
        }

        await RemoveAsync(ids, cancellationToken).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// The content type the protobuf payload is published with. daprd keeps the bytes intact only
    /// for <c>application/octet-stream</c>: its envelope (components-contrib <c>pubsub/envelope.go</c>,
    /// NewCloudEventsEnvelope) base64-encodes binary content into <c>data_base64</c>, which delivery
    /// decodes (dapr <c>pkg/runtime/pubsub/subscriptions.go</c>); any other non-text, non-JSON type
    /// (e.g. <c>application/protobuf</c>) goes into <c>data</c> as a string and reaches the app empty.
    /// </summary>
    public const string PublishContentType = "application/octet-stream";

    private Task PublishAsync(OutboxEntry entry, CancellationToken cancellationToken)
    {
        // Dapr wraps the bytes in a CloudEvent; these metadata override its id, type and source
        // (dapr pkg/runtime/pubsub/cloudevents.go), so the subscriber sees the event as it was written
        // to the outbox. partitionKey keeps one resource's events in one Kafka partition, so in order.
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["cloudevent.id"] = entry.Id,
            ["cloudevent.type"] = entry.Type,
            ["cloudevent.source"] = entry.Source,
        };
        if (entry.TraceParent is { } traceParent)
        {
            metadata["cloudevent.traceparent"] = traceParent;
        }

        if (entry.OrderingKey is { Length: > 0 } orderingKey)
        {
            metadata["partitionKey"] = orderingKey;
        }

        return dapr.Client.PublishByteEventAsync(dapr.Options.PubSubName, entry.Topic, entry.Data, PublishContentType, metadata, cancellationToken);
    }

    // Trims the published ids from the index (which writers may have grown meanwhile) and deletes their entries.
    private async Task RemoveAsync(IReadOnlyList<string> published, CancellationToken cancellationToken)
    {
        await signal.Writer.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; attempt < 100; attempt++)
            {
                var index = await _store.GetAsync(_store.OutboxIndexKey, cancellationToken).ConfigureAwait(false);
                if (index is null)
                {
                    return;
                }

                var remaining = published.Aggregate(DaprStateStore.ReadIndex(index), (pending, id) => pending.Without(id));
                StateOperation[] operations =
                [
                    StateDocuments.PutIndex(_store.OutboxIndexKey, remaining, ETagCondition.Matches(index.ETag)),
                    .. published.Select(id => new DeleteState(_store.OutboxEventKey(id), ETagCondition.Any)),
                ];
                if (await _store.TryExecuteTransactionAsync(operations, [], cancellationToken).ConfigureAwait(false))
                {
                    return;
                }
            }

            throw new TimeoutException("The outbox index stayed contended for 100 attempts.");
        }
        finally
        {
            signal.Writer.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The Dapr outbox relay failed; it will try again")]
    private partial void LogRelayFailure(Exception exception);
}
