using System.Diagnostics;
using System.Text.RegularExpressions;
using Grpc.Net.Client;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The embedded system as a separate, real OS process (<c>dotnet DirectConnect.Gateway.dll</c>)
/// on free loopback ports, for tests that need several processes on one data directory or
/// that kill one.
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource<Uri> _grpc = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<Uri> _rest = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<string> _output = [];

    private GatewayProcess(string dataDirectory, IEnumerable<string> extraArgs, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "DirectConnect.Gateway.dll"), $"--data-dir={dataDirectory}", "--grpc-port=0", "--rest-port=0", .. EmbeddedSystem.Unthrottled, .. extraArgs])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        _process = new Process { StartInfo = start };
        _process.OutputDataReceived += (_, e) => Observe(e.Data);
        _process.ErrorDataReceived += (_, e) => Observe(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>The gRPC base address of this process (h2c).</summary>
    public Uri GrpcAddress => _grpc.Task.Result;

    /// <summary>The REST base address of this process.</summary>
    public Uri RestAddress => _rest.Task.Result;

    /// <summary>A gRPC channel to this process.</summary>
    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>Starts a gateway on <paramref name="dataDirectory"/> and waits until it listens.</summary>
    public static Task<GatewayProcess> StartAsync(string dataDirectory, params string[] extraArgs) => StartAsync(dataDirectory, null, extraArgs);

    /// <summary>Starts a gateway on <paramref name="dataDirectory"/> with <paramref name="environment"/> (secrets go there, not on the command line) and waits until it listens.</summary>
    public static async Task<GatewayProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string>? environment, params string[] extraArgs)
    {
        var gateway = new GatewayProcess(dataDirectory, extraArgs, environment);
        var ready = await Task.WhenAny(gateway._grpc.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        if (ready != gateway._grpc.Task)
        {
            await gateway.DisposeAsync();
            throw new TimeoutException("The gateway process did not start:\n" + gateway.Output);
        }

        gateway.Channel = GrpcChannel.ForAddress(await gateway._grpc.Task);
        return gateway;
    }

    /// <summary>Everything the process printed so far.</summary>
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

    /// <summary>SIGKILL: no shutdown, no flush — what a crash looks like.</summary>
    public void Kill() => _process.Kill(entireProcessTree: true);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Channel?.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Observe(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (ReadyLine().Match(line) is { Success: true } match)
        {
            _grpc.TrySetResult(new Uri(match.Groups[1].Value));
            _rest.TrySetResult(new Uri(match.Groups[2].Value));
        }
    }

    [GeneratedRegex(@"DirectConnect is up: gRPC (http://\S+?), REST (http://\S+?) ")]
    private static partial Regex ReadyLine();
}
