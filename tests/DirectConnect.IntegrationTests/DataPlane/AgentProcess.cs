using System.Diagnostics;

namespace DirectConnect.IntegrationTests.DataPlane;

/// <summary>The data-plane agent as a real OS process (<c>dotnet DirectConnect.DataPlaneAgent.dll</c>), configured through its environment.</summary>
internal sealed class AgentProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly Task _pumps;
    private bool _disposed;

    private AgentProcess(IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "DirectConnect.DataPlaneAgent.dll"));
        foreach (var (name, value) in settings)
        {
            start.Environment["DirectConnect__Agent__" + name] = value;
        }

        start.Environment["Logging__LogLevel__Default"] = "Debug";
        _process = Process.Start(start)!;
        _pumps = Task.WhenAll(PumpAsync(_process.StandardOutput), PumpAsync(_process.StandardError));
    }

    /// <summary>Starts the agent of <paramref name="service"/>'s router on FRR in <paramref name="ns"/>, remembering its state in <paramref name="stateDirectory"/>.</summary>
    public static AgentProcess Start(DataPlaneServiceDouble service, string ns, string stateDirectory)
    {
        ArgumentNullException.ThrowIfNull(service);
        return new AgentProcess(new Dictionary<string, string>
        {
            ["RouterId"] = service.RouterId,
            ["Key"] = service.AgentKey,
            ["ControlPlaneUrl"] = service.Address.ToString(),
            ["Namespace"] = ns,
            ["StateDirectory"] = stateDirectory,
            ["StatusInterval"] = "00:00:00.500",
        });
    }

    /// <summary>Starts the agent of <paramref name="routerId"/> against a real control plane's internal API at <paramref name="controlPlane"/>.</summary>
    public static AgentProcess Start(string routerId, string key, Uri controlPlane, string ns, string stateDirectory) => new(new Dictionary<string, string>
    {
        ["RouterId"] = routerId,
        ["Key"] = key,
        ["ControlPlaneUrl"] = controlPlane.ToString(),
        ["Namespace"] = ns,
        ["StateDirectory"] = stateDirectory,
        ["StatusInterval"] = "00:00:00.500",
    });

    /// <summary>Everything the agent printed so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>Kills the process (SIGKILL: no shutdown of any kind) and waits until it is gone.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        await _pumps;
    }

    private async Task PumpAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_output)
            {
                _output.Add(line);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            await KillAsync();
        }

        _process.Dispose();
    }
}
