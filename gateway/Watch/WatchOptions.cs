namespace DirectConnect.Gateway.Watch;

/// <summary>Settings of the change feed (configuration section <c>DirectConnect:Watch</c>).</summary>
public sealed class WatchOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:Watch";

    /// <summary>How long a recorded change stays readable; a watch resuming from an older position is told to re-list.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How often a waiting watch re-reads its feed for changes recorded by other processes; changes
    /// recorded by this process wake it at once.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How many watch streams (gRPC and server-sent events together) one account may have open at once in this
    /// process; one more is RESOURCE_EXHAUSTED with reason <c>WATCH_LIMIT_EXCEEDED</c>. Every open stream re-reads
    /// the store each <see cref="PollInterval"/>, so an application needs one per region, not one per resource.
    /// </summary>
    public int MaxStreamsPerAccount { get; set; } = 8;

    /// <summary>
    /// How long one watch stream lasts. Then the server ends it cleanly (gRPC: status OK after the last change;
    /// server-sent events: the response ends) and the client resumes from the last position it got, missing
    /// nothing; a browser's EventSource does that by itself. So no stream, or the slot it holds, lives forever.
    /// </summary>
    public TimeSpan MaxStreamDuration { get; set; } = TimeSpan.FromMinutes(15);
}
