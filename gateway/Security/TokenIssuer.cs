using System.Security.Claims;
using DirectConnect.Platform.Tenancy;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectConnect.Gateway.Security;

/// <summary>Issues the embedded default's bearer tokens (HS256 JWTs with the account and role claims).</summary>
public sealed class TokenIssuer(SecurityKey key, string issuer, string audience, TimeProvider clock)
{
    /// <summary>A token for <paramref name="accountId"/> holding <paramref name="roles"/>, valid for <paramref name="lifetime"/>.</summary>
    public string Issue(string accountId, IEnumerable<string> roles, TimeSpan lifetime)
    {
        if (!Caller.IsValidAccountId(accountId))
        {
            throw new ArgumentException($"'{accountId}' is not an account id (lower-case letters, digits and '-', at most 63 characters).", nameof(accountId));
        }

        var roleList = roles.ToArray();
        var unknown = roleList.Where(r => !Role.All.Contains(r)).ToArray();
        if (unknown.Length > 0 || roleList.Length == 0)
        {
            throw new ArgumentException($"Roles must be some of: {string.Join(", ", Role.All)}.", nameof(roles));
        }

        var now = clock.GetUtcNow();
        var claims = new List<Claim> { new(JwtRegisteredClaimNames.Sub, accountId), new(CallerClaims.Account, accountId) };
        claims.AddRange(roleList.Select(r => new Claim(CallerClaims.Roles, r)));
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.Add(lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
    }
}
