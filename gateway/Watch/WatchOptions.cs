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
}
