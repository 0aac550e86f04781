using System.Diagnostics;
using System.Text;
using DirectConnect.Platform.Hosting;

namespace DirectConnect.DataPlaneAgent.Frr;

/// <summary>What a command printed and how it ended.</summary>
internal sealed record CommandResult(int ExitCode, string Output, string Error)
{
    /// <summary>True when the command exited 0.</summary>
    public bool Succeeded => ExitCode == 0;
}

/// <summary>
/// The local router: FRR through vtysh and the kernel through <c>ip</c>, in the agent's network namespace.
/// Every command is an argument vector (no shell), so no value is ever parsed by one.
/// </summary>
internal sealed class RouterHost(AgentOptions options)
{
    private static readonly TimeSpan CommandLimit = TimeSpan.FromSeconds(60);

    private string? Namespace => options.Namespace.Length > 0 ? options.Namespace : null;

    /// <summary>Runs <c>ip</c> with <paramref name="args"/> in the namespace.</summary>
    public Task<CommandResult> IpAsync(params string[] args) =>
        RunAsync("ip", Namespace is { } ns ? ["-n", ns, .. args] : args);

    /// <summary>Runs vtysh's show commands, returning what they printed one after the other.</summary>
    public Task<CommandResult> ShowAsync(IEnumerable<string> commands) =>
        RunAsync(options.VtyshPath, [.. VtyshNamespace(), .. commands.SelectMany(c => (string[])["-c", c])]);

    /// <summary>
    /// Applies configuration <paramref name="lines"/> with <c>vtysh -f</c> of a file only the agent's user can
    /// read (the MD5 key is in it: never on a command line other users can see), deleted afterwards. vtysh
    /// goes on after a bad line and exits non-zero; the output names the bad lines, with
    /// <paramref name="secret"/> blanked out.
    /// </summary>
    public async Task<CommandResult> ConfigureAsync(IReadOnlyList<string> lines, string? secret)
    {
        var directory = Path.Combine(options.StateDirectory, "tmp");
        OwnerOnly.EnsureDirectory(directory);
        var file = Path.Combine(directory, $"apply-{Guid.NewGuid():N}.conf");
        try
        {
            OwnerOnly.EnsureFile(file);
            await File.WriteAllTextAsync(file, string.Join('\n', lines) + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

            var result = await RunAsync(options.VtyshPath, [.. VtyshNamespace(), "-f", file]);
            return string.IsNullOrEmpty(secret) ? result : result with
            {
                Output = result.Output.Replace(secret, "<key>", StringComparison.Ordinal),
                Error = result.Error.Replace(secret, "<key>", StringComparison.Ordinal),
            };
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>The namespace's kernel counters (<c>/proc/net/netstat</c> as seen from inside it).</summary>
    public async Task<string> NetstatAsync() => Namespace is { } ns
        ? (await RunAsync("ip", ["netns", "exec", ns, "cat", "/proc/net/netstat"])).Output
        : await File.ReadAllTextAsync("/proc/net/netstat");

    private string[] VtyshNamespace() => Namespace is { } ns ? ["-N", ns] : [];

    private static async Task<CommandResult> RunAsync(string fileName, IReadOnlyList<string> args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(CommandLimit);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            return new CommandResult(-1, await output, $"{Path.GetFileName(fileName)} did not finish within {CommandLimit.TotalSeconds} s");
        }

        return new CommandResult(process.ExitCode, await output, WithoutNoise(await error));
    }

    // vtysh -N looks for /etc/frr/<ns>/vtysh.conf and says so on every call; that file is optional.
    private static string WithoutNoise(string error) => string.Join('\n', error.Split('\n')
        .Where(line => !line.Contains("vtysh.conf", StringComparison.Ordinal) && line.Length > 0));
}
