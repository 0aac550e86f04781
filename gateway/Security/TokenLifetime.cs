using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectConnect.Gateway.Security;

/// <summary>
/// The lifetime check of every bearer token, with a cap (<see cref="AuthOptions.MaxTokenLifetime"/>):
/// a token that expires further than the cap from now, or whose <c>exp</c> − <c>iat</c> exceeds it,
/// is refused like an expired one. A leaked long-lived token (one "expiring" in 9999) would
/// otherwise be a permanent credential; the cap bounds how long any token, however minted, works.
/// </summary>
public static class TokenLifetime
{
    /// <summary>The validator for <see cref="TokenValidationParameters.LifetimeValidator"/>. It replaces the library's check, so it also does that one.</summary>
    public static LifetimeValidator Validator(TimeSpan maxLifetime, TimeProvider clock)
    {
        ArgumentNullException.ThrowIfNull(clock);
        return (notBefore, expires, token, parameters) =>
            IsAcceptable(notBefore, expires, token is JsonWebToken { IssuedAt: var iat } && iat != DateTime.MinValue ? iat : null,
                clock.GetUtcNow().UtcDateTime, parameters.ClockSkew, maxLifetime);
    }

    /// <summary>
    /// True when a token valid from <paramref name="notBefore"/> to <paramref name="expires"/> (issued at
    /// <paramref name="issuedAt"/>, when it says) is valid <paramref name="now"/>, give or take
    /// <paramref name="clockSkew"/>, and its lifetime is within <paramref name="maxLifetime"/>.
    /// </summary>
    public static bool IsAcceptable(DateTime? notBefore, DateTime? expires, DateTime? issuedAt, DateTime now, TimeSpan clockSkew, TimeSpan maxLifetime) =>
        expires is { } exp &&
        exp >= now - clockSkew &&
        (notBefore is not { } nbf || (nbf <= exp && nbf <= now + clockSkew)) &&
        exp - now <= maxLifetime + clockSkew &&
        (issuedAt is not { } iat || exp - iat <= maxLifetime);
}
