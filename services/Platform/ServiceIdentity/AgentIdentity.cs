using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectConnect.Platform.ServiceIdentity;

/// <summary>
/// Border-gateway agents: the processes next to the cloud-side routers, outside the services' mesh. Each
/// proves the service identity <see cref="AppId"/> for one router with a key of its own, derived from the
/// deployment's agent root key and the router's id (HMAC-SHA256), so an agent's key serves its router
/// and nothing else: it cannot speak for another router, nor as any of the services. The control plane
/// keeps only the root key and derives a router's key when it checks that router's token.
/// </summary>
public static class AgentIdentity
{
    /// <summary>The app-id the agents' tokens carry, named by the data-plane methods' callers.</summary>
    public const string AppId = "data-plane-agent";

    /// <summary>The claim naming the router an agent's token speaks for.</summary>
    public const string RouterClaim = "router";

    /// <summary>The key of the agent of <paramref name="routerId"/>, derived from <paramref name="rootKey"/>.</summary>
    public static byte[] DeriveKey(ReadOnlySpan<byte> rootKey, string routerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(routerId);
        if (rootKey.Length < 32)
        {
            throw new ArgumentException("The agent root key is shorter than 256 bits.", nameof(rootKey));
        }

        return HMACSHA256.HashData(rootKey, Encoding.UTF8.GetBytes("directconnect-agent:" + routerId));
    }

    /// <summary>The router that the caller's agent token speaks for, or null when the caller is not an agent.</summary>
    public static string? RouterOf(ClaimsPrincipal? user) =>
        user?.Identities.FirstOrDefault(i => i.IsAuthenticated && i.AuthenticationType == ServiceIdentityAuthenticationHandler.SchemeName)
            ?.FindFirst(RouterClaim)?.Value;
}

/// <summary>
/// An agent's side: mints the short-lived service tokens (issuer and audience as every service token's,
/// <c>svc</c> = <see cref="AgentIdentity.AppId"/>, <c>router</c> = its router) that it sends on every call,
/// signed with its router's key. A token is reused until half its lifetime is gone.
/// </summary>
public sealed class AgentTokens
{
    private readonly string _routerId;
    private readonly SymmetricSecurityKey _key;
    private readonly TimeProvider _clock;
    private readonly TimeSpan _lifetime;
    private readonly JsonWebTokenHandler _handler = new();
    private (string Token, DateTimeOffset RenewAt)? _current;

    /// <summary>Tokens for the agent of <paramref name="routerId"/>, whose key is <paramref name="base64Key"/>.</summary>
    public AgentTokens(string routerId, string base64Key, TimeProvider clock, TimeSpan? lifetime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(routerId);
        ArgumentException.ThrowIfNullOrEmpty(base64Key);
        byte[] key;
        try
        {
            key = Convert.FromBase64String(base64Key.Trim());
        }
        catch (FormatException)
        {
            throw new ArgumentException("The agent key is not valid base64.", nameof(base64Key));
        }

        _routerId = routerId;
        _key = key.Length >= 32 ? new SymmetricSecurityKey(key) : throw new ArgumentException("The agent key is shorter than 256 bits.", nameof(base64Key));
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
        _lifetime = lifetime ?? TimeSpan.FromMinutes(5);
    }

    /// <summary>A valid token for the agent's router.</summary>
    public string Token()
    {
        var now = _clock.GetUtcNow();
        if (_current is { } current && current.RenewAt > now)
        {
            return current.Token;
        }

        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = ServiceCredentials.Issuer,
            Audience = ServiceCredentials.Audience,
            Subject = new ClaimsIdentity([new Claim(ServiceCredentials.ServiceClaim, AgentIdentity.AppId), new Claim(AgentIdentity.RouterClaim, _routerId)]),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(_lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.HmacSha256),
        });
        _current = (token, now.Add(_lifetime / 2));
        return token;
    }
}
