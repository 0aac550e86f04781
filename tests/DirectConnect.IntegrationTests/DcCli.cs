using System.Diagnostics;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// `dc`, the command-line client, run as its own process (<c>dotnet dc.dll</c>, built beside these tests) for
/// one person: its own profiles file and data home in <see cref="Home"/>, and nothing inherited from the
/// machine (DC_TOKEN, DC_PROFILE, DC_ENDPOINT and DC_REGION are cleared).
/// </summary>
internal sealed class DcCli
{
    public DcCli(string home)
    {
        Home = home;
        Directory.CreateDirectory(home);
    }

    /// <summary>The directory the person's files are in: the profiles (cli.json) and the data home.</summary>
    public string Home { get; }

    /// <summary>The data directory the embedded gateway uses by default for this person (XDG_DATA_HOME/directconnect).</summary>
    public string DefaultDataDirectory => Path.Combine(Home, "data", "directconnect");

    /// <summary>The profiles file.</summary>
    public string ConfigPath => Path.Combine(Home, "cli.json");

    /// <summary>How the embedded gateway is run for its `token` command here (what DC_GATEWAY_COMMAND says).</summary>
    public static string GatewayCommand => $"dotnet {Path.Combine(AppContext.BaseDirectory, "DirectConnect.Gateway.dll")}";

    private static string Dll => Path.Combine(AppContext.BaseDirectory, "dc.dll");

    /// <summary>Runs <c>dc</c> with <paramref name="args"/> and waits for it.</summary>
    public Task<ExternalTool.Result> RunAsync(params string[] args) => RunWithAsync(null, args);

    /// <summary>Runs <c>dc</c> with <paramref name="args"/> and <paramref name="environment"/> added, and waits for it.</summary>
    public Task<ExternalTool.Result> RunWithAsync(IDictionary<string, string>? environment, params string[] args) =>
        ExternalTool.RunAsync("dotnet", [Dll, .. args], Environment(environment), workingDirectory: Home);

    /// <summary>Runs <c>dc</c> and returns its standard output, failing the test unless it exits 0.</summary>
    public async Task<string> OkAsync(params string[] args)
    {
        var result = await RunAsync(args);
        Assert.True(result.ExitCode == 0, $"dc {string.Join(' ', args)}\n{result}");
        return result.Output;
    }

    /// <summary>Starts <c>dc</c> without waiting: for --wait and watch, which run until something else happens.</summary>
    public Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = Home, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in Environment(null))
        {
            start.Environment[key] = value;
        }

        return Process.Start(start)!;
    }

    private Dictionary<string, string> Environment(IDictionary<string, string>? extra)
    {
        var environment = new Dictionary<string, string>
        {
            ["DC_CONFIG"] = ConfigPath,
            ["XDG_DATA_HOME"] = Path.Combine(Home, "data"),
            ["DC_GATEWAY_COMMAND"] = GatewayCommand,
            ["DC_TOKEN"] = "",
            ["DC_PROFILE"] = "",
            ["DC_ENDPOINT"] = "",
            ["DC_REGION"] = "",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }
}
