using System.Text.Json.Serialization;

namespace DirectConnect.Gateway.Watch;

/// <summary>What happened to a resource, in the feed's own words (mapped to the wire enum at the edge).</summary>
public enum ChangeKind
{
    /// <summary>Created (a VPC: registered).</summary>
    Created,
    /// <summary>Changed without a lifecycle transition.</summary>
    Updated,
    /// <summary>Moved from one lifecycle state to another.</summary>
    StateChanged,
    /// <summary>Deleted (a VPC: deregistered).</summary>
    Deleted,
}

/// <summary>A change as derived from one event, before it has a place in a feed.</summary>
/// <param name="AccountId">The account whose feed it belongs to.</param>
/// <param name="Region">The region whose feed it belongs to.</param>
/// <param name="ResourceType">E.g. <c>physicalConnection</c>.</param>
/// <param name="ResourceId">E.g. <c>dxpc-…</c>.</param>
/// <param name="Kind">What happened.</param>
/// <param name="State">The state wire name after the change, empty when the event does not say.</param>
/// <param name="PreviousState">The state wire name before a transition, else empty.</param>
/// <param name="Time">When it happened.</param>
public sealed record ObservedChange(
    string AccountId, string Region, string ResourceType, string ResourceId, ChangeKind Kind,
    string State, string PreviousState, DateTimeOffset Time);

/// <summary>One recorded change: the state document at a position of a feed.</summary>
/// <param name="Position">Its position in the feed (1, 2, …).</param>
/// <param name="ResourceType">E.g. <c>physicalConnection</c>.</param>
/// <param name="ResourceId">E.g. <c>dxpc-…</c>.</param>
/// <param name="Kind">What happened.</param>
/// <param name="State">The state wire name after the change, or empty.</param>
/// <param name="PreviousState">The state wire name before a transition, or empty.</param>
/// <param name="Time">When it happened.</param>
/// <param name="EventType">Full protobuf name of the event it was recorded from.</param>
/// <param name="EventId">Id of that event (for tracing a change back to its event).</param>
public sealed record ChangeFeedEntry(
    long Position, string ResourceType, string ResourceId, ChangeKind Kind, string State, string PreviousState,
    DateTimeOffset Time, string EventType, string EventId);

/// <summary>The head of a feed: the last position handed out. Never expires, so positions are never reused.</summary>
/// <param name="Position">The newest recorded position (0: none yet).</param>
public sealed record ChangeFeedHead(long Position);

/// <summary>Marks an event as recorded, so a redelivery appends nothing.</summary>
/// <param name="Position">Where the event was recorded.</param>
public sealed record RecordedEventMarker(long Position);

/// <summary>The JSON shape of the feed's state documents.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(ChangeFeedEntry))]
[JsonSerializable(typeof(ChangeFeedHead))]
[JsonSerializable(typeof(RecordedEventMarker))]
internal sealed partial class WatchJsonContext : JsonSerializerContext;

/// <summary>
/// Keys of a feed in the state store: one feed per region and account (account ids are slugs
/// without separators, so keys cannot collide).
/// </summary>
internal static class ChangeFeedKeys
{
    public static string Feed(string region, string accountId) => $"watch/{region}/{accountId}";

    public static string Head(string feed) => $"{feed}/head";

    public static string Entry(string feed, long position) => $"{feed}/changes/{position}";

    public static string Recorded(string eventId) => $"watch/recorded-events/{eventId}";
}
