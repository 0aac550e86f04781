namespace DirectConnect.Platform.Coordination.Sqlite;

/// <summary>Settings of the embedded coordination adapter.</summary>
public sealed class SqliteCoordinationOptions
{
    /// <summary>Path of the database file; created with its directory when missing.</summary>
    public string DatabasePath { get; set; } = "directconnect.db";

    /// <summary>
    /// How often a dispatcher looks for events written by other processes. Events published by
    /// this process wake it at once.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How long a subscription waits after a delivery that handled events before it looks again, so that what is
    /// published meanwhile arrives as one batch: one position write, and one transaction for a handler that takes
    /// batches, instead of one each. It delays events only while they keep coming; an idle subscription is woken at once.
    /// </summary>
    public TimeSpan BatchWindow { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>How long a process holds a subscription before another may take it over.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an event stays in the log after every subscription of its topic has passed it, so a
    /// subscription added later (which starts at the beginning of the log) still sees this much.
    /// </summary>
    public TimeSpan EventRetention { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// How often the write-ahead log is copied back into the database file in the background (<see cref="SqliteCheckpointer"/>),
    /// instead of by the commit that fills it; zero leaves it to the commits.
    /// </summary>
    public TimeSpan CheckpointInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>How often expired state rows and delivered, retained-long-enough events are deleted.</summary>
    public TimeSpan PurgeInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The CloudEvent <c>source</c> of events published through this process.</summary>
    public string Source { get; set; } = "directconnect";
}
