namespace DirectConnect.Platform.RateLimiting;

/// <summary>
/// Configuration section <c>DirectConnect:RateLimits</c>: one token bucket per account, shared by
/// every method and both transports. The defaults allow bursts of <see cref="TokenLimit"/> calls and
/// <see cref="TokensPerPeriod"/> calls per <see cref="ReplenishmentPeriod"/> sustained.
/// </summary>
public sealed class RateLimitOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:RateLimits";

    /// <summary>The bucket's size: the largest burst an account may send.</summary>
    public int TokenLimit { get; set; } = 200;

    /// <summary>Tokens added every <see cref="ReplenishmentPeriod"/>.</summary>
    public int TokensPerPeriod { get; set; } = 100;

    /// <summary>How often tokens are added.</summary>
    public TimeSpan ReplenishmentPeriod { get; set; } = TimeSpan.FromSeconds(1);
}
