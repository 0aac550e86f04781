using System.Diagnostics;

namespace DirectConnect.Platform.Coordination;

/// <summary>
/// Spans of the state port, on <see cref="EventTelemetry.Source"/>: one per state transaction and
/// one producer span per event it publishes. They carry counts and names, never keys or values.
/// </summary>
public static class StateTelemetry
{
    /// <summary>Name of the span around one state transaction.</summary>
    public const string TransactionSpanName = "state transaction";

    /// <summary>Starts the span of one state transaction on <paramref name="store"/> (e.g. <c>sqlite</c>).</summary>
    public static Activity? StartTransaction(string store, int operations, int events)
    {
        if (!EventTelemetry.Source.HasListeners())
        {
            return null; // nothing records spans: not even their names are made
        }

        var activity = EventTelemetry.Source.StartActivity(TransactionSpanName, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("db.system.name", store);
            activity.SetTag("db.operation.name", "transaction");
            activity.SetTag("db.operation.batch.size", operations);
            activity.SetTag("directconnect.state.event_count", events);
        }

        return activity;
    }

    /// <summary>Records how a state transaction ended: <c>committed</c>, or <c>conflict</c> when an ETag condition did not hold.</summary>
    public static void SetOutcome(Activity? activity, bool committed) =>
        activity?.SetTag("directconnect.state.outcome", committed ? "committed" : "conflict");

    /// <summary>
    /// Starts the producer span of one event appended by a transaction. It is a child of the current
    /// span (the state transaction) when that runs in the trace the event was created in (the usual
    /// case), and of the event's recorded trace parent otherwise. Its id is what the event should
    /// carry, so that the consumer span hangs under the publish.
    /// </summary>
    public static Activity? StartPublish(OutgoingEvent outgoing)
    {
        ArgumentNullException.ThrowIfNull(outgoing);
        if (!EventTelemetry.Source.HasListeners())
        {
            return null;
        }

        var name = $"{outgoing.Topic} publish";
        var current = Activity.Current;
        var activity = ActivityContext.TryParse(outgoing.TraceParent, null, out var recorded) && (current is null || current.TraceId != recorded.TraceId)
            ? EventTelemetry.Source.StartActivity(name, ActivityKind.Producer, recorded)
            : EventTelemetry.Source.StartActivity(name, ActivityKind.Producer);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("messaging.system", "directconnect");
            activity.SetTag("messaging.operation.type", "send");
            activity.SetTag("messaging.destination.name", outgoing.Topic);
            activity.SetTag("messaging.message.id", outgoing.Id);
            activity.SetTag("cloudevents.event_type", outgoing.Type);
        }

        return activity;
    }

    /// <summary>The trace parent to store with an event published under <paramref name="publish"/>.</summary>
    public static string? TraceParentOf(Activity? publish, OutgoingEvent outgoing)
    {
        ArgumentNullException.ThrowIfNull(outgoing);
        return publish is { IdFormat: ActivityIdFormat.W3C } ? publish.Id : outgoing.TraceParent;
    }
}
