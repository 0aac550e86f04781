using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;

namespace DirectConnect.IntegrationTests.DataPlane;

/// <summary>
/// Network namespaces with FRR in them, for tests of the data plane on this machine's kernel. Every name is unique
/// to one lab (a random tag), veth ends are created directly inside their namespaces (so the interface names are
/// per namespace and tests do not collide), and <see cref="DisposeAsync"/> stops the daemons it started (by their
/// pid files) and deletes the namespaces even when the test failed. A lab needs root and FRR: without them it
/// FAILS the test, saying what is missing (never skips).
/// </summary>
internal sealed class FrrLab : IAsyncDisposable
{
    private const string FrrDaemons = "/usr/lib/frr";
    private const string Vtysh = "/usr/bin/vtysh";
    private static readonly string[] Daemons = ["zebra", "staticd", "bgpd"];
    private static int s_routerIds;

    private readonly List<string> _namespaces = [];
    private readonly string _tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    private FrrLab()
    {
        LogDirectory = Directory.CreateTempSubdirectory($"dx-lab-{_tag}-").FullName;
        // FRR's daemons drop to the frr user: it must be able to write their logs.
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(LogDirectory, (UnixFileMode)0x1FF);
        }
    }

    /// <summary>Where the daemons log, and the lab's scratch files (deleted with the lab).</summary>
    public string LogDirectory { get; }

    /// <summary>A new lab; fails the calling test unless it runs as root on a machine with FRR.</summary>
    public static FrrLab Create()
    {
        Assert.True(Environment.IsPrivilegedProcess,
            "The data-plane tests create network namespaces and run FRR: run them as root (CI does; `sudo ./test.sh` here).");
        foreach (var daemon in Daemons)
        {
            Assert.True(File.Exists(Path.Combine(FrrDaemons, daemon)), $"{FrrDaemons}/{daemon} is missing: install FRR (apt-get install frr; ./test.sh does).");
        }

        Assert.True(File.Exists(Vtysh), $"{Vtysh} is missing: install FRR (apt-get install frr; ./test.sh does).");
        return new FrrLab();
    }

    /// <summary>A new namespace, <c>dx{tag}-{role}</c>, with its loopback up and a /32 on it (FRR's router id: 169.254/16 addresses are not eligible).</summary>
    public async Task<string> NamespaceAsync(string role)
    {
        var name = $"dx{_tag}-{role}";
        await RunAsync("ip", "netns", "add", name);
        _namespaces.Add(name);
        await RunAsync("ip", "-n", name, "link", "set", "lo", "up");
        var id = Interlocked.Increment(ref s_routerIds);
        await RunAsync("ip", "-n", name, "address", "add", $"10.255.{(id >> 8) & 255}.{id & 255}/32", "dev", "lo");
        return name;
    }

    /// <summary>A veth pair between two namespaces, each end named as given there, both up.</summary>
    public async Task LinkAsync(string namespaceA, string interfaceA, string namespaceB, string interfaceB)
    {
        Assert.True(_namespaces.Contains(namespaceA) && _namespaces.Contains(namespaceB), "Link namespaces of this lab only.");
        await RunAsync("ip", "link", "add", interfaceA, "netns", namespaceA, "type", "veth", "peer", "name", interfaceB, "netns", namespaceB);
        await RunAsync("ip", "-n", namespaceA, "link", "set", interfaceA, "up");
        await RunAsync("ip", "-n", namespaceB, "link", "set", interfaceB, "up");
    }

    /// <summary>
    /// Starts zebra, staticd and bgpd inside <paramref name="ns"/> (the recipe that works here: the daemons run
    /// under <c>ip netns exec</c> with <c>-N</c>, so their sockets are under /var/run/frr/NS and vtysh -N finds them;
    /// <c>-P 0</c>, no vty port), and waits until vtysh reaches all three.
    /// </summary>
    public async Task StartFrrAsync(string ns)
    {
        var run = $"/var/run/frr/{ns}";
        Directory.CreateDirectory(run);
        await RunAsync("chown", "frr:frr", run);
        foreach (var daemon in Daemons)
        {
            await RunAsync("ip", "netns", "exec", ns, Path.Combine(FrrDaemons, daemon), "-N", ns, "-P", "0", "-d",
                "-i", $"{run}/{daemon}.pid", "--log", $"file:{LogDirectory}/{ns}-{daemon}.log");
        }

        await Eventually.TrueAsync(async () =>
        {
            var daemons = await TryRunAsync(Vtysh, "-N", ns, "-c", "show daemons");
            return Daemons.All(d => daemons.Output.Contains(d, StringComparison.Ordinal));
        }, $"FRR's daemons in {ns} did not answer vtysh");
    }

    /// <summary>Loads <paramref name="configuration"/> into FRR in <paramref name="ns"/> with vtysh -f, failing on any refused line.</summary>
    public async Task ConfigureAsync(string ns, string configuration)
    {
        var file = Path.Combine(LogDirectory, $"{ns}-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(file, configuration);
        var result = await TryRunAsync(Vtysh, "-N", ns, "-f", file);
        Assert.True(result.ExitCode == 0, $"vtysh -f refused configuration in {ns}: {result}\n--- configuration ---\n{configuration}");
    }

    /// <summary>A show command's JSON in <paramref name="ns"/>.</summary>
    public async Task<JsonElement> ShowJsonAsync(string ns, string command)
    {
        Assert.True(_namespaces.Contains(ns), $"{ns} is not a namespace of this lab.");
        var result = await TryRunAsync(Vtysh, "-N", ns, "-c", command);
        using var document = JsonDocument.Parse(result.Output);
        return document.RootElement.Clone();
    }

    /// <summary>The neighbour <paramref name="neighbor"/> of FRR in <paramref name="ns"/>, or null when FRR has none.</summary>
    public async Task<JsonElement?> NeighborAsync(string ns, string neighbor)
    {
        var json = await ShowJsonAsync(ns, $"show bgp neighbors {neighbor} json");
        return json.TryGetProperty(neighbor, out var detail) ? detail : null;
    }

    /// <summary>The prefixes in the BGP table of FRR in <paramref name="ns"/>.</summary>
    public async Task<IReadOnlyList<string>> BgpPrefixesAsync(string ns)
    {
        var json = await ShowJsonAsync(ns, "show bgp ipv4 unicast json");
        return json.TryGetProperty("routes", out var routes) ? [.. routes.EnumerateObject().Select(p => p.Name)] : [];
    }

    /// <summary>Runs a command, failing the test if it fails.</summary>
    public static async Task<ExternalTool.Result> RunAsync(string fileName, params string[] args)
    {
        var result = await TryRunAsync(fileName, args);
        Assert.True(result.ExitCode == 0, $"{fileName} {string.Join(' ', args)}: {result}");
        return result;
    }

    /// <summary>Runs a command and returns how it ended.</summary>
    public static async Task<ExternalTool.Result> TryRunAsync(string fileName, params string[] args)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return new ExternalTool.Result(process.ExitCode, await output, await error);
    }

    /// <summary>The daemons' logs, for a failure message.</summary>
    public string Logs() => string.Join("\n", Directory.EnumerateFiles(LogDirectory, "*.log")
        .Select(f => $"--- {Path.GetFileName(f)} ---\n{string.Join('\n', File.ReadLines(f).TakeLast(30))}"));

    public async ValueTask DisposeAsync()
    {
        foreach (var ns in _namespaces)
        {
            var run = $"/var/run/frr/{ns}";
            foreach (var daemon in Daemons)
            {
                if (File.Exists($"{run}/{daemon}.pid") && int.TryParse(await File.ReadAllTextAsync($"{run}/{daemon}.pid"), out var pid))
                {
                    await StopAsync(pid);
                }
            }

            await TryRunAsync("ip", "netns", "delete", ns);
            if (Directory.Exists(run))
            {
                Directory.Delete(run, recursive: true);
            }
        }

        // A failed test has put the logs in its message already.
        Directory.Delete(LogDirectory, recursive: true);
    }

    // Only the daemons this lab started (their pid files): never by name.
    private static async Task StopAsync(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (ArgumentException)
        {
            // already gone
        }
        catch (InvalidOperationException)
        {
            // already gone
        }
        catch (TimeoutException)
        {
            // left to the kernel; the namespace goes anyway
        }
    }
}

