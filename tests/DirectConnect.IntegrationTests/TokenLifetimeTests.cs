using System.Security.Claims;
using DirectConnect.Contracts.V1;
using DirectConnect.Gateway.Security;
using DirectConnect.Platform.Tenancy;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// No token lives longer than <c>DirectConnect:Auth:MaxTokenLifetime</c> (a day by default): the
/// gateway refuses a longer one however well signed, and the token command will not issue one.
/// </summary>
public sealed class TokenLifetimeTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private string Sign(DateTime expires, DateTime? issuedAt)
    {
        var claims = new ClaimsIdentity([new Claim(CallerClaims.Account, "ops"), new Claim(CallerClaims.Roles, Role.Operator)]);
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = AuthOptions.EmbeddedIssuer,
            Audience = "directconnect",
            Subject = claims,
            IssuedAt = issuedAt,
            Expires = expires,
            SigningCredentials = new SigningCredentials(SigningKeyStore.LoadOrCreate(system.DataDirectory), SecurityAlgorithms.HmacSha256),
        });
    }

    private Task<ListLocationsResponse> ListAsync(string token) =>
        new LocationService.LocationServiceClient(system.Channel)
            .ListLocationsAsync(new ListLocationsRequest { Region = Seed.Region }, new Metadata { { "authorization", $"Bearer {token}" } }).ResponseAsync;

    [Fact]
    public async Task AValidlySignedTokenExpiringInTheYear9999IsUnauthenticated()
    {
        var now = DateTime.UtcNow;
        await ListAsync(Sign(now.AddHours(23), now)); // the same token within the cap works

        var forever = Sign(new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc), now);
        await RpcAssert.FailsWithoutStatus(StatusCode.Unauthenticated, () => ListAsync(forever));
        using var rest = new HttpClient { BaseAddress = system.RestAddress };
        rest.DefaultRequestHeaders.Authorization = new("Bearer", forever);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, (await rest.GetAsync($"/v1/regions/{Seed.Region}/locations")).StatusCode);
        await RpcAssert.FailsWithoutStatus(StatusCode.Unauthenticated, () => ListAsync(Sign(new DateTime(9999, 12, 31, 0, 0, 0, DateTimeKind.Utc), issuedAt: null)));
    }

    [Fact]
    public async Task ATokenIssuedLongerThanTheCapBeforeItExpiresIsUnauthenticated()
    {
        var now = DateTime.UtcNow;
        // Expires within the hour, but was issued for thirty days.
        await RpcAssert.FailsWithoutStatus(StatusCode.Unauthenticated, () => ListAsync(Sign(now.AddHours(1), now.AddDays(-30))));
    }

    [Fact]
    public void TheTokenCommandRefusesALifetimeBeyondTheCap()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        Assert.Equal(2, TokenCommand.Run(["--account", "ops", "--role", "operator", "--lifetime", "1000.00:00:00", $"--data-dir={system.DataDirectory}"], output, error));
        Assert.Contains("longer than DirectConnect:Auth:MaxTokenLifetime (1.00:00:00)", error.ToString(), StringComparison.Ordinal);
        Assert.Empty(output.ToString());

        Assert.Equal(2, TokenCommand.Run(["--account", "ops", "--lifetime", "02:00:00", "--DirectConnect:Auth:MaxTokenLifetime=01:00:00", $"--data-dir={system.DataDirectory}"], output, error));
        Assert.Equal(2, TokenCommand.Run(["--account", "ops", "--lifetime", "soon", $"--data-dir={system.DataDirectory}"], output, error));
        Assert.Equal(0, TokenCommand.Run(["--account", "ops", "--lifetime", "1.00:00:00", $"--data-dir={system.DataDirectory}"], output, error));
    }
}
