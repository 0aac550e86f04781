using System.Security.Claims;
using DirectConnect.Platform.Errors;
using Microsoft.AspNetCore.Http;

namespace DirectConnect.Platform.Tenancy;

/// <summary>Reads the <see cref="Caller"/> of an HTTP request (gRPC or plain HTTP endpoints) from its authenticated principal.</summary>
public static class HttpContextCallerExtensions
{
    /// <summary>
    /// The caller; UNAUTHENTICATED when the principal carries no valid account. Read from the claims
    /// once per request (admission, the rate limit and the method all ask), unless authentication
    /// set it already (<see cref="SetCaller"/>).
    /// </summary>
    public static Caller GetCaller(this HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (httpContext.Features.Get<CallerFeature>() is { } known)
        {
            return known.Caller;
        }

        var caller = FromPrincipal(httpContext.User) ?? throw DomainException.NoValidCredentials();
        httpContext.Features.Set(new CallerFeature(caller));
        return caller;
    }

    /// <summary>
    /// Gives the request its caller, read from the principal it was authenticated with (<see cref="FromPrincipal"/>):
    /// for authentication that reads the same credentials on many requests, and keeps their caller with them.
    /// </summary>
    public static void SetCaller(this HttpContext httpContext, Caller caller)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(caller);
        httpContext.Features.Set(new CallerFeature(caller));
    }

    /// <summary>The caller <paramref name="user"/> stands for: null unless it is authenticated and carries a valid account.</summary>
    public static Caller? FromPrincipal(ClaimsPrincipal? user)
    {
        var account = user?.FindFirst(CallerClaims.Account)?.Value;
        if (user?.Identity?.IsAuthenticated != true || !Caller.IsValidAccountId(account))
        {
            return null;
        }

        var roles = user.FindAll(CallerClaims.Roles).Select(c => c.Value).Where(Role.All.Contains).ToHashSet(StringComparer.Ordinal);
        return new Caller(account!, roles);
    }

    private sealed record CallerFeature(Caller Caller);
}
