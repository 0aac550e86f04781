using DirectConnect.Platform.Errors;
using Microsoft.AspNetCore.Http;

namespace DirectConnect.Platform.Tenancy;

/// <summary>Reads the <see cref="Caller"/> of an HTTP request (gRPC or plain HTTP endpoints) from its authenticated principal.</summary>
public static class HttpContextCallerExtensions
{
    private static readonly object CallerKey = new();

    /// <summary>
    /// The caller; UNAUTHENTICATED when the principal carries no valid account. Read from the claims
    /// once per request (admission, the rate limit and the method all ask).
    /// </summary>
    public static Caller GetCaller(this HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (httpContext.Items.TryGetValue(CallerKey, out var known) && known is Caller caller)
        {
            return caller;
        }

        var user = httpContext.User;
        var account = user.FindFirst(CallerClaims.Account)?.Value;
        if (user.Identity?.IsAuthenticated != true || !Caller.IsValidAccountId(account))
        {
            throw DomainException.NoValidCredentials();
        }

        var roles = user.FindAll(CallerClaims.Roles).Select(c => c.Value).Where(Role.All.Contains).ToHashSet(StringComparer.Ordinal);
        caller = new Caller(account!, roles);
        httpContext.Items[CallerKey] = caller;
        return caller;
    }
}
