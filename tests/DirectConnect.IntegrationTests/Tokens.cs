using System.Security.Claims;
using DirectConnect.Gateway.Hosting;
using DirectConnect.Gateway.Security;
using Grpc.Core;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectConnect.IntegrationTests;

/// <summary>Bearer tokens for a data directory, issued by the README's token command.</summary>
internal static class Tokens
{
    public static string Issue(string dataDirectory, string account, params string[] roles)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var args = new List<string> { "--account", account, $"--data-dir={dataDirectory}" };
        foreach (var role in roles)
        {
            args.AddRange(["--role", role]);
        }

        var exit = TokenCommand.Run([.. args], output, error);
        Assert.True(exit == 0, error.ToString());
        return output.ToString().Trim();
    }

    public static CallOptions CallAs(string dataDirectory, string account, params string[] roles) =>
        new(new Metadata { { "authorization", $"Bearer {Issue(dataDirectory, account, roles)}" } });

    /// <summary>
    /// A token the embedded default's key (in <paramref name="dataDirectory"/>) signs, for its issuer and audience, valid an
    /// hour, carrying only <paramref name="claims"/>: what the token command would never issue (no account, say).
    /// </summary>
    public static string SignedWith(string dataDirectory, params Claim[] claims) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = AuthOptions.EmbeddedIssuer,
        Audience = "directconnect",
        Subject = new ClaimsIdentity(claims),
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(
            AuthenticationSetup.SigningKey(new AuthOptions(), new GatewayOptions { DataDirectory = dataDirectory }), SecurityAlgorithms.HmacSha256),
    });
}
