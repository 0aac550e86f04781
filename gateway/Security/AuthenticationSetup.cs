using DirectConnect.Gateway.Hosting;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Tenancy;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;

namespace DirectConnect.Gateway.Security;

/// <summary>JWT bearer authentication, and a fallback policy that makes every endpoint require it unless marked anonymous.</summary>
public static class AuthenticationSetup
{
    /// <summary>Adds authentication and authorization to the gateway.</summary>
    public static IServiceCollection AddGatewayAuthentication(this IServiceCollection services, AuthOptions auth, GatewayOptions gateway)
    {
        ArgumentNullException.ThrowIfNull(auth);
        ArgumentNullException.ThrowIfNull(gateway);
        if (auth.MaxTokenLifetime <= TimeSpan.Zero)
        {
            throw new InvalidOperationException($"{AuthOptions.Section}:MaxTokenLifetime must be positive, got {auth.MaxTokenLifetime}.");
        }

        if (!auth.RequireHttpsMetadata && !string.IsNullOrWhiteSpace(auth.Authority) &&
            !(Uri.TryCreate(auth.Authority, UriKind.Absolute, out var authority) && authority.IsLoopback))
        {
            throw new InvalidOperationException(
                $"{AuthOptions.Section}:RequireHttpsMetadata=false is only for an authority on loopback (development and tests); '{auth.Authority}' is not.");
        }

        services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<TimeProvider>((options, clock) =>
        {
            options.MapInboundClaims = false;
            // Nothing reads the token back from the authentication properties (GetTokenAsync): do not copy it into every request's.
            options.SaveToken = false;
            options.IncludeErrorDetails = false; // no hints to an attacker in WWW-Authenticate
            // Only answers to refusals: a remembered token skips the bearer handler and so its success events
            // (RememberedBearerAuthentication), which is the same only while there are none.
            options.Events = new JwtBearerEvents
            {
                // A refused or missing token gets the API's error shape (gRPC status details, or the
                // JSON Status over REST) saying only that credentials are missing or invalid.
                OnChallenge = async context =>
                {
                    context.HandleResponse();
                    context.Response.Headers.WWWAuthenticate = "Bearer";
                    await StatusResponses.WriteAsync(context.HttpContext, RpcStatusMapper.ToStatus(DomainException.NoValidCredentials()));
                },
                // A valid signature without an account claim is not usable credentials either: the same answer.
                OnForbidden = context => StatusResponses.WriteAsync(context.HttpContext, RpcStatusMapper.ToStatus(DomainException.NoValidCredentials())),
            };
            options.TokenValidationParameters = ValidationParameters(auth, clock);
            if (!string.IsNullOrWhiteSpace(auth.Authority))
            {
                options.Authority = auth.Authority;
                options.RequireHttpsMetadata = auth.RequireHttpsMetadata;
            }
            else
            {
                options.TokenValidationParameters.IssuerSigningKey = SigningKey(auth, gateway);
                options.TokenValidationParameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
            }

            // The same token on every call is validated once, until it expires (or the entry's cap, for OIDC key
            // rollover): the library's handler, behind a bounded cache.
            var handlers = options.TokenHandlers.ToArray();
            options.TokenHandlers.Clear();
            foreach (var handler in handlers)
            {
                options.TokenHandlers.Add(new CachedTokenHandler(handler, clock, CachedTokenHandler.DefaultCapacity, CachedTokenHandler.DefaultMaxEntryLife));
            }
        });
        services.AddAuthorizationBuilder().SetFallbackPolicy(new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .RequireClaim(CallerClaims.Account)
            .Build());
        return services;
    }

    /// <summary>
    /// What every bearer token is checked for: issuer, audience, a signature, and a lifetime (judged on
    /// <paramref name="clock"/>) within <see cref="AuthOptions.MaxTokenLifetime"/>. The keys come from the authority or the HS256 key.
    /// </summary>
    public static TokenValidationParameters ValidationParameters(AuthOptions auth, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(auth);
        return new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidIssuer = auth.Issuer,
            ValidateAudience = true,
            ValidAudience = auth.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            LifetimeValidator = TokenLifetime.Validator(auth.MaxTokenLifetime, clock),
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            NameClaimType = CallerClaims.Account,
            RoleClaimType = CallerClaims.Roles,
        };
    }

    /// <summary>The HS256 key: configured, or generated into the data directory.</summary>
    public static SymmetricSecurityKey SigningKey(AuthOptions auth, GatewayOptions gateway)
    {
        ArgumentNullException.ThrowIfNull(auth);
        ArgumentNullException.ThrowIfNull(gateway);
        return string.IsNullOrWhiteSpace(auth.SigningKey)
            ? SigningKeyStore.LoadOrCreate(gateway.DataDirectory)
            : SigningKeyStore.FromBase64(auth.SigningKey, "configuration DirectConnect:Auth:SigningKey");
    }
}
