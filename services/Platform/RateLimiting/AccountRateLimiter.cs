using System.Threading.RateLimiting;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Tenancy;
using Microsoft.Extensions.Options;

namespace DirectConnect.Platform.RateLimiting;

/// <summary>
/// A token bucket per account (<see cref="RateLimitOptions"/>). A call over the limit is
/// RESOURCE_EXHAUSTED (HTTP 429) with reason <c>RATE_LIMITED</c> and a <c>RetryInfo</c> saying
/// when a token will be back. Buckets of idle accounts are dropped by the partitioned limiter.
/// </summary>
public sealed class AccountRateLimiter : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;

    /// <summary>Creates the limiter from <paramref name="options"/>.</summary>
    public AccountRateLimiter(IOptions<RateLimitOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var settings = options.Value;
        if (settings.TokenLimit < 1 || settings.TokensPerPeriod < 1 || settings.ReplenishmentPeriod <= TimeSpan.Zero)
        {
            throw new InvalidOperationException(
                $"{RateLimitOptions.Section}: TokenLimit and TokensPerPeriod must be at least 1 and ReplenishmentPeriod positive.");
        }

        _limiter = PartitionedRateLimiter.Create<string, string>(account => RateLimitPartition.GetTokenBucketLimiter(account,
            _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = settings.TokenLimit,
                TokensPerPeriod = settings.TokensPerPeriod,
                ReplenishmentPeriod = settings.ReplenishmentPeriod,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
    }

    /// <summary>Takes one token from <paramref name="caller"/>'s bucket, or throws RESOURCE_EXHAUSTED with the delay to retry after.</summary>
    public void Acquire(Caller caller)
    {
        ArgumentNullException.ThrowIfNull(caller);
        using var lease = _limiter.AttemptAcquire(caller.AccountId);
        if (lease.IsAcquired)
        {
            return;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) && after > TimeSpan.Zero ? after : TimeSpan.FromSeconds(1);
        // Whole seconds, rounded up: what HTTP's Retry-After can say, and never "retry now".
        var seconds = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));
        throw new DomainException(ErrorCode.ResourceExhausted, "RATE_LIMITED",
            $"Account '{caller.AccountId}' is sending requests faster than its rate limit; retry after {seconds} s.")
        {
            RetryDelay = TimeSpan.FromSeconds(seconds),
            Metadata = new Dictionary<string, string> { ["account"] = caller.AccountId },
            QuotaViolations = [new QuotaViolation($"accounts/{caller.AccountId}", "request rate per account")],
        };
    }

    /// <inheritdoc />
    public void Dispose() => _limiter.Dispose();
}
