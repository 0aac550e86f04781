using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Tenancy;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace DirectConnect.Gateway.Watch;

/// <summary>
/// Projects the domain events into the change feeds: each change is appended to the feed of its
/// region and account at the next position. One append is one transaction — the heads under the
/// ETags they were read with, the new entries (which must not exist), and a marker for each event id
/// (which must not exist either) — so concurrent appends by the four topic subscriptions are
/// serialised by the heads, and a redelivered event appends nothing. A batch of events (the SQLite
/// dispatcher delivers what is pending at once) is one such transaction, not one per event.
/// </summary>
public sealed class ChangeFeedRecorder(IStateStore store, ChangeFeedSignal signal, IOptions<WatchOptions> options) : IEventBatchHandler
{
    /// <summary>The durable subscription name for <paramref name="topic"/> (one per topic).</summary>
    public static string SubscriptionFor(string topic) => $"gateway/watch-{topic}";

    /// <inheritdoc />
    public async Task<EventHandling> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken) =>
        (await HandleBatchAsync([cloudEvent], cancellationToken))[0];

    /// <inheritdoc />
    public async Task<IReadOnlyList<EventHandling>> HandleBatchAsync(IReadOnlyList<CloudEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        var outcomes = new EventHandling[events.Count];
        var changes = new List<(ObservedChange Change, CloudEvent Event)>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i++)
        {
            outcomes[i] = Classify(events[i], out var change);
            // The same event twice in one batch (published twice) is recorded once, like a redelivery.
            if (change is not null && ids.Add(events[i].Id))
            {
                changes.Add((change, events[i]));
            }
        }

        if (changes.Count > 0)
        {
            await AppendAsync(changes, cancellationToken);
        }

        return outcomes;
    }

    private static EventHandling Classify(CloudEvent cloudEvent, out ObservedChange? change)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        change = null;
        ObservedChange? mapped;
        try
        {
            mapped = ChangeMapping.Map(cloudEvent);
        }
        catch (InvalidProtocolBufferException)
        {
            return EventHandling.Drop;
        }

        if (mapped is null)
        {
            return EventHandling.Success; // not a change anyone watches
        }

        if (!Caller.IsValidAccountId(mapped.AccountId) || string.IsNullOrEmpty(mapped.Region) || string.IsNullOrEmpty(cloudEvent.Id))
        {
            return EventHandling.Drop; // belongs to no feed: can never be recorded
        }

        change = mapped;
        return EventHandling.Success;
    }

    private async Task AppendAsync(List<(ObservedChange Change, CloudEvent Event)> changes, CancellationToken cancellationToken)
    {
        var retention = options.Value.Retention;
        var appendedTo = new HashSet<string>(StringComparer.Ordinal);
        await store.UpdateAsync(async ct =>
        {
            appendedTo.Clear();
            var recorded = await store.GetBulkAsync([.. changes.Select(c => ChangeFeedKeys.Recorded(c.Event.Id))], ct);
            var fresh = changes.Where(c => !recorded.ContainsKey(ChangeFeedKeys.Recorded(c.Event.Id))).ToList();
            if (fresh.Count == 0)
            {
                return null; // all recorded before: this is a redelivery
            }

            var feeds = fresh.Select(c => ChangeFeedKeys.Feed(c.Change.Region, c.Change.AccountId)).Distinct(StringComparer.Ordinal).ToList();
            var heads = await store.GetBulkAsync([.. feeds.Select(ChangeFeedKeys.Head)], ct);
            var positions = new Dictionary<string, (long Position, ETagCondition Unchanged)>(StringComparer.Ordinal);
            foreach (var feed in feeds)
            {
                var head = heads.GetValueOrDefault(ChangeFeedKeys.Head(feed));
                positions[feed] = (head is null ? 0 : head.AsDocument(WatchJsonContext.Default.ChangeFeedHead).Value.Position, ETagCondition.For(head));
            }

            var operations = new List<StateOperation>();
            foreach (var (change, cloudEvent) in fresh)
            {
                var feed = ChangeFeedKeys.Feed(change.Region, change.AccountId);
                var position = positions[feed].Position + 1;
                positions[feed] = (position, positions[feed].Unchanged);
                var entry = new ChangeFeedEntry(position, change.ResourceType, change.ResourceId, change.Kind, change.State,
                    change.PreviousState, change.Time, cloudEvent.Type, cloudEvent.Id);
                operations.Add(StateDocuments.Put(ChangeFeedKeys.Entry(feed, position), entry, WatchJsonContext.Default.ChangeFeedEntry,
                    ETagCondition.MustNotExist) with { TimeToLive = retention });
                operations.Add(StateDocuments.Put(ChangeFeedKeys.Recorded(cloudEvent.Id), new RecordedEventMarker(position),
                    WatchJsonContext.Default.RecordedEventMarker, ETagCondition.MustNotExist) with { TimeToLive = retention });
            }

            foreach (var (feed, (position, unchanged)) in positions)
            {
                operations.Add(StateDocuments.Put(ChangeFeedKeys.Head(feed), new ChangeFeedHead(position), WatchJsonContext.Default.ChangeFeedHead, unchanged));
                appendedTo.Add(feed);
            }

            return (operations, (IReadOnlyList<OutgoingEvent>)[]);
        }, cancellationToken);
        foreach (var feed in appendedTo)
        {
            signal.Pulse(feed);
        }
    }
}
