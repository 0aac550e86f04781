using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DirectConnect.Cli.Profiles;

/// <summary>One named set of settings: where the API is, which region, and how to get a token.</summary>
public sealed class Profile
{
    /// <summary>The API's gRPC address, e.g. <c>http://127.0.0.1:9090</c>.</summary>
    public string? Endpoint { get; set; }

    /// <summary>The region commands act in unless <c>--region</c> says otherwise.</summary>
    public string? Region { get; set; }

    /// <summary>A token given to <c>dc login --token</c>, used as it is.</summary>
    public string? Token { get; set; }

    /// <summary>A shell command that prints a token, run when the cached one is missing or about to expire.</summary>
    public string? TokenCommand { get; set; }

    /// <summary>The last token <see cref="TokenCommand"/> printed, kept until shortly before it expires.</summary>
    public string? CachedToken { get; set; }

    /// <summary>When <see cref="CachedToken"/> expires (its <c>exp</c> claim).</summary>
    public DateTimeOffset? CachedTokenExpires { get; set; }
}

/// <summary>The profiles file: <c>$DC_CONFIG</c>, else <c>$XDG_CONFIG_HOME/directconnect/cli.json</c> (<c>~/.config/…</c>).</summary>
public sealed class CliConfig
{
    /// <summary>The profile used when neither <c>--profile</c> nor <c>DC_PROFILE</c> names one.</summary>
    public string Current { get; set; } = "default";

    /// <summary>The profiles by name.</summary>
    public Dictionary<string, Profile> Profiles { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>Reads and writes the profiles file, readable by its owner only (it may hold tokens).</summary>
public static class ProfileStore
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>Where the profiles live.</summary>
    public static string PathOf()
    {
        if (Environment.GetEnvironmentVariable("DC_CONFIG") is { Length: > 0 } explicitPath)
        {
            return explicitPath;
        }

        var config = Environment.GetEnvironmentVariable("XDG_CONFIG_HOME") is { Length: > 0 } xdg
            ? xdg
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config");
        return Path.Combine(config, "directconnect", "cli.json");
    }

    /// <summary>The profiles; none when the file does not exist.</summary>
    public static CliConfig Load()
    {
        var path = PathOf();
        if (!File.Exists(path))
        {
            return new CliConfig();
        }

        try
        {
            return JsonSerializer.Deserialize<CliConfig>(File.ReadAllText(path), Json) ?? new CliConfig();
        }
        catch (JsonException e)
        {
            throw new SettingsException(2, $"the profiles file {path} is not valid JSON ({e.Message}); fix or delete it");
        }
    }

    /// <summary>Writes the profiles: the directory 0700, the file 0600, replaced in one rename.</summary>
    public static void Save(CliConfig config)
    {
        var path = PathOf();
        var directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (!Directory.Exists(directory))
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(directory);
            }
            else
            {
                Directory.CreateDirectory(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }

        var temporary = path + ".tmp";
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var file = new FileStream(temporary, options))
        {
            file.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(config, Json)));
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// The token to send: <c>$DC_TOKEN</c>, else the profile's token, else its cached one while it has a
    /// minute left, else a fresh one from its token command (cached in the file).
    /// </summary>
    public static async Task<string> TokenAsync(CliConfig config, string profileName, CancellationToken cancellationToken)
    {
        if (Environment.GetEnvironmentVariable("DC_TOKEN") is { Length: > 0 } fromEnvironment)
        {
            return fromEnvironment;
        }

        if (!config.Profiles.TryGetValue(profileName, out var profile))
        {
            throw new SettingsException(5, $"no token: profile '{profileName}' does not exist; run `dc login` (or set DC_TOKEN)");
        }

        if (!string.IsNullOrEmpty(profile.Token))
        {
            return profile.Token;
        }

        if (profile.CachedToken is { Length: > 0 } cached && profile.CachedTokenExpires > DateTimeOffset.UtcNow.AddMinutes(1))
        {
            return cached;
        }

        if (string.IsNullOrEmpty(profile.TokenCommand))
        {
            throw new SettingsException(5, $"no token: profile '{profileName}' has neither a token nor a token command; run `dc login`");
        }

        var token = await RunTokenCommandAsync(profile.TokenCommand, cancellationToken);
        profile.CachedToken = token;
        profile.CachedTokenExpires = Jwt.ExpiryOf(token);
        Save(config);
        return token;
    }

    /// <summary>Runs <paramref name="command"/> with <c>/bin/sh -c</c> (<c>cmd /c</c> on Windows) and returns the token it printed.</summary>
    public static async Task<string> RunTokenCommandAsync(string command, CancellationToken cancellationToken)
    {
        var start = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe") { ArgumentList = { "/c", command } }
            : new ProcessStartInfo("/bin/sh") { ArgumentList = { "-c", command } };
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start) ?? throw new SettingsException(5, $"the token command could not be started: {command}");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var token = (await output).Trim();
        if (process.ExitCode != 0 || token.Length == 0 || token.Contains('\n', StringComparison.Ordinal))
        {
            // Its standard error says why; its standard output might be a token, which is never printed.
            throw new SettingsException(5, $"the token command failed (exit code {process.ExitCode}): {command}\n{(await error).Trim()}");
        }

        return token;
    }
}

/// <summary>The settings do not allow the command: no region, no token, a broken profiles file. Carries the exit code.</summary>
public sealed class SettingsException(int exitCode, string message) : Exception(message)
{
    /// <summary>2 for missing settings, 5 for a missing or unobtainable token.</summary>
    public int ExitCode { get; } = exitCode;
}

/// <summary>What the CLI reads from a token: its expiry, for the cache, and its account, for --wait. Signatures are the server's business.</summary>
public static class Jwt
{
    /// <summary>The <c>exp</c> claim, or five minutes from now when the token is not a JWT or has none.</summary>
    public static DateTimeOffset ExpiryOf(string token) =>
        Claim(token, "exp") is { ValueKind: JsonValueKind.Number } exp && exp.TryGetInt64(out var seconds)
            ? DateTimeOffset.FromUnixTimeSeconds(seconds)
            : DateTimeOffset.UtcNow.AddMinutes(5);

    /// <summary>The <c>account</c> claim (whose change feed the token watches), or null.</summary>
    public static string? AccountOf(string token) => Claim(token, "account") is { ValueKind: JsonValueKind.String } account ? account.GetString() : null;

    private static JsonElement? Claim(string token, string name)
    {
        var parts = token.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var payload = parts[1].Replace('-', '+').Replace('_', '/');
            payload = payload.PadRight(payload.Length + ((4 - (payload.Length % 4)) % 4), '=');
            using var claims = JsonDocument.Parse(Convert.FromBase64String(payload));
            return claims.RootElement.TryGetProperty(name, out var value) ? value.Clone() : null;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            // Not a JWT this can read.
            return null;
        }
    }
}
