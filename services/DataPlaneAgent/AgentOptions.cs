namespace DirectConnect.DataPlaneAgent;

/// <summary>The agent's configuration, section <c>DirectConnect:Agent</c>.</summary>
public sealed class AgentOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:Agent";

    /// <summary>The router the agent drives, <c>rtr-…</c>.</summary>
    public string RouterId { get; set; } = "";

    /// <summary>The agent's key, base64 (the gateway's <c>agent-key</c> command prints it). Never logged.</summary>
    public string Key { get; set; } = "";

    /// <summary>The control plane's internal gRPC endpoint, e.g. <c>http://127.0.0.1:5090</c>.</summary>
    public string ControlPlaneUrl { get; set; } = "";

    /// <summary>The network namespace FRR runs in (<c>vtysh -N</c>, <c>ip netns exec</c>); empty for the default one.</summary>
    public string Namespace { get; set; } = "";

    /// <summary>Where the agent keeps the position it applied and what it applied.</summary>
    public string StateDirectory { get; set; } = "";

    /// <summary>FRR's vtysh.</summary>
    public string VtyshPath { get; set; } = "/usr/bin/vtysh";

    /// <summary>How often the agent reads the local router's sessions (never the control plane: that is a stream).</summary>
    public TimeSpan StatusInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the agent waits before reconnecting at most (the backoff doubles from 0.5 s up to this).</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Checks the options, naming every bad one (never echoing the key).</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (!Platform.Resources.ResourceIds.IsWellFormed(RouterId, "rtr-"))
        {
            problems.Add($"{Section}:RouterId must be a router id (rtr-…)");
        }

        if (string.IsNullOrWhiteSpace(Key))
        {
            problems.Add($"{Section}:Key is required (the gateway's `agent-key --router <id>` prints it)");
        }

        if (!Uri.TryCreate(ControlPlaneUrl, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            problems.Add($"{Section}:ControlPlaneUrl must be an http(s) URL");
        }

        if (Namespace.Length > 0 && !Rendering.Names.IsSafeNamespace(Namespace))
        {
            problems.Add($"{Section}:Namespace must be 1-64 letters, digits, '-', '_' or '.'");
        }

        if (string.IsNullOrWhiteSpace(StateDirectory))
        {
            problems.Add($"{Section}:StateDirectory is required");
        }

        if (StatusInterval <= TimeSpan.Zero)
        {
            problems.Add($"{Section}:StatusInterval must be positive");
        }

        return problems;
    }
}
