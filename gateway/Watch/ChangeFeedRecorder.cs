using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Tenancy;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace DirectConnect.Gateway.Watch;

/// <summary>
/// Projects the domain events into the change feeds: each change is appended to the feed of its
/// region and account at the next position (a change of a hosted connection to its customer's and
/// to its partner's feed). One append is one transaction — the heads under the
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
        var changes = new List<(IReadOnlyList<ObservedChange> Changes, CloudEvent Event)>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < events.Count; i++)
        {
            outcomes[i] = Classify(events[i], out var change);
            // The same event twice in one batch (published twice) is recorded once, like a redelivery.
            if (change.Count > 0 && ids.Add(events[i].Id))
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

    private static EventHandling Classify(CloudEvent cloudEvent, out IReadOnlyList<ObservedChange> changes)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        changes = [];
        IReadOnlyList<ObservedChange> mapped;
        try
        {
            mapped = ChangeMapping.Map(cloudEvent);
        }
        catch (InvalidProtocolBufferException)
        {
            return EventHandling.Drop;
        }

        if (mapped.Count == 0)
        {
            return EventHandling.Success; // not a change anyone watches
        }

        if (mapped.Any(m => !Caller.IsValidAccountId(m.AccountId) || string.IsNullOrEmpty(m.Region)) || string.IsNullOrEmpty(cloudEvent.Id))
        {
            return EventHandling.Drop; // belongs to no feed: can never be recorded
        }

        changes = mapped;
        return EventHandling.Success;
    }

    private async Task AppendAsync(List<(IReadOnlyList<ObservedChange> Changes, CloudEvent Event)> changes, CancellationToken cancellationToken)
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

            var feeds = fresh.SelectMany(c => c.Changes).Select(c => ChangeFeedKeys.Feed(c.Region, c.AccountId)).Distinct(StringComparer.Ordinal).ToList();
            var heads = await store.GetBulkAsync([.. feeds.Select(ChangeFeedKeys.Head)], ct);
            var positions = new Dictionary<string, (long Position, ETagCondition Unchanged)>(StringComparer.Ordinal);
            foreach (var feed in feeds)
            {
                var head = heads.GetValueOrDefault(ChangeFeedKeys.Head(feed));
                positions[feed] = (head is null ? 0 : head.AsDocument(WatchJsonContext.Default.ChangeFeedHead).Value.Position, ETagCondition.For(head));
            }

            var operations = new List<StateOperation>();
            foreach (var (eventChanges, cloudEvent) in fresh)
            {
                long first = 0;
                foreach (var change in eventChanges)
                {
                    var feed = ChangeFeedKeys.Feed(change.Region, change.AccountId);
                    var position = positions[feed].Position + 1;
                    positions[feed] = (position, positions[feed].Unchanged);
                    first = first == 0 ? position : first;
                    var entry = new ChangeFeedEntry(position, change.ResourceType, change.ResourceId, change.Kind, change.State,
                        change.PreviousState, change.Time, cloudEvent.Type, cloudEvent.Id);
                    operations.Add(StateDocuments.Put(ChangeFeedKeys.Entry(feed, position), entry, WatchJsonContext.Default.ChangeFeedEntry,
                        ETagCondition.MustNotExist) with { TimeToLive = retention });
                }

                // One marker per event, whatever the number of feeds it went to: a redelivery appends to none of them.
                operations.Add(StateDocuments.Put(ChangeFeedKeys.Recorded(cloudEvent.Id), new RecordedEventMarker(first),
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
