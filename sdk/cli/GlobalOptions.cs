using System.CommandLine;
using DirectConnect.Cli.Output;
using DirectConnect.Cli.Profiles;
using DirectConnect.Cli.Requests;

namespace DirectConnect.Cli;

/// <summary>The options every command takes, and the settings they resolve to with the profile and the environment.</summary>
public static class GlobalOptions
{
    /// <summary>The address used when nothing names one: the embedded default's gRPC listener.</summary>
    public const string DefaultEndpoint = "http://127.0.0.1:9090";

    /// <summary><c>--profile</c>: the profile to use (<c>$DC_PROFILE</c>, else the current one).</summary>
    public static readonly Option<string> Profile = new("--profile") { Description = "Profile to use (default: $DC_PROFILE, else the one `dc login` last saved).", Recursive = true, HelpName = "name" };

    /// <summary><c>--endpoint</c>: the API's gRPC address.</summary>
    public static readonly Option<string> Endpoint = new("--endpoint") { Description = $"gRPC address of the API (default: $DC_ENDPOINT, else the profile's, else {DefaultEndpoint}).", Recursive = true, HelpName = "url" };

    /// <summary><c>--region</c>.</summary>
    public static readonly Option<string> Region = new("--region") { Description = "Region, e.g. cn-north-1 (default: $DC_REGION, else the profile's).", Recursive = true, HelpName = "region" };

    /// <summary><c>-o</c>: table, json, yaml, or a file for a download.</summary>
    public static readonly Option<string> Output = new("--output", "-o")
    {
        Description = "table (default), json (the API's JSON, as REST returns it) or yaml; for a download (loa), the file to write.",
        Recursive = true,
        HelpName = "table|json|yaml|file",
    };

    static GlobalOptions()
    {
        Output.CompletionSources.Add("table", "json", "yaml");
    }

    /// <summary>Adds the options to the root command.</summary>
    public static void AddTo(RootCommand root)
    {
        root.Add(Profile);
        root.Add(Endpoint);
        root.Add(Region);
        root.Add(Output);
    }

    /// <summary>The settings of one invocation.</summary>
    public static Settings Resolve(ParseResult parsed)
    {
        var config = ProfileStore.Load();
        var profileName = ProfileName(parsed, config.Current);
        config.Profiles.TryGetValue(profileName, out var profile);
        var endpointText = parsed.GetValue(Endpoint) ?? Env("DC_ENDPOINT") ?? profile?.Endpoint ?? DefaultEndpoint;
        if (!Uri.TryCreate(endpointText, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https"))
        {
            throw new InputException($"--endpoint: \"{endpointText}\" is not an http:// or https:// address");
        }

        var output = parsed.GetValue(Output) ?? "table";
        var (format, file) = output.ToLowerInvariant() switch
        {
            "table" => (OutputFormat.Table, (string?)null),
            "json" => (OutputFormat.Json, null),
            "yaml" or "yml" => (OutputFormat.Yaml, null),
            _ => (OutputFormat.Table, output),
        };
        return new Settings(config, profileName, endpoint, parsed.GetValue(Region) ?? Env("DC_REGION") ?? profile?.Region, format, file);
    }

    /// <summary>The profile named by <c>--profile</c>, else <c>$DC_PROFILE</c>, else <paramref name="otherwise"/>.</summary>
    public static string ProfileName(ParseResult parsed, string otherwise) => parsed.GetValue(Profile) ?? Env("DC_PROFILE") ?? otherwise;

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;
}

/// <summary>What one invocation uses.</summary>
/// <param name="OutputFile">Set when <c>-o</c> named a file rather than a format.</param>
public sealed record Settings(CliConfig Config, string ProfileName, Uri Endpoint, string? Region, OutputFormat Format, string? OutputFile)
{
    /// <summary>The region, or a clear error naming the three ways to give one.</summary>
    public string RequireRegion() => Region ?? throw new InputException("no region: pass --region, set DC_REGION, or save one with `dc login --region`");

    /// <summary>The token to send.</summary>
    public Task<string> TokenAsync(CancellationToken cancellationToken) => ProfileStore.TokenAsync(Config, ProfileName, cancellationToken);
}
