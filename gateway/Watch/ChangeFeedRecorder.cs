using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Tenancy;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace DirectConnect.Gateway.Watch;

/// <summary>
/// Projects the domain events into the change feeds: each change is appended to the feed of its
/// region and account at the next position. One append is one transaction — the head under the
/// ETag it was read with, the new entry (which must not exist), and a marker for the event id
/// (which must not exist either) — so concurrent appends by the four topic subscriptions are
/// serialised by the head, and a redelivered event appends nothing.
/// </summary>
public sealed class ChangeFeedRecorder(IStateStore store, ChangeFeedSignal signal, IOptions<WatchOptions> options) : IEventHandler
{
    /// <summary>The durable subscription name for <paramref name="topic"/> (one per topic).</summary>
    public static string SubscriptionFor(string topic) => $"gateway/watch-{topic}";

    /// <inheritdoc />
    public async Task<EventHandling> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ObservedChange? change;
        try
        {
            change = ChangeMapping.Map(cloudEvent);
        }
        catch (InvalidProtocolBufferException)
        {
            return EventHandling.Drop;
        }

        if (change is null)
        {
            return EventHandling.Success; // not a change anyone watches
        }

        if (!Caller.IsValidAccountId(change.AccountId) || string.IsNullOrEmpty(change.Region) || string.IsNullOrEmpty(cloudEvent.Id))
        {
            return EventHandling.Drop; // belongs to no feed: can never be recorded
        }

        await AppendAsync(change, cloudEvent, cancellationToken);
        return EventHandling.Success;
    }

    private async Task AppendAsync(ObservedChange change, CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        var feed = ChangeFeedKeys.Feed(change.Region, change.AccountId);
        var retention = options.Value.Retention;
        var appended = await store.UpdateAsync(async ct =>
        {
            if (await store.GetAsync(ChangeFeedKeys.Recorded(cloudEvent.Id), ct) is not null)
            {
                return null; // recorded before: this is a redelivery
            }

            var head = await store.GetDocumentAsync(ChangeFeedKeys.Head(feed), WatchJsonContext.Default.ChangeFeedHead, ct);
            var position = (head?.Value.Position ?? 0) + 1;
            var entry = new ChangeFeedEntry(position, change.ResourceType, change.ResourceId, change.Kind, change.State,
                change.PreviousState, change.Time, cloudEvent.Type, cloudEvent.Id);
            IReadOnlyList<StateOperation> operations =
            [
                StateDocuments.Put(ChangeFeedKeys.Head(feed), new ChangeFeedHead(position), WatchJsonContext.Default.ChangeFeedHead,
                    head?.Unchanged ?? ETagCondition.MustNotExist),
                StateDocuments.Put(ChangeFeedKeys.Entry(feed, position), entry, WatchJsonContext.Default.ChangeFeedEntry,
                    ETagCondition.MustNotExist) with { TimeToLive = retention },
                StateDocuments.Put(ChangeFeedKeys.Recorded(cloudEvent.Id), new RecordedEventMarker(position), WatchJsonContext.Default.RecordedEventMarker,
                    ETagCondition.MustNotExist) with { TimeToLive = retention },
            ];
            return (operations, (IReadOnlyList<OutgoingEvent>)[]);
        }, cancellationToken);
        if (appended)
        {
            signal.Pulse(feed);
        }
    }
}
