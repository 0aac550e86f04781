using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace DirectConnect.Platform.Tests.Infrastructure;

/// <summary>
/// The DirectConnect.Platform.TestProcess console app, started as <c>dotnet &lt;dll&gt; ...</c>; its
/// standard output and error are collected, and <see cref="KillAsync"/> SIGKILLs it (on Linux).
/// </summary>
public sealed class TestProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Lock _gate = new();
    private readonly List<string> _stdout = [];
    private readonly StringBuilder _stderr = new();

    private TestProcess(Process process) => _process = process;

    public static TestProcess Start(params string[] arguments)
    {
        var start = new ProcessStartInfo(DotnetHost)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(DllPath);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = start };
        var started = new TestProcess(process);
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (started._gate)
                {
                    started._stdout.Add(e.Data);
                }
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (started._gate)
                {
                    started._stderr.AppendLine(e.Data);
                }
            }
        };
        if (!process.Start())
        {
            throw new InvalidOperationException($"Could not start {DotnetHost} {DllPath}.");
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    public bool HasExited => _process.HasExited;

    public IReadOnlyList<string> StandardOutput
    {
        get
        {
            lock (_gate)
            {
                return [.. _stdout];
            }
        }
    }

    /// <summary>What the process printed, for failure messages.</summary>
    public string Describe()
    {
        lock (_gate)
        {
            var exit = _process.HasExited ? $"exited with {_process.ExitCode}" : "running";
            return $"test process {exit}; stdout tail: [{string.Join(" | ", _stdout.TakeLast(5))}]; stderr: [{_stderr}]";
        }
    }

    /// <summary>SIGKILL (Process.Kill on Linux), the whole tree, and wait until it is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>Where the build put the TestProcess (recorded by the test project file).</summary>
    public static string DllPath { get; } =
        typeof(TestProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "TestProcessPath")?.Value is { Length: > 0 } path && File.Exists(path)
            ? path
            : throw new InvalidOperationException("The TestProcess was not built with the tests (no TestProcessPath metadata).");

    private static string DotnetHost
    {
        get
        {
            if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
            {
                return hostPath;
            }

            return Environment.ProcessPath is { } current && Path.GetFileNameWithoutExtension(current) == "dotnet"
                ? current
                : "dotnet";
        }
    }

    /// <summary>The complete lines of a file another process appends to (a trailing partial line is ignored).</summary>
    public static IReadOnlyList<string> ReadLines(string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var text = reader.ReadToEnd();
        var end = text.LastIndexOf('\n');
        return end < 0 ? [] : text[..end].Split('\n');
    }
}
