using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectConnect.Platform.ServiceIdentity;

/// <summary>
/// Mints and checks service tokens: short-lived HS256 JWTs, issuer <see cref="Issuer"/>, audience
/// <see cref="Audience"/>, whose <c>svc</c> claim names the calling service's app-id. They are
/// signed with the service key (<see cref="ServiceIdentityOptions.Key"/>, or a key minted in
/// memory), never with the key that signs people's tokens, and carry another issuer and audience:
/// a person's token is never a service token, nor the reverse.
/// </summary>
public sealed class ServiceCredentials
{
    /// <summary>The issuer of service tokens.</summary>
    public const string Issuer = "directconnect-services";

    /// <summary>The audience of service tokens: the internal API.</summary>
    public const string Audience = "directconnect-internal";

    /// <summary>The claim naming the calling service (its Dapr app-id).</summary>
    public const string ServiceClaim = "svc";

    private readonly SymmetricSecurityKey _key;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _clock;
    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };
    private readonly ConcurrentDictionary<string, (string Token, DateTimeOffset RenewAt)> _minted = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (ServiceCaller Caller, DateTimeOffset Expires)> _validated = new(StringComparer.Ordinal);
    private readonly TokenValidationParameters _validation;
    private readonly byte[]? _agentRootKey;

    /// <summary>Creates the credentials from <paramref name="options"/>.</summary>
    public ServiceCredentials(IOptions<ServiceIdentityOptions> options, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(options);
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _lifetime = options.Value.TokenLifetime > TimeSpan.Zero ? options.Value.TokenLifetime : TimeSpan.FromMinutes(5);
        var bytes = string.IsNullOrWhiteSpace(options.Value.Key) ? RandomNumberGenerator.GetBytes(32) : Decode(options.Value.Key);
        IsConfigured = !string.IsNullOrWhiteSpace(options.Value.Key);
        _key = new SymmetricSecurityKey(bytes);
        _agentRootKey = string.IsNullOrWhiteSpace(options.Value.AgentRootKey) ? null : Decode(options.Value.AgentRootKey, nameof(options.Value.AgentRootKey));
        _validation = new TokenValidationParameters
        {
            ValidIssuer = Issuer,
            ValidAudience = Audience,
            IssuerSigningKey = _key,
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ClockSkew = TimeSpan.FromSeconds(30),
            LifetimeValidator = (notBefore, expires, _, _) => expires is { } exp && exp > _clock.GetUtcNow().UtcDateTime.AddSeconds(-30)
                && exp <= _clock.GetUtcNow().UtcDateTime.Add(_lifetime).AddSeconds(30)
                && (notBefore is null || notBefore <= _clock.GetUtcNow().UtcDateTime.AddSeconds(30)),
        };
    }

    /// <summary>True when the key comes from configuration (shared by the processes of a deployment), false when minted in memory.</summary>
    public bool IsConfigured { get; }

    /// <summary>A token proving that <paramref name="appId"/> calls; reused until half its lifetime is gone.</summary>
    public string TokenFor(string appId)
    {
        ArgumentException.ThrowIfNullOrEmpty(appId);
        var now = _clock.GetUtcNow();
        if (_minted.TryGetValue(appId, out var cached) && cached.RenewAt > now)
        {
            return cached.Token;
        }

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity([new Claim(ServiceClaim, appId)]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(_lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
        _minted[appId] = (token, now.Add(_lifetime / 2));
        return token;
    }

    /// <summary>The service that <paramref name="token"/> proves, or null when it proves none.</summary>
    public async Task<string?> ValidateAsync(string token) => (await ValidateCallerAsync(token).ConfigureAwait(false))?.Service;

    /// <summary>
    /// The caller that <paramref name="token"/> proves, or null when it proves none: a service's token is signed
    /// with the service key; an agent's (<see cref="AgentIdentity"/>) with its router's key, derived from the
    /// agent root key, and with no other key.
    /// </summary>
    public async Task<ServiceCaller?> ValidateCallerAsync(string token)
    {
        var now = _clock.GetUtcNow();
        // Only tokens that passed validation are remembered, so the cache holds a few entries per
        // calling service and lifetime, whatever a caller sends.
        if (_validated.TryGetValue(token, out var known))
        {
            if (known.Expires > now)
            {
                return known.Caller;
            }

            _validated.TryRemove(token, out _);
        }

        var router = RouterClaimOf(token);
        var validation = _validation;
        if (router is not null)
        {
            if (_agentRootKey is null)
            {
                return null;
            }

            validation = _validation.Clone();
            validation.IssuerSigningKey = new SymmetricSecurityKey(AgentIdentity.DeriveKey(_agentRootKey, router));
        }

        var result = await _handler.ValidateTokenAsync(token, validation).ConfigureAwait(false);
        if (!result.IsValid || result.Claims.TryGetValue(ServiceClaim, out var claim) is false || claim is not string service || service.Length == 0)
        {
            return null;
        }

        // The agents' app-id is theirs alone: a token naming it must speak for a router (and be signed with its key),
        // and an agent's token names no other service.
        if ((router is not null) != (service == AgentIdentity.AppId))
        {
            return null;
        }

        var caller = new ServiceCaller(service, router);

        foreach (var stale in _validated.Where(e => e.Value.Expires <= now).Select(e => e.Key).ToArray())
        {
            _validated.TryRemove(stale, out _);
        }

        _validated[token] = (caller, new DateTimeOffset(result.SecurityToken.ValidTo, TimeSpan.Zero));
        return caller;
    }

    /// <summary>The <c>router</c> claim of a well-formed JWT, read before its signature is checked (to choose the key), or null.</summary>
    private string? RouterClaimOf(string token)
    {
        if (!_handler.CanReadToken(token))
        {
            return null;
        }

        try
        {
            return _handler.ReadJsonWebToken(token).TryGetPayloadValue<string>(AgentIdentity.RouterClaim, out var router) && !string.IsNullOrEmpty(router)
                ? router
                : null;
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private static byte[] Decode(string base64, string setting = "Key")
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(base64);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"{ServiceIdentityOptions.Section}:{setting} is not valid base64.");
        }

        return bytes.Length >= 32 ? bytes : throw new InvalidOperationException($"{ServiceIdentityOptions.Section}:{setting} is shorter than 256 bits.");
    }
}

/// <summary>A caller proven by a service token: the service's app-id and, for an agent, the router it speaks for.</summary>
/// <param name="Service">The app-id (<c>svc</c>).</param>
/// <param name="Router">The router of an agent's token (<c>router</c>); null for a service.</param>
public sealed record ServiceCaller(string Service, string? Router);
