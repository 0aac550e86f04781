using System.Diagnostics;
using DirectConnect.VirtualInterfaces.RouterConfiguration;

namespace DirectConnect.UnitTests.VirtualInterfaces;

/// <summary>
/// Checks generated FRR configurations with FRR itself: <c>vtysh -C -f</c> parses a file with
/// FRR's own command grammar, no daemon needed, and exits 0 only when every line is valid.
/// </summary>
public sealed class RouterConfigurationFrrTests
{
    private static readonly TimeSpan VtyshTimeout = TimeSpan.FromSeconds(60);

    private static readonly RouterPeering Base = new(
        "dxvif-2p6r8s1k", 100, "169.254.10.2/30", "169.254.10.1/30", 65010, 64512, "s3cr3t-Key",
        ["192.168.8.0/24", "10.20.0.0/16"]);

    private static readonly Dictionary<string, RouterPeering> Peerings = new(StringComparer.Ordinal)
    {
        ["key and two prefixes"] = Base,
        ["no key"] = Base with { AuthKey = null },
        ["one prefix"] = Base with { IdcPrefixes = ["192.168.8.0/24"] },
        ["twenty prefixes"] = Base with { IdcPrefixes = Enumerable.Range(0, 20).Select(i => $"10.{i}.0.0/16").ToArray() },
        ["host and default-route prefixes"] = Base with { IdcPrefixes = ["192.0.2.7/32", "0.0.0.0/0"] },
        ["/31, 4-byte ASNs, VLAN 4094"] = Base with
        {
            Vlan = 4094, CustomerAddress = "169.254.0.0/31", CloudAddress = "169.254.0.1/31", CustomerAsn = 4200000001, CloudAsn = 4294967294,
        },
        ["own interface"] = Base with { Interface = "enp3s0f1" },
        ["longest sub-interface name"] = Base with { Interface = "abcdefghij", Vlan = 4094 },
        ["every punctuation mark in the key"] = Base with { AuthKey = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~" },
        ["80-character key"] = Base with { AuthKey = new string('k', 80) },
        ["placeholder key"] = Base with { AuthKey = RouterConfigurationRenderer.AuthKeyPlaceholder },
    };

    public static TheoryData<string> PeeringNames => new(Peerings.Keys);

    [Theory]
    [MemberData(nameof(PeeringNames))]
    public async Task FrrAcceptsTheGeneratedConfiguration(string name)
    {
        var configuration = RouterConfigurationRenderer.Render(RouterVendorKind.Frr, Peerings[name]);
        var (exitCode, output) = await CheckAsync(configuration);
        Assert.True(exitCode == 0, $"vtysh -C refused the configuration ({name}), exit {exitCode}:\n{output}\n--- configuration ---\n{configuration}");
    }

    // The check must be able to fail: FRR refuses a config with a bad line appended, or
    // with one of the generated lines damaged, and the exit code says so.
    [Theory]
    [InlineData("append", "router bgp notanumber")]
    [InlineData(" neighbor 169.254.10.1 remote-as 64512", " neighbor 169.254.10.1 remote-as sixty-four-thousand")]
    [InlineData("ip route 192.168.8.0/24 blackhole 250", "ip route 192.168.8.0/24 blackhole 256")]
    [InlineData(" ip address 169.254.10.2/30", " ip address 169.254.10.2/33")]
    [InlineData("ip forwarding", "ip forwardingx")]
    public async Task FrrRefusesADamagedConfiguration(string line, string replacement)
    {
        var configuration = RouterConfigurationRenderer.Render(RouterVendorKind.Frr, Base);
        string damaged;
        if (line == "append")
        {
            damaged = configuration + replacement + "\n";
        }
        else
        {
            Assert.Contains(line + "\n", configuration, StringComparison.Ordinal);
            damaged = configuration.Replace(line + "\n", replacement + "\n", StringComparison.Ordinal);
        }

        var (exitCode, output) = await CheckAsync(damaged);
        Assert.True(exitCode != 0, $"vtysh -C accepted a configuration with \"{replacement}\":\n{output}");
    }

    private static async Task<(int ExitCode, string Output)> CheckAsync(string configuration)
    {
        var vtysh = FindVtysh();
        var file = Path.Combine(Path.GetTempPath(), $"dx-frr-{Guid.NewGuid():N}.conf");
        await File.WriteAllTextAsync(file, configuration);
        try
        {
            var start = new ProcessStartInfo(vtysh)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // -C: check the file's syntax only (dry run), -f: the file. Warnings such as an
            // unreadable /etc/frr/vtysh.conf for a non-root user go to the output; only the
            // exit code decides.
            start.ArgumentList.Add("-C");
            start.ArgumentList.Add("-f");
            start.ArgumentList.Add(file);
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"{vtysh} did not start");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(VtyshTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"{vtysh} -C -f did not finish within {VtyshTimeout.TotalSeconds:0} s");
            }

            return (process.ExitCode, (await stdout) + (await stderr));
        }
        finally
        {
            File.Delete(file);
        }
    }

    // Never skipped: a missing vtysh must show up as a failure, or the FRR output would go
    // unchecked on a machine without it and nobody would notice.
    private static string FindVtysh()
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, "vtysh"))
            .Append("/usr/bin/vtysh")
            .FirstOrDefault(File.Exists);
        Assert.True(path is not null,
            "vtysh (FRRouting) is not installed, so the generated FRR configuration cannot be checked. " +
            "./test.sh installs the Debian package frr (or: apt-get install -y frr)");
        return path!;
    }
}
