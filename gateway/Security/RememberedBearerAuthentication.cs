using System.Runtime.CompilerServices;
using System.Security.Claims;
using DirectConnect.Platform.Tenancy;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Http.Features.Authentication;
using Microsoft.Extensions.Options;

namespace DirectConnect.Gateway.Security;

/// <summary>
/// The gateway's authentication middleware, in place of ASP.NET Core's <see cref="AuthenticationMiddleware"/>: a request
/// whose bearer token the <see cref="CachedTokenHandler"/> remembers gets that token's identity at once, as the JWT bearer
/// handler would have built it (principal, scheme, issued and expiry times). Every other request (no token, an unknown,
/// refused, expired or altered token, another scheme's credentials) goes through <see cref="AuthenticationMiddleware"/>
/// unchanged, and so does every request when the fast path would not be the same as the full one.
/// </summary>
/// <remarks>
/// The full path resolves the authentication service and a new bearer handler from the request's services, reads its
/// options, runs its events and builds its contexts on every call: for a token validated a moment ago, most of the
/// time the gateway spent authenticating. The fast path is taken only when the default scheme is the JWT bearer one and
/// no scheme handles requests itself (remote sign-in callbacks). The gateway configures no bearer event that runs on
/// success (<c>OnMessageReceived</c>, <c>OnTokenValidated</c>: <see cref="AuthenticationSetup"/> sets only the
/// challenge and forbidden answers), so skipping them changes nothing; a host that adds such an event must not use this.
/// </remarks>
public sealed class RememberedBearerAuthentication(RequestDelegate next, IAuthenticationSchemeProvider schemes, IOptionsMonitor<JwtBearerOptions> bearer)
{
    private const string Bearer = "Bearer ";
    private readonly AuthenticationMiddleware _full = new(next, schemes);

    // The caches the fast path reads, found on the first request (schemes and options are fixed once the host runs);
    // empty when the fast path does not apply.
    private CachedTokenHandler[]? _caches;

    // The caller each remembered identity stands for, read from its claims once: the identity is the cache's, shared by
    // every request with its token, and lives as long as its entry.
    private readonly ConditionalWeakTable<ClaimsIdentity, Caller> _callers = [];

    /// <summary>Authenticates <paramref name="http"/>, then runs the rest of the pipeline.</summary>
    public async Task InvokeAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var caches = _caches ??= await ApplicableCachesAsync().ConfigureAwait(false);
        if (caches.Length == 0 || Remembered(http.Request, caches) is not ({ } result, { } identity))
        {
            await _full.Invoke(http).ConfigureAwait(false);
            return;
        }

        // What AuthenticationMiddleware does with a successful result.
        http.Features.Set<IAuthenticationFeature>(new AuthenticationFeature { OriginalPath = http.Request.Path, OriginalPathBase = http.Request.PathBase });
        http.User = result.Principal!;
        var features = new AuthenticationFeatures(result);
        http.Features.Set<IHttpAuthenticationFeature>(features);
        http.Features.Set<IAuthenticateResultFeature>(features);
        if (CallerOf(identity) is { } caller)
        {
            http.SetCaller(caller);
        }

        await next(http).ConfigureAwait(false);
    }

    private async Task<CachedTokenHandler[]> ApplicableCachesAsync()
    {
        var defaultScheme = await schemes.GetDefaultAuthenticateSchemeAsync().ConfigureAwait(false);
        var requestHandlers = await schemes.GetRequestHandlerSchemesAsync().ConfigureAwait(false);
        if (defaultScheme?.Name != JwtBearerDefaults.AuthenticationScheme || requestHandlers.Any())
        {
            return [];
        }

        return [.. bearer.Get(JwtBearerDefaults.AuthenticationScheme).TokenHandlers.OfType<CachedTokenHandler>()];
    }

    private Caller? CallerOf(ClaimsIdentity identity)
    {
        if (_callers.TryGetValue(identity, out var caller))
        {
            return caller;
        }

        // Not kept when the claims name no valid caller: GetCaller refuses such a request as it would any other.
        caller = HttpContextCallerExtensions.FromPrincipal(new ClaimsPrincipal(identity));
        if (caller is not null)
        {
            _callers.AddOrUpdate(identity, caller);
        }

        return caller;
    }

    /// <summary>The result the bearer handler would give for the request's token, when a cache remembers it, and the token's identity.</summary>
    private static (AuthenticateResult Result, ClaimsIdentity Identity)? Remembered(HttpRequest request, CachedTokenHandler[] caches)
    {
        // The bearer handler's own reading of the header: "Bearer " in any case, then the token, trimmed. Several
        // Authorization headers are left to it.
        var header = request.Headers.Authorization;
        if (header.Count != 1 || header[0] is not { } value || !value.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = value[Bearer.Length..].Trim();
        if (token.Length == 0)
        {
            return null;
        }

        foreach (var cache in caches)
        {
            if (cache.Remembered(token) is var (identity, validated))
            {
                var properties = new AuthenticationProperties { ExpiresUtc = SafeTime(validated.ValidTo), IssuedUtc = SafeTime(validated.ValidFrom) };
                return (AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), properties, JwtBearerDefaults.AuthenticationScheme)), identity);
            }
        }

        return null;
    }

    // As the bearer handler sets them: no time for a token without one.
    private static DateTimeOffset? SafeTime(DateTime time) => time == DateTime.MinValue ? null : new DateTimeOffset(DateTime.SpecifyKind(time, DateTimeKind.Utc));

    /// <summary>The features AuthenticationMiddleware sets for a successful result (its own class is internal).</summary>
    private sealed class AuthenticationFeatures(AuthenticateResult result) : IHttpAuthenticationFeature, IAuthenticateResultFeature
    {
        private ClaimsPrincipal? _user = result.Principal;
        private AuthenticateResult? _result = result;

        public AuthenticateResult? AuthenticateResult
        {
            get => _result;
            set
            {
                _result = value;
                _user = value?.Principal;
            }
        }

        public ClaimsPrincipal? User
        {
            get => _user;
            set
            {
                _user = value;
                _result = null;
            }
        }
    }
}
