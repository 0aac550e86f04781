using System.Diagnostics;
using System.Globalization;
using DirectConnect.Contracts.Internal.V1;
using DirectConnect.DataPlaneAgent;
using DirectConnect.DataPlaneAgent.Frr;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging.Abstractions;

// The agent's apply time for ONE change (a new VPC CIDR on one interface) on a router that holds 1 and then 100
// interfaces, on real FRR in a network namespace: is a change O(change) or O(all)? Needs root and FRR.
const int Changes = 15;
if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
{
    Console.Error.WriteLine("Run me as root on Linux with FRR: I create network namespaces and run FRR's daemons.");
    return 2;
}

var sizes = args.Length > 0 ? args.Select(a => int.Parse(a, CultureInfo.InvariantCulture)).ToArray() : [1, 100];
var results = new List<(int Size, double MedianMs)>();
foreach (var size in sizes)
{
    var ns = $"dxbench{Environment.ProcessId}-{size}";
    var scratch = Directory.CreateTempSubdirectory("dx-bench-").FullName;
    File.SetUnixFileMode(scratch, (UnixFileMode)0x1FF);
    try
    {
        await Run("ip", "netns", "add", ns);
        await Run("ip", "-n", ns, "link", "set", "lo", "up");
        await Run("ip", "-n", ns, "address", "add", "10.255.0.1/32", "dev", "lo");
        for (var i = 1; i <= size; i++)
        {
            // The sub-interfaces: untagged veths named like them (this kernel has no 802.1Q).
            await Run("ip", "link", "add", $"eth1.{i}", "netns", ns, "type", "veth", "peer", "name", $"peer{i}", "netns", ns);
        }

        var run = $"/var/run/frr/{ns}";
        Directory.CreateDirectory(run);
        await Run("chown", "frr:frr", run);
        foreach (var daemon in (string[])["zebra", "staticd", "bgpd"])
        {
            await Run("ip", "netns", "exec", ns, $"/usr/lib/frr/{daemon}", "-N", ns, "-P", "0", "-d", "-i", $"{run}/{daemon}.pid", "--log", $"file:{scratch}/{daemon}.log");
        }

        await Task.Delay(1000);
        var options = new AgentOptions
        {
            RouterId = "rtr-0000bench", Key = Convert.ToBase64String(new byte[32]), ControlPlaneUrl = "http://127.0.0.1:9",
            Namespace = ns, StateDirectory = Path.Combine(scratch, "state"),
        };
        // No key and no report in this run: the client is never called.
        using var channel = GrpcChannel.ForAddress(options.ControlPlaneUrl);
        var agent = new RouterAgent(options, new RouterHost(options), new DataPlaneService.DataPlaneServiceClient(channel), () => new Metadata(),
            NullLogger.Instance, TimeProvider.System);
        var first = new RouterDesiredState { Position = 1, Router = new RouterDesiredState.Types.Router { InterfaceName = "eth1", Asn = 64999 }, Snapshot = new() };
        first.Peerings.Add(Enumerable.Range(1, size).Select(i => Peering(i, 0)));
        await agent.ApplyAsync(first, CancellationToken.None);
        if (agent.State.Interfaces.Count != size)
        {
            throw new InvalidOperationException($"only {agent.State.Interfaces.Count} of {size} interfaces applied: {string.Join("; ", agent.State.Failed.Values.Select(f => f.Error))}");
        }

        var times = new List<double>();
        for (var change = 1; change <= Changes; change++)
        {
            var message = new RouterDesiredState { Position = 1 + change };
            message.Peerings.Add(Peering(1 + (change % size), change));
            var runsBefore = agent.ConfigurationRuns;
            var watch = Stopwatch.StartNew();
            await agent.ApplyAsync(message, CancellationToken.None);
            times.Add(watch.Elapsed.TotalMilliseconds);
            if (agent.ConfigurationRuns != runsBefore + 1)
            {
                throw new InvalidOperationException("a change did not run vtysh exactly once");
            }
        }

        times.Sort();
        results.Add((size, times[times.Count / 2]));
        Console.WriteLine(FormattableString.Invariant($"{size,4} interfaces: one change applied in {times[times.Count / 2],7:F1} ms (median of {Changes}; min {times[0]:F1}, max {times[^1]:F1})"));
    }
    finally
    {
        foreach (var daemon in (string[])["zebra", "staticd", "bgpd"])
        {
            var pidFile = $"/var/run/frr/{ns}/{daemon}.pid";
            if (File.Exists(pidFile) && int.TryParse(await File.ReadAllTextAsync(pidFile), out var pid))
            {
                try
                {
                    Process.GetProcessById(pid).Kill();
                }
                catch (ArgumentException)
                {
                }
            }
        }

        await Run("ip", "netns", "delete", ns, false);
        if (Directory.Exists($"/var/run/frr/{ns}"))
        {
            Directory.Delete($"/var/run/frr/{ns}", recursive: true);
        }

        Directory.Delete(scratch, recursive: true);
    }
}

if (results.Count == 2)
{
    Console.WriteLine(FormattableString.Invariant($"ratio {results[1].Size} : {results[0].Size} interfaces = {results[1].MedianMs / results[0].MedianMs:F2}"));
}

return 0;

// Interface i: sub-interface eth1.i, 169.254.x.y/30; `change` adds a VPC CIDR, so each change differs from the last.
static Peering Peering(int i, int change)
{
    var peering = new Peering
    {
        VirtualInterfaceId = $"dxvif-{i:x8}", BorderGatewayId = "dxbgw-00000001", Vlan = i,
        CloudAddress = $"169.254.{i / 64}.{((i % 64) * 4) + 1}/30", CustomerAddress = $"169.254.{i / 64}.{((i % 64) * 4) + 2}/30",
        CloudAsn = 64512, CustomerAsn = 65000 + i, IdcPrefixes = { $"192.168.{i}.0/24" }, AnnouncedPrefixes = { $"10.{i}.0.0/16" },
    };
    if (change > 0)
    {
        peering.AnnouncedPrefixes.Add($"172.{16 + (change % 16)}.{change}.0/24");
    }

    return peering;
}

static async Task Run(string file, params object[] args)
{
    var check = true;
    var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
    foreach (var arg in args)
    {
        if (arg is bool b)
        {
            check = b;
            continue;
        }

        start.ArgumentList.Add((string)arg);
    }

    using var process = Process.Start(start)!;
    var error = await process.StandardError.ReadToEndAsync();
    await process.StandardOutput.ReadToEndAsync();
    await process.WaitForExitAsync();
    if (check && process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{file} {string.Join(' ', start.ArgumentList)}: {error}");
    }
}
