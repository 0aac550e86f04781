using System.CommandLine;
using DirectConnect.Cli.Output;
using DirectConnect.Cli.Profiles;
using DirectConnect.Cli.Requests;

namespace DirectConnect.Cli;

/// <summary><c>dc login</c>, <c>dc logout</c>, <c>dc token</c> and <c>dc profiles</c>: the profile file's commands.</summary>
public static class Session
{
    /// <summary>The commands.</summary>
    public static IEnumerable<Command> Commands()
    {
        yield return Login();
        yield return Logout();
        yield return Token();
        yield return Profiles();
    }

    private static Command Login()
    {
        var account = new Option<string>("--account") { Description = "Account to sign tokens for (the embedded default's token command).", HelpName = "id" };
        var role = new Option<string>("--role") { Description = "Role of those tokens: customer (default), operator or partner.", HelpName = "role" };
        role.CompletionSources.Add("customer", "operator", "partner");
        var token = new Option<string>("--token") { Description = "A token to keep in the profile and send as it is (e.g. from your identity provider).", HelpName = "token" };
        var tokenCommand = new Option<string>("--token-command") { Description = "A shell command that prints a token; run again shortly before each token expires.", HelpName = "command" };
        var gatewayCommand = new Option<string>("--gateway-command")
        {
            Description = "How to run the gateway for its `token` command (default: $DC_GATEWAY_COMMAND, else `dotnet run --project <checkout>/gateway --` when run inside a checkout).",
            HelpName = "command",
        };
        var command = new Command("login", "Saves a profile (endpoint, region, how to get a token) and makes it the current one. For the embedded default: dc login --account acme --role customer --region cn-north-1.")
        {
            account, role, token, tokenCommand, gatewayCommand,
        };
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var config = ProfileStore.Load();
            var name = GlobalOptions.ProfileName(parsed, "default");
            var profile = config.Profiles.TryGetValue(name, out var existing) ? existing : new Profile();
            profile.Endpoint = parsed.GetValue(GlobalOptions.Endpoint) ?? profile.Endpoint ?? GlobalOptions.DefaultEndpoint;
            profile.Region = parsed.GetValue(GlobalOptions.Region) ?? profile.Region;
            var given = new[] { parsed.GetValue(token) is not null, parsed.GetValue(tokenCommand) is not null, parsed.GetValue(account) is not null }.Count(g => g);
            if (given != 1)
            {
                throw new InputException("give one of --account (a token from the embedded gateway's `token` command), --token-command or --token");
            }

            profile.Token = parsed.GetValue(token);
            profile.TokenCommand = parsed.GetValue(tokenCommand);
            profile.CachedToken = null;
            profile.CachedTokenExpires = null;
            if (parsed.GetValue(account) is { } accountId)
            {
                var gateway = parsed.GetValue(gatewayCommand)
                    ?? (Environment.GetEnvironmentVariable("DC_GATEWAY_COMMAND") is { Length: > 0 } fromEnvironmentCommand ? fromEnvironmentCommand : null)
                    ?? CheckoutGatewayCommand()
                    ?? throw new InputException("--account: no gateway to sign tokens with; pass --gateway-command (e.g. \"dotnet run --project ~/directconnect/gateway --\"), set DC_GATEWAY_COMMAND, or run dc inside a checkout");
                profile.TokenCommand = $"{gateway} token --account {Quote(accountId)} --role {Quote(parsed.GetValue(role) ?? "customer")}";
            }

            config.Profiles[name] = profile;
            config.Current = name;
            if (profile.TokenCommand is not null)
            {
                // Proves the command works now rather than at the first call; the token goes to the cache, not the screen.
                profile.CachedToken = await ProfileStore.RunTokenCommandAsync(profile.TokenCommand, cancellationToken);
                profile.CachedTokenExpires = Jwt.ExpiryOf(profile.CachedToken);
            }

            ProfileStore.Save(config);
            Console.WriteLine($"profile '{name}' saved to {ProfileStore.PathOf()} and made current: endpoint {profile.Endpoint}, region {profile.Region ?? "(none: pass --region or set DC_REGION)"}, token {Describe(profile)}");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Logout()
    {
        var command = new Command("logout", "Forgets the profile's token and token command (the endpoint and region stay).");
        command.SetAction(parsed =>
        {
            var config = ProfileStore.Load();
            var name = GlobalOptions.ProfileName(parsed, config.Current);
            if (!config.Profiles.TryGetValue(name, out var profile))
            {
                throw new InputException($"--profile: no profile '{name}'");
            }

            profile.Token = profile.TokenCommand = profile.CachedToken = null;
            profile.CachedTokenExpires = null;
            ProfileStore.Save(config);
            Console.WriteLine($"profile '{name}': token forgotten");
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Token()
    {
        var command = new Command("token", "Prints the token the profile sends (from its token command when the cached one is about to expire). The only command that prints one.");
        command.SetAction(async (parsed, cancellationToken) =>
        {
            var settings = GlobalOptions.Resolve(parsed);
            Console.WriteLine(await settings.TokenAsync(cancellationToken));
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command Profiles()
    {
        var command = new Command("profiles", "Lists the saved profiles; the current one is marked *. Tokens are never shown.");
        command.SetAction(_ =>
        {
            var config = ProfileStore.Load();
            Console.WriteLine($"{"",1} {"NAME",-12} {"ENDPOINT",-28} {"REGION",-14} TOKEN");
            foreach (var (name, profile) in config.Profiles.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                Console.WriteLine($"{(name == config.Current ? "*" : " ")} {name,-12} {profile.Endpoint,-28} {profile.Region,-14} {Describe(profile)}");
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    private static string Describe(Profile profile) =>
        profile.Token is not null ? "stored in the profile"
        : profile.TokenCommand is not null ? $"from `{profile.TokenCommand}`"
        : "none";

    private static string Quote(string word) => "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    // Inside a checkout (this directory or one above has gateway/DirectConnect.Gateway.csproj), run its gateway.
    private static string? CheckoutGatewayCommand()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
            {
                var project = Path.Combine(directory.FullName, "gateway", "DirectConnect.Gateway.csproj");
                if (File.Exists(project))
                {
                    return $"dotnet run --project {Quote(Path.GetDirectoryName(project)!)} --";
                }
            }
        }

        return null;
    }
}
