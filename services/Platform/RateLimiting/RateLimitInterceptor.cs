using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Tenancy;
using Grpc.Core;

namespace DirectConnect.Platform.RateLimiting;

/// <summary>Charges every call of the public API to its caller's account bucket (<see cref="AccountRateLimiter"/>), after access is checked.</summary>
public sealed class RateLimitInterceptor(AccountRateLimiter limiter, MethodAccessCatalog catalog) : AdmissionInterceptor
{
    /// <inheritdoc />
    protected override void Admit(ServerCallContext context)
    {
        if (catalog.Find(context.Method) is not null)
        {
            limiter.Acquire(context.GetCaller());
        }
    }
}