/// <summary>Waits for a condition of a real system (FRR, a process) with a generous deadline; the deadline is never what a test asserts.</summary>
internal static class Eventually
{
    /// <summary>The value <paramref name="read"/> gives twice in a row, 3 s apart (bounded: 20 reads).</summary>
    public static async Task<T> StableAsync<T>(Func<Task<T>> read)
    {
        var last = await read();
        for (var i = 0; i < 20; i++)
        {
            await Task.Delay(TimeSpan.FromSeconds(3));
            var next = await read();
            if (EqualityComparer<T>.Default.Equals(next, last))
            {
                return next;
            }

            last = next;
        }

        throw new Xunit.Sdk.XunitException($"never settled; last read {last}");
    }

    /// <summary>Polls <paramref name="condition"/> every 250 ms until it holds, failing with <paramref name="message"/> after <paramref name="limit"/> (90 s by default).</summary>
    public static Task TrueAsync(Func<Task<bool>> condition, string message, TimeSpan? limit = null) =>
        TrueAsync(condition, () => message, limit);

    /// <summary>As <see cref="TrueAsync(Func{Task{bool}}, string, TimeSpan?)"/>, with a message made when the wait fails (what the system shows then).</summary>
    public static async Task TrueAsync(Func<Task<bool>> condition, Func<string> message, TimeSpan? limit = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(message);
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(90));
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                Assert.Fail(message());
            }

            await Task.Delay(250);
        }
    }

}
