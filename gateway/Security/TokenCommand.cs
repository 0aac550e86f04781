using DirectConnect.Gateway.Hosting;
using DirectConnect.Platform.Tenancy;

namespace DirectConnect.Gateway.Security;

/// <summary>
/// <c>token --account ID [--role customer|operator|partner]... [--lifetime 12:00:00] [--data-dir DIR]</c>:
/// prints a bearer token for the embedded default, signed with the data directory's key.
/// </summary>
public static class TokenCommand
{
    /// <summary>The lifetime of a token when <c>--lifetime</c> is not given (or the cap, when that is shorter).</summary>
    public static readonly TimeSpan DefaultLifetime = TimeSpan.FromHours(12);

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string? account = null;
        var roles = new List<string>();
        TimeSpan? lifetime = null;
        var configArgs = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--account" when value is not null: account = value; i++; break;
                case "--role" when value is not null: roles.Add(value); i++; break;
                case "--lifetime" when value is not null:
                    if (!TimeSpan.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var parsed) || parsed <= TimeSpan.Zero)
                    {
                        error.WriteLine($"--lifetime {value} is not a positive duration ([d.]HH:MM:SS).");
                        return 2;
                    }

                    lifetime = parsed;
                    i++;
                    break;
                case "--help" or "-h": return Usage(output, 0);
                default: configArgs.Add(args[i]); break;
            }
        }

        if (account is null)
        {
            return Usage(error, 2);
        }

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine([.. configArgs], GatewayApp.SwitchMappings.ToDictionary())
            .Build();
        var gateway = configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        var auth = configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        if (!string.IsNullOrWhiteSpace(auth.Authority))
        {
            error.WriteLine("Tokens come from the configured OIDC authority; this command only serves the embedded default.");
            return 2;
        }

        // The gateway refuses tokens living longer than the cap; issuing one would only make a useless token.
        if (lifetime > auth.MaxTokenLifetime)
        {
            error.WriteLine($"--lifetime {lifetime} is longer than {AuthOptions.Section}:MaxTokenLifetime ({auth.MaxTokenLifetime}); the gateway would refuse the token.");
            return 2;
        }

        try
        {
            var issuer = new TokenIssuer(AuthenticationSetup.SigningKey(auth, gateway), auth.Issuer, auth.Audience, TimeProvider.System);
            var defaultLifetime = DefaultLifetime < auth.MaxTokenLifetime ? DefaultLifetime : auth.MaxTokenLifetime;
            output.WriteLine(issuer.Issue(account, roles.Count == 0 ? [Role.Customer] : roles, lifetime ?? defaultLifetime));
            return 0;
        }
        catch (ArgumentException exception)
        {
            error.WriteLine(exception.Message);
            return 2;
        }
    }

    private static int Usage(TextWriter writer, int exitCode)
    {
        writer.WriteLine("usage: token --account ID [--role customer|operator|partner]... [--lifetime HH:MM:SS, at most DirectConnect:Auth:MaxTokenLifetime] [--data-dir DIR]");
        return exitCode;
    }
}
