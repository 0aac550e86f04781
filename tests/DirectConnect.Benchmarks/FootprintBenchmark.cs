using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using DirectConnect.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace DirectConnect.Benchmarks;

/// <summary>
/// Start-up time and resident memory of a gateway process on a database with 10,000 connections in a region, against
/// one with 110: the costs that must not grow with the data. Both databases are seeded through the API first; then
/// each round starts a real gateway process on each (alternating which goes first), times it from process start to its
/// start-up line, serves the operator's first page of the region and one Get, and reads its VmRSS.
/// </summary>
internal static partial class FootprintBenchmark
{
    private const int Large = 10_000;
    private const int Small = 110;
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    public static async Task RunAsync(bool quick)
    {
        var rounds = quick ? 3 : 7;
        Console.WriteLine($"DirectConnect footprint benchmark ({Environment.ProcessorCount} cores, {(quick ? "quick" : "full")} run, load average before: {CeilingBenchmark.LoadAverage()})");
        var seeding = Stopwatch.StartNew();
        var large = await SeedAsync(Large);
        var small = await SeedAsync(Small);
        Console.WriteLine(string.Create(Culture, $"Seeded {Large:N0} and {Small} connections in {BenchmarkSystem.Region} through the gRPC API in {seeding.Elapsed.TotalSeconds:F0} s."));
        Console.WriteLine($"Then {rounds} rounds: start a gateway process on each database (alternating which goes first), time it to its start-up line,");
        Console.WriteLine("list the region's first page as an operator and Get one connection, read VmRSS, stop it.");
        Console.WriteLine();

        var samples = new Dictionary<string, List<(double StartMs, double RssMb)>>(StringComparer.Ordinal) { [large.Directory] = [], [small.Directory] = [] };
        try
        {
            for (var round = 0; round < rounds; round++)
            {
                foreach (var database in round % 2 == 0 ? new[] { large, small } : [small, large])
                {
                    samples[database.Directory].Add(await MeasureAsync(database));
                }
            }
        }
        finally
        {
            foreach (var directory in samples.Keys)
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        var (startLarge, rssLarge) = Medians(samples[large.Directory]);
        var (startSmall, rssSmall) = Medians(samples[small.Directory]);
        Console.WriteLine($"{"figure",-34} {$"{Small} connections",16} {$"{Large:N0} connections",18} {"ratio",6}");
        Console.WriteLine(string.Create(Culture, $"{"start to start-up line, median ms",-34} {startSmall,16:F0} {startLarge,18:F0} {startLarge / startSmall,6:F2}"));
        Console.WriteLine(string.Create(Culture, $"{"VmRSS after first page, median MB",-34} {rssSmall,16:F0} {rssLarge,18:F0} {rssLarge / rssSmall,6:F2}"));
        Console.WriteLine(string.Create(Culture, $"Spread (min–max): start {Spread(samples[small.Directory], s => s.StartMs)} / {Spread(samples[large.Directory], s => s.StartMs)} ms, " +
            $"RSS {Spread(samples[small.Directory], s => s.RssMb)} / {Spread(samples[large.Directory], s => s.RssMb)} MB"));
        Console.WriteLine($"load average after: {CeilingBenchmark.LoadAverage()}");
    }

    /// <summary>A database with <paramref name="count"/> connections, seeded in this process, and one connection's id.</summary>
    private static async Task<(string Directory, string ConnectionId)> SeedAsync(int count)
    {
        var directory = Path.Combine(Path.GetTempPath(), "dc-footprint-" + Guid.NewGuid().ToString("N"));
        await using var system = await BenchmarkSystem.StartAsync(
            ["--DirectConnect:RateLimits:TokenLimit=1000000000", "--DirectConnect:RateLimits:TokensPerPeriod=1000000000"],
            dataDirectory: directory, keepDataDirectory: true);
        var token = system.Token("bench", "customer");
        await CeilingBenchmark.SeedAsync(system, BenchmarkSystem.Region, count, token);
        var first = await system.Connections.ListPhysicalConnectionsAsync(
            new ListPhysicalConnectionsRequest { Region = BenchmarkSystem.Region, PageSize = 1 }, system.Operator);
        return (directory, first.PhysicalConnections[0].Id);
    }

    private static async Task<(double StartMs, double RssMb)> MeasureAsync((string Directory, string ConnectionId) database)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "DirectConnect.Gateway.dll"), $"--data-dir={database.Directory}",
                     "--grpc-port=0", "--rest-port=0", .. BenchmarkSystem.RegionArguments])
        {
            start.ArgumentList.Add(arg);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the gateway process");
        var ready = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
        var elapsed = TimeSpan.Zero;
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null && ReadyLine().Match(e.Data) is { Success: true } match)
            {
                elapsed = clock.Elapsed;
                ready.TrySetResult(new Uri(match.Groups[1].Value));
            }
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            var grpc = await ready.Task.WaitAsync(TimeSpan.FromSeconds(60));
            using var channel = GrpcChannel.ForAddress(grpc);
            var client = new PhysicalConnectionService.PhysicalConnectionServiceClient(channel);
            var operatorCall = new CallOptions(new Metadata { { "authorization", $"Bearer {Token(database.Directory, "ops", "operator")}" } });
            var page = await client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = BenchmarkSystem.Region }, operatorCall);
            var got = await client.GetPhysicalConnectionAsync(new GetPhysicalConnectionRequest { Region = BenchmarkSystem.Region, Id = database.ConnectionId }, operatorCall);
            if (page.PhysicalConnections.Count == 0 || got.Id != database.ConnectionId)
            {
                throw new InvalidOperationException("the restarted gateway did not serve the seeded connections");
            }

            return (elapsed.TotalMilliseconds, ResidentMegabytes(process.Id));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    private static string Token(string directory, string account, string role)
    {
        using var output = new StringWriter();
        Gateway.Security.TokenCommand.Run(["--account", account, "--role", role, $"--data-dir={directory}"], output, TextWriter.Null);
        return output.ToString().Trim();
    }

    private static double ResidentMegabytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return double.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], Culture) / 1024;
    }

    private static (double Start, double Rss) Medians(List<(double StartMs, double RssMb)> samples) =>
        (CeilingBenchmark.Median(samples.Select(s => s.StartMs).ToArray()), CeilingBenchmark.Median(samples.Select(s => s.RssMb).ToArray()));

    private static string Spread(List<(double StartMs, double RssMb)> samples, Func<(double StartMs, double RssMb), double> figure) =>
        string.Create(Culture, $"{samples.Min(figure):F0}–{samples.Max(figure):F0}");

    [GeneratedRegex(@"DirectConnect is up: gRPC (http://\S+?), REST (http://\S+?) ")]
    private static partial Regex ReadyLine();
}
