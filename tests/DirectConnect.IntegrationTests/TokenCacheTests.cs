using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using DirectConnect.Contracts.V1;
using DirectConnect.Gateway.Security;
using DirectConnect.Platform.Tenancy;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// A bearer token is validated once and then remembered until it expires: every check still holds for a remembered
/// token (lifetime, signature, issuer and audience), a refused token is never remembered, and the memory is bounded.
/// </summary>
public sealed class TokenCacheTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private static readonly SymmetricSecurityKey Key = new(RandomNumberGenerator.GetBytes(32));

    /// <summary>A clock that moves only when told.</summary>
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    private static string Sign(DateTimeOffset issued, TimeSpan lifetime, string account = "acme", SecurityKey? key = null, string audience = "directconnect") =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AuthOptions.EmbeddedIssuer,
            Audience = audience,
            Subject = new ClaimsIdentity([new Claim(CallerClaims.Account, account), new Claim(CallerClaims.Roles, Role.Customer)]),
            IssuedAt = issued.UtcDateTime,
            NotBefore = issued.UtcDateTime,
            Expires = (issued + lifetime).UtcDateTime,
            SigningCredentials = new SigningCredentials(key ?? Key, SecurityAlgorithms.HmacSha256),
        });

    // The gateway's own checks (issuer, audience, lifetime with its cap and skew) with this test's key and clock.
    private static (CachedTokenHandler Handler, TokenValidationParameters Parameters, ManualClock Clock) Cache(int capacity = 16, TimeSpan? maxEntryLife = null)
    {
        var clock = new ManualClock(DateTimeOffset.UtcNow);
        var parameters = AuthenticationSetup.ValidationParameters(new AuthOptions(), clock);
        parameters.IssuerSigningKey = Key;
        parameters.ValidAlgorithms = [SecurityAlgorithms.HmacSha256];
        return (new CachedTokenHandler(new JsonWebTokenHandler { MapInboundClaims = false }, clock, capacity, maxEntryLife ?? TimeSpan.FromHours(1)), parameters, clock);
    }

    [Fact]
    public async Task ARememberedTokenIsRefusedOnceItHasExpired()
    {
        var (cache, parameters, clock) = Cache();
        var token = Sign(clock.Now, TimeSpan.FromMinutes(10));
        Assert.True((await cache.ValidateTokenAsync(token, parameters)).IsValid);
        clock.Now += TimeSpan.FromMinutes(9);
        Assert.True((await cache.ValidateTokenAsync(token, parameters)).IsValid);
        Assert.Equal(1, cache.Validations); // remembered

        // Past exp and the 30 s of clock skew: refused, and no longer remembered.
        clock.Now += TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(31);
        Assert.False((await cache.ValidateTokenAsync(token, parameters)).IsValid);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task ATamperedTokenIsRefusedWhileTheOriginalIsRemembered()
    {
        var (cache, parameters, clock) = Cache();
        var token = Sign(clock.Now, TimeSpan.FromMinutes(10));
        Assert.True((await cache.ValidateTokenAsync(token, parameters)).IsValid);

        // The payload rewritten to another account, the original signature kept.
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Base64UrlEncoder.DecodeBytes(parts[1])).Replace("\"acme\"", "\"evil\"", StringComparison.Ordinal);
        var forged = $"{parts[0]}.{Base64UrlEncoder.Encode(payload)}.{parts[2]}";
        Assert.False((await cache.ValidateTokenAsync(forged, parameters)).IsValid);
        // The original's signature with one character changed.
        var signature = parts[2].ToCharArray();
        signature[0] = signature[0] == 'A' ? 'B' : 'A';
        Assert.False((await cache.ValidateTokenAsync($"{parts[0]}.{parts[1]}.{new string(signature)}", parameters)).IsValid);

        var original = await cache.ValidateTokenAsync(token, parameters);
        Assert.True(original.IsValid);
        Assert.Equal("acme", original.ClaimsIdentity.FindFirst(CallerClaims.Account)?.Value);
    }

    [Fact]
    public async Task ARefusedTokenIsRefusedAgainAndNeverRemembered()
    {
        var (cache, parameters, clock) = Cache();
        foreach (var refused in new[]
                 {
                     Sign(clock.Now, TimeSpan.FromMinutes(10), audience: "someone-else"),
                     Sign(clock.Now, TimeSpan.FromMinutes(10), key: new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32))),
                     Sign(clock.Now, TimeSpan.FromDays(30)), // beyond MaxTokenLifetime
                 })
        {
            var before = cache.Validations;
            Assert.False((await cache.ValidateTokenAsync(refused, parameters)).IsValid);
            Assert.False((await cache.ValidateTokenAsync(refused, parameters)).IsValid);
            Assert.Equal(before + 2, cache.Validations);
        }

        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task DistinctTokensBeyondTheBoundEvictTheLeastRecentlyUsed()
    {
        var (cache, parameters, clock) = Cache(capacity: 3);
        var tokens = Enumerable.Range(0, 5).Select(i => Sign(clock.Now, TimeSpan.FromMinutes(10), account: $"acct-{i}")).ToArray();
        foreach (var token in tokens[..3])
        {
            Assert.True((await cache.ValidateTokenAsync(token, parameters)).IsValid);
        }

        Assert.True((await cache.ValidateTokenAsync(tokens[0], parameters)).IsValid); // used again: now the most recent
        Assert.Equal(3, cache.Validations);
        foreach (var token in tokens[3..])
        {
            Assert.True((await cache.ValidateTokenAsync(token, parameters)).IsValid);
            Assert.Equal(3, cache.Count);
        }

        // tokens[1] and [2] made room; tokens[0] is still remembered, and an evicted token is simply validated again.
        var validations = cache.Validations;
        Assert.True((await cache.ValidateTokenAsync(tokens[0], parameters)).IsValid);
        Assert.Equal(validations, cache.Validations);
        Assert.True((await cache.ValidateTokenAsync(tokens[1], parameters)).IsValid);
        Assert.Equal(validations + 1, cache.Validations);
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public async Task ATokenSignedWithARemovedKeyIsRefusedOnceItsEntryHasLivedItsCap()
    {
        var (cache, parameters, clock) = Cache(maxEntryLife: TimeSpan.FromMinutes(5));
        var token = Sign(clock.Now, TimeSpan.FromHours(1));
        Assert.True((await cache.ValidateTokenAsync(token, parameters)).IsValid);

        // The authority rolls its keys over: the token's key is gone. Its entry lives 5 minutes at most.
        parameters.IssuerSigningKey = new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32));
        clock.Now += TimeSpan.FromMinutes(5);
        Assert.False((await cache.ValidateTokenAsync(token, parameters)).IsValid);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task ARememberedTokensIdentityIsSharedRefusesChangesAndEndsWithItsEntry()
    {
        var (cache, parameters, clock) = Cache();
        var token = Sign(clock.Now, TimeSpan.FromMinutes(10));
        Assert.Null(cache.Remembered(token)); // only a validated token is remembered
        Assert.True((await cache.ValidateTokenAsync(token, parameters)).IsValid);

        var (identity, validated) = cache.Remembered(token)!.Value;
        Assert.Equal("acme", identity.FindFirst(CallerClaims.Account)?.Value);
        Assert.Equal(Role.Customer, identity.FindFirst(CallerClaims.Roles)?.Value);
        Assert.Equal((clock.Now + TimeSpan.FromMinutes(10)).ToUnixTimeSeconds(), new DateTimeOffset(validated.ValidTo, TimeSpan.Zero).ToUnixTimeSeconds());

        // Shared by every request with the token: a request cannot give the next one a role.
        Assert.Throws<InvalidOperationException>(() => identity.AddClaim(new Claim(CallerClaims.Roles, Role.Operator)));
        Assert.Throws<InvalidOperationException>(() => identity.RemoveClaim(identity.FindFirst(CallerClaims.Roles)));
        var again = cache.Remembered(token)!.Value.Identity;
        Assert.Same(identity, again);
        Assert.Equal([Role.Customer], again.FindAll(CallerClaims.Roles).Select(c => c.Value));
        var copy = identity.Clone();
        copy.AddClaim(new Claim("note", "a copy is the caller's own"));
        Assert.Null(again.FindFirst("note"));
        Assert.Equal(1, cache.Validations);

        clock.Now += TimeSpan.FromMinutes(10);
        Assert.Null(cache.Remembered(token));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task TheGatewayValidatesATokenUsedOnEveryCallOnce()
    {
        var options = system.Services.GetRequiredService<IOptionsMonitor<JwtBearerOptions>>().Get(JwtBearerDefaults.AuthenticationScheme);
        var cache = Assert.IsType<CachedTokenHandler>(Assert.Single(options.TokenHandlers));
        var locations = new LocationService.LocationServiceClient(system.Channel);
        var token = system.Token("cache-" + Guid.NewGuid().ToString("N")[..8], Role.Customer);
        var call = new Metadata { { "authorization", $"Bearer {token}" } };

        await locations.ListLocationsAsync(new ListLocationsRequest { Region = Seed.Region }, call);
        var validations = cache.Validations;
        for (var i = 0; i < 3; i++)
        {
            await locations.ListLocationsAsync(new ListLocationsRequest { Region = Seed.Region }, call);
        }

        Assert.Equal(validations, cache.Validations);

        // The same token with its signature altered is still refused by the gateway.
        var forged = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        await RpcAssert.FailsWithoutStatus(StatusCode.Unauthenticated, async () => await locations.ListLocationsAsync(
            new ListLocationsRequest { Region = Seed.Region }, new Metadata { { "authorization", $"Bearer {forged}" } }));
    }
}
