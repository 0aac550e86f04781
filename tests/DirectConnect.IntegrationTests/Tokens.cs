using DirectConnect.Gateway.Security;
using Grpc.Core;

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
}
