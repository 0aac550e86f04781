using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace DirectConnect.Gateway.Security;

/// <summary>
/// The gateway's authorization middleware, in place of ASP.NET Core's <see cref="AuthorizationMiddleware"/>: a request to an
/// endpoint that declares nothing about authorization, so that only the fallback policy governs it, and whose user meets
/// that policy (an authenticated identity carrying the required claims) goes straight on. Every other request (an endpoint
/// with its own policy, roles, schemes or <c>AllowAnonymous</c>; a user who does not meet the policy; any request when the
/// policy is not one this can read) goes through <see cref="AuthorizationMiddleware"/> unchanged.
/// </summary>
/// <remarks>
/// The full path builds an authorization context, resolves the handlers and runs each of them, and the policy evaluator's
/// authenticate and authorize steps, on every call: for the public API's methods, which all take the fallback policy,
/// most of the time the gateway spent authorizing. The fast path applies only when that outcome is known without them:
/// the fallback policy names no scheme (so the evaluator would take the request's user as it is), its requirements are
/// only <see cref="DenyAnonymousAuthorizationRequirement"/> and <see cref="ClaimsAuthorizationRequirement"/>s without
/// allowed values, and no authorization handler besides the framework's pass-through one is registered.
/// </remarks>
public sealed class FallbackPolicyAuthorization(RequestDelegate next, IAuthorizationPolicyProvider policies, IServiceProvider services)
{
    private readonly AuthorizationMiddleware _full = new(next, policies, services);

    // The claim types the fallback policy requires, found on the first request; null when the fast path does not apply.
    private Task<string[]?>? _required;

    /// <summary>Authorizes <paramref name="http"/>, then runs the rest of the pipeline.</summary>
    public async Task Invoke(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var required = await (_required ??= ReadFallbackPolicyAsync()).ConfigureAwait(false);
        if (required is null || !OnlyFallbackApplies(http.GetEndpoint()) || !Meets(http.User, required))
        {
            await _full.Invoke(http).ConfigureAwait(false);
            return;
        }

        await next(http).ConfigureAwait(false);
    }

    private async Task<string[]?> ReadFallbackPolicyAsync()
    {
        var policy = await policies.GetFallbackPolicyAsync().ConfigureAwait(false);
        if (policy is null || policy.AuthenticationSchemes.Count != 0 || !policy.Requirements.Any(r => r is DenyAnonymousAuthorizationRequirement))
        {
            return null;
        }

        var claims = new List<string>();
        foreach (var requirement in policy.Requirements)
        {
            switch (requirement)
            {
                case DenyAnonymousAuthorizationRequirement:
                    break;
                case ClaimsAuthorizationRequirement claim when claim.AllowedValues is null || !claim.AllowedValues.Any():
                    claims.Add(claim.ClaimType);
                    break;
                default:
                    return null;
            }
        }

        // A handler of the application's own would run for every requirement, and could fail one.
        using var scope = services.CreateScope();
        var handlers = scope.ServiceProvider.GetServices<IAuthorizationHandler>();
        return handlers.All(h => h is PassThroughAuthorizationHandler) ? [.. claims] : null;
    }

    /// <summary>True when <paramref name="endpoint"/> carries no authorization metadata of its own: the fallback policy is its policy.</summary>
    private static bool OnlyFallbackApplies(Endpoint? endpoint)
    {
        if (endpoint is null)
        {
            return false; // AuthorizationMiddleware decides what no endpoint gets
        }

        var metadata = endpoint.Metadata;
        return metadata.GetMetadata<IAuthorizeData>() is null && metadata.GetMetadata<IAllowAnonymous>() is null &&
               metadata.GetMetadata<AuthorizationPolicy>() is null && metadata.GetMetadata<IAuthorizationRequirementData>() is null;
    }

    /// <summary>What the fallback policy's requirements check: an authenticated identity, and a claim of each required type.</summary>
    private static bool Meets(ClaimsPrincipal user, string[] requiredClaims)
    {
        if (!user.Identities.Any(i => i.IsAuthenticated))
        {
            return false;
        }

        foreach (var type in requiredClaims)
        {
            // As ClaimsAuthorizationRequirement compares claim types.
            if (!user.HasClaim(c => string.Equals(c.Type, type, StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }
        }

        return true;
    }
}
