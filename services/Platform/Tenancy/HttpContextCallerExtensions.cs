using DirectConnect.Platform.Errors;
using Microsoft.AspNetCore.Http;

namespace DirectConnect.Platform.Tenancy;

/// <summary>Reads the <see cref="Caller"/> of an HTTP request (gRPC or plain HTTP endpoints) from its authenticated principal.</summary>
public static class HttpContextCallerExtensions
{
    /// <summary>The caller; UNAUTHENTICATED when the principal carries no valid account.</summary>
    public static Caller GetCaller(this HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var user = httpContext.User;
        var account = user.FindFirst(CallerClaims.Account)?.Value;
        if (user.Identity?.IsAuthenticated != true || !Caller.IsValidAccountId(account))
        {
            throw new DomainException(ErrorCode.Unauthenticated, "UNAUTHENTICATED", "The request carries no valid credentials.");
        }

        var roles = user.FindAll(CallerClaims.Roles).Select(c => c.Value).Where(Role.All.Contains).ToHashSet(StringComparer.Ordinal);
        return new Caller(account!, roles);
    }
}
