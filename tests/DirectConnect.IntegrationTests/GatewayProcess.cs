using System.Diagnostics;
using System.Text;
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
    private readonly Task _pumps;

    private GatewayProcess(string dataDirectory, string workingDirectory, IEnumerable<string> extraArgs, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory,
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
        _process.Start();
        _pumps = Task.WhenAll(PumpAsync(_process.StandardOutput), PumpAsync(_process.StandardError));
    }

    /// <summary>The gRPC base address of this process (h2c).</summary>
    public Uri GrpcAddress => _grpc.Task.Result;

    /// <summary>The REST base address of this process.</summary>
    public Uri RestAddress => _rest.Task.Result;

    /// <summary>A gRPC channel to this process.</summary>
    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>Starts a gateway on <paramref name="dataDirectory"/> and waits until it listens.</summary>
    public static Task<GatewayProcess> StartAsync(string dataDirectory, params string[] extraArgs) =>
        LaunchAsync(AppContext.BaseDirectory, dataDirectory, null, extraArgs);

    /// <summary>Starts a gateway on <paramref name="dataDirectory"/> with <paramref name="environment"/> (secrets go there, not on the command line) and waits until it listens.</summary>
    public static Task<GatewayProcess> StartAsync(string dataDirectory, IReadOnlyDictionary<string, string>? environment, params string[] extraArgs) =>
        LaunchAsync(AppContext.BaseDirectory, dataDirectory, environment, extraArgs);

    /// <summary>Starts a gateway on <paramref name="dataDirectory"/> with <paramref name="workingDirectory"/> as its working directory, and waits until it listens.</summary>
    public static Task<GatewayProcess> StartInAsync(string workingDirectory, string dataDirectory, params string[] extraArgs) =>
        LaunchAsync(workingDirectory, dataDirectory, null, extraArgs);

    private static async Task<GatewayProcess> LaunchAsync(string workingDirectory, string dataDirectory, IReadOnlyDictionary<string, string>? environment, string[] extraArgs)
    {
        var gateway = new GatewayProcess(dataDirectory, workingDirectory, extraArgs, environment);
        var ready = await Task.WhenAny(gateway._grpc.Task, Task.Delay(TimeSpan.FromSeconds(60)));
        if (ready != gateway._grpc.Task)
        {
            await gateway.DisposeAsync();
            throw new TimeoutException("The gateway process did not start:\n" + gateway.Output);
        }

        gateway.Channel = GrpcChannel.ForAddress(await gateway._grpc.Task);
        return gateway;
    }

    /// <summary>Everything the process printed so far, lines joined by LF; any other character (a CR, an ESC) exactly as printed.</summary>
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

        await _pumps;
        _process.Dispose();
    }

    // Reads the raw stream and splits it at LF only: Process's line events (and ReadLine) also split at a lone
    // CR, which would hide one the process printed.
    private async Task PumpAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        var line = new StringBuilder();
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            foreach (var c in buffer.AsSpan(0, read))
            {
                if (c == '\n')
                {
                    Observe(line.ToString());
                    line.Clear();
                }
                else
                {
                    line.Append(c);
                }
            }
        }

        if (line.Length > 0)
        {
            Observe(line.ToString());
        }
    }

    private void Observe(string line)
    {
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
