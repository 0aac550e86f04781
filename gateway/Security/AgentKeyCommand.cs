using DirectConnect.Gateway.Hosting;
using DirectConnect.Platform.ServiceIdentity;

namespace DirectConnect.Gateway.Security;

/// <summary>
/// <c>agent-key --router rtr-… [--data-dir DIR]</c>: prints the key of the border-gateway agent of one router,
/// derived from the agent root key (<c>DirectConnect:ServiceIdentity:AgentRootKey</c>, or the embedded default's
/// <c>keys/agent-root.key</c> in the data directory). The key serves that router's agent and nothing else.
/// </summary>
public static class AgentKeyCommand
{
    /// <summary>The embedded default's agent root key, under the data directory's <c>keys/</c>.</summary>
    public const string RootKeyFile = "agent-root.key";

    /// <summary>Runs the command; returns the process exit code.</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        string? router = null;
        var configArgs = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--router" when i + 1 < args.Length: router = args[++i]; break;
                case "--help" or "-h": return Usage(output, 0);
                default: configArgs.Add(args[i]); break;
            }
        }

        // A router id is what the inventory generated: nothing else names a router.
        if (router is null || !router.StartsWith("rtr-", StringComparison.Ordinal) || router.Length > 64
            || !router.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-'))
        {
            return Usage(error, 2);
        }

        var configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine([.. configArgs], GatewayApp.SwitchMappings.ToDictionary())
            .Build();
        var root = configuration[$"{ServiceIdentityOptions.Section}:{nameof(ServiceIdentityOptions.AgentRootKey)}"];
        if (string.IsNullOrWhiteSpace(root))
        {
            var gateway = configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
            root = SigningKeyStore.LoadOrCreateText(gateway.DataDirectory, RootKeyFile);
        }

        try
        {
            output.WriteLine(Convert.ToBase64String(AgentIdentity.DeriveKey(Convert.FromBase64String(root), router)));
            return 0;
        }
        catch (Exception exception) when (exception is FormatException or ArgumentException)
        {
            error.WriteLine($"{ServiceIdentityOptions.Section}:{nameof(ServiceIdentityOptions.AgentRootKey)} is not a base64 key of at least 256 bits.");
            return 2;
        }
    }

    private static int Usage(TextWriter writer, int code)
    {
        writer.WriteLine("usage: agent-key --router rtr-… [--data-dir DIR]");
        writer.WriteLine("Prints the key of the border-gateway agent of one router (base64). Keep it secret: it admits that router's agent.");
        return code;
    }
}
