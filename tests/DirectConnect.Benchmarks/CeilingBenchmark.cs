using System.Buffers.Binary;
using System.Globalization;
using DirectConnect.Contracts.V1;
using Google.Protobuf;
using Grpc.Core;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.Benchmarks;

/// <summary>
/// The gateway against "the ceiling" (<see cref="CeilingServer"/>: a bare ASP.NET Core gRPC server with
/// one no-op method, and a bare Kestrel HTTP/1.1 endpoint returning a small JSON document), both hosted
/// in this process, loaded by h2load in interleaved rounds. Each round measures a row on both servers
/// back to back (alternating which goes first); the row's ratio is the median of the rounds' ratios,
/// with their min–max. Every response counted must have succeeded on the server (gRPC status 0, HTTP
/// 2xx), or the run stops: an error path is fast and would fake a good ratio.
/// </summary>
internal static partial class CeilingBenchmark
{
    private const string Region = BenchmarkSystem.Region;
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    /// <summary>One side of a row: where h2load sends what, and which server counts the outcomes of which path.</summary>
    internal sealed record Target(Outcomes Outcomes, string CountedPath, Uri Url, IReadOnlyList<string> Arguments, int Concurrency);

    /// <summary>
    /// A row of the table: <paramref name="Reference"/> is the denominator of the ratio. <paramref name="FixedRequests"/> replaces the
    /// warm-up's sizing; <paramref name="ReferenceInRound"/>, when set, gives each round's reference (e.g. a fresh region).
    /// </summary>
    internal sealed record Row(string Name, string Load, Target Reference, Target Measured, long? FixedRequests = null, Func<int, Target>? ReferenceInRound = null);

    private sealed class Samples
    {
        public List<double> Rps { get; } = [];

        public List<double> Latencies { get; } = [];
    }

    /// <summary>The whole table, or with <paramref name="allocationOnly"/> the allocation row alone (it needs no h2load).</summary>
    public static async Task RunAsync(bool quick, bool allocationOnly = false)
    {
        var slice = quick ? 2.0 : 5.0;
        var warmUp = quick ? 1.0 : 2.0;
        var rounds = quick ? 3 : 5;
        var loadBefore = LoadAverage();

        var gatewayOutcomes = new Outcomes();
        var ceilingOutcomes = new Outcomes();
        await using var system = await BenchmarkSystem.StartAsync(
            [
                // Creates must not turn into fast errors: no per-account quota, no rate limit in the way.
                "--DirectConnect:PhysicalConnections:QuotaPerAccountPerRegion=1000000000",
                "--DirectConnect:RateLimits:TokenLimit=1000000000",
                "--DirectConnect:RateLimits:TokensPerPeriod=1000000000",
            ],
            configure: builder => builder.Services.AddSingleton<IStartupFilter>(new OutcomesStartupFilter(gatewayOutcomes)));
        if (allocationOnly)
        {
            Console.WriteLine($"DirectConnect ceiling benchmark, allocation row only ({Environment.ProcessorCount} cores, {(quick ? "quick" : "full")} run, load average before: {loadBefore})");
            await AllocationAsync(system, quick, rounds);
            Console.WriteLine();
            Console.WriteLine($"load average before: {loadBefore}; after: {LoadAverage()}  (1, 5, 15 min; runnable/total; last pid)");
            return;
        }

        H2Load.Require();
        await using var ceiling = await CeilingServer.StartAsync(ceilingOutcomes);

        var location = await system.InventoryAsync(devices: 1, portsPerDevice: 1);
        var token = system.Token("bench", "customer");
        var auth = new CallOptions(new Metadata { { "authorization", $"Bearer {token}" } });
        var owned = (await system.Connections.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest
        {
            Region = Region,
            PhysicalConnection = new PhysicalConnection { Name = "read-me", LocationId = location, PortSpeed = PortSpeed._10G, BandwidthMbps = 1000, Provider = "bench" },
        }, auth)).Id;

        var files = Directory.CreateTempSubdirectory("dc-ceiling-");
        try
        {
            var getRequest = Path.Combine(files.FullName, "get.grpc");
            await File.WriteAllBytesAsync(getRequest, GrpcFrame(new GetPhysicalConnectionRequest { Region = Region, Id = owned }));
            var createBody = Path.Combine(files.FullName, "create.json");
            await File.WriteAllTextAsync(createBody, CreateBody(location));

            var bearer = $"authorization: Bearer {token}";
            string[] grpcHeaders = ["-H", "content-type: application/grpc", "-H", "te: trailers", "-H", bearer, "-d", getRequest];
            var gatewayGet = $"/{PhysicalConnectionService.Descriptor.FullName}/GetPhysicalConnection";
            var restCollection = $"/v1/regions/{Region}/physicalConnections";
            var restGet = $"{restCollection}/{owned}";
            Target CeilingGrpc(int connections, int streams) =>
                new(ceilingOutcomes, CeilingServer.GrpcPath, new Uri(ceiling.GrpcAddress, CeilingServer.GrpcPath),
                    [$"-c{connections}", $"-m{streams}", .. grpcHeaders], connections * streams);
            Target GatewayGrpc(int connections, int streams) =>
                new(gatewayOutcomes, gatewayGet, new Uri(system.GrpcAddress, gatewayGet), [$"-c{connections}", $"-m{streams}", .. grpcHeaders], connections * streams);
            // The ceiling serves the gateway's REST paths, so the two commands differ only in the port.
            Target Rest(Outcomes outcomes, Uri server, string path, int connections, params string[] body) =>
                new(outcomes, restCollection, new Uri(server, path), ["--h1", $"-c{connections}", "-H", bearer, .. body], connections);
            string[] create = ["-d", createBody, "-H", "content-type: application/json"];

            Row[] rows =
            [
                new("gRPC Get", "1 connection x 1 stream", CeilingGrpc(1, 1), GatewayGrpc(1, 1)),
                new("gRPC Get", "4 connections x 16 streams", CeilingGrpc(4, 16), GatewayGrpc(4, 16)),
                new("REST Get", "1 HTTP/1.1 connection", Rest(ceilingOutcomes, ceiling.RestAddress, restGet, 1), Rest(gatewayOutcomes, system.RestAddress, restGet, 1)),
                new("REST Get", "64 HTTP/1.1 connections", Rest(ceilingOutcomes, ceiling.RestAddress, restGet, 64), Rest(gatewayOutcomes, system.RestAddress, restGet, 64)),
                new("REST Create", "16 HTTP/1.1 clients", Rest(ceilingOutcomes, ceiling.RestAddress, restCollection, 16, create),
                    Rest(gatewayOutcomes, system.RestAddress, restCollection, 16, create)),
            ];

            Console.WriteLine($"DirectConnect ceiling benchmark ({Environment.ProcessorCount} cores, {(quick ? "quick" : "full")} run, load average before: {loadBefore})");
            Console.WriteLine(string.Create(Culture, $"h2load, one thread; per row a warm-up of about {warmUp:F0} s on each server, then {rounds} interleaved rounds of about {slice:F0} s on each"));
            Console.WriteLine("(alternating which goes first). Each run sends a fixed number of requests, sized from the warm-up's rate, and waits for all.");
            Console.WriteLine("ceiling: a bare ASP.NET Core gRPC server with one no-op method (no auth, interceptors or OpenTelemetry), and for REST a bare");
            Console.WriteLine("Kestrel HTTP/1.1 endpoint returning a small JSON document (for Create it reads the JSON body first), in this process.");
            Console.WriteLine("gateway: the embedded system (SQLite) in this process, with its bearer-token check, interceptors and telemetry.");
            Console.WriteLine("Every counted response succeeded on the server (gRPC status 0, HTTP 2xx), or the run stops.");
            Console.WriteLine();

            var samples = await MeasureRowsAsync(rows, rounds, warmUp, slice);
            Print(rows, samples, "the ceiling");
            // Creates grow the region they measure (the scale rows below show what that costs).
            Console.WriteLine(string.Create(Culture, $"The gateway's REST Create rounds added {samples[rows[^1]].Measured.Latencies.Count:N0} connections to {Region} (its warm-up more)."));
            Console.WriteLine();
            if (quick)
            {
                Console.WriteLine("The scale rows (10,000 connections in a region against 110) run without --quick only: seeding takes a while.");
            }
            else
            {
                await ScaleAsync(system, rounds, warmUp, slice, gatewayOutcomes, files.FullName);
            }

            Console.WriteLine();
            await AllocationAsync(system, quick, rounds);

            Console.WriteLine();
            Console.WriteLine($"load average before: {loadBefore}; after: {LoadAverage()}  (1, 5, 15 min; runnable/total; last pid)");
        }
        finally
        {
            files.Delete(recursive: true);
        }
    }

    /// <summary>Warm-up of each row's two sides, then <paramref name="rounds"/> rounds over all rows, alternating which side goes first.</summary>
    private static async Task<Dictionary<Row, (Samples Reference, Samples Measured)>> MeasureRowsAsync(Row[] rows, int rounds, double warmUp, double slice)
    {
        // Warm-up (JIT, connections, caches), and how many requests make a round of about the slice's length.
        var sizes = new Dictionary<Target, long>();
        foreach (var row in rows.Where(row => row.FixedRequests is null))
        {
            foreach (var target in new[] { row.Reference, row.Measured })
            {
                sizes[target] = await WarmUpAsync(row, target, warmUp, slice);
            }
        }

        var samples = rows.ToDictionary(row => row, _ => (Reference: new Samples(), Measured: new Samples()));
        for (var round = 0; round < rounds; round++)
        {
            foreach (var row in rows)
            {
                var (reference, measured) = samples[row];
                var referenceTarget = row.ReferenceInRound?.Invoke(round) ?? row.Reference;
                foreach (var (target, into) in round % 2 == 0
                             ? new[] { (referenceTarget, reference), (row.Measured, measured) }
                             : [(row.Measured, measured), (referenceTarget, reference)])
                {
                    var result = await MeasureAsync(row, target, row.FixedRequests ?? sizes[target]);
                    into.Rps.Add(result.Rps);
                    into.Latencies.AddRange(result.LatenciesMs);
                }
            }
        }

        return samples;
    }

    /// <summary>
    /// The rows whose reference is the gateway itself with a small region: Create and the operator's first page of List
    /// with 10,000 connections in the region against 110, seeded through the API in this process.
    /// </summary>
    private static async Task ScaleAsync(BenchmarkSystem system, int rounds, double warmUp, double slice, Outcomes outcomes, string files)
    {
        const int Large = 10_000;
        const int Small = 110;
        // Creates add connections to the region they measure: each round's small side gets a fresh region, and few
        // requests per run keep the sizes near their names (the sizes at the end are printed).
        const int CreatesPerRun = 128;
        var seeding = System.Diagnostics.Stopwatch.StartNew();
        var token = system.Token("bench", "customer");
        var operatorToken = system.Token("ops", "operator");
        var large = await SeedAsync(system, BenchmarkSystem.ScaleRegions[0], Large, token);
        var listSmall = await SeedAsync(system, BenchmarkSystem.ScaleRegions[1], Small, token);
        var createSmall = new List<(string Region, string Location)>();
        for (var round = 0; round < rounds; round++)
        {
            createSmall.Add(await SeedAsync(system, BenchmarkSystem.ScaleRegions[2 + round], Small, token));
        }

        Console.WriteLine(string.Create(Culture, $"Scale rows: seeded {Large:N0} + {(rounds + 1) * Small} connections through the gRPC API in {seeding.Elapsed.TotalSeconds:F0} s."));
        var listPath = $"/{PhysicalConnectionService.Descriptor.FullName}/ListPhysicalConnections";
        Target List(string region)
        {
            var request = Path.Combine(files, $"list-{region}.grpc");
            File.WriteAllBytes(request, GrpcFrame(new ListPhysicalConnectionsRequest { Region = region }));
            return new(outcomes, listPath, new Uri(system.GrpcAddress, listPath),
                ["-c4", "-m4", "-H", "content-type: application/grpc", "-H", "te: trailers", "-H", $"authorization: Bearer {operatorToken}", "-d", request], 16);
        }

        Target Create((string Region, string Location) at)
        {
            var body = Path.Combine(files, $"create-{at.Region}.json");
            File.WriteAllText(body, CreateBody(at.Location));
            var path = $"/v1/regions/{at.Region}/physicalConnections";
            return new(outcomes, path, new Uri(system.RestAddress, path),
                ["--h1", "-c16", "-H", $"authorization: Bearer {token}", "-d", body, "-H", "content-type: application/json"], 16);
        }

        Row[] rows =
        [
            new("REST Create", $"16 clients, {Large:N0} vs {Small}", Create(createSmall[0]), Create(large), CreatesPerRun, round => Create(createSmall[round])),
            new("operator List", "first page (50), gRPC 4x4", List(listSmall.Region), List(large.Region)),
        ];
        Print(rows, await MeasureRowsAsync(rows, rounds, warmUp, slice), $"the same operation with {Small} connections in the region");
        Console.WriteLine(string.Create(Culture,
            $"Create runs send {CreatesPerRun} requests each, so the regions end at about {Large + (rounds * CreatesPerRun):N0} and {Small + CreatesPerRun} connections."));
    }

    // No requestId: every create is a new connection (a repeated id would replay the first result).
    private static string CreateBody(string location) =>
        $$"""{"name":"bench","locationId":"{{location}}","portSpeed":"PORT_SPEED_10G","bandwidthMbps":1000,"provider":"bench"}""";

    /// <summary><paramref name="count"/> connections in <paramref name="region"/> (a location of its own), created by 32 callers at once.</summary>
    internal static async Task<(string Region, string Location)> SeedAsync(BenchmarkSystem system, string region, int count, string token)
    {
        var location = await system.InventoryAsync(devices: 1, portsPerDevice: 1, region);
        var auth = new CallOptions(new Metadata { { "authorization", $"Bearer {token}" } });
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 32).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= count)
            {
                // 32 callers of one account meet on its index: ABORTED says retry, and the request id makes a retry safe.
                var request = new CreatePhysicalConnectionRequest
                {
                    Region = region,
                    RequestId = Guid.NewGuid().ToString(),
                    PhysicalConnection = new PhysicalConnection { Name = "seed", LocationId = location, PortSpeed = PortSpeed._10G, BandwidthMbps = 1000, Provider = "bench" },
                };
                await RetryAbortedAsync(async () => await system.Connections.CreatePhysicalConnectionAsync(request, auth));
            }
        }));
        return (region, location);
    }

    private static void Print(Row[] rows, Dictionary<Row, (Samples Reference, Samples Measured)> samples, string referenceName) =>
        Print(rows.Select(row => (row.Name, row.Load, samples[row].Reference, samples[row].Measured)).ToArray(), referenceName);

    private static void Print(IReadOnlyList<(string Name, string Load, Samples Reference, Samples Measured)> rows, string referenceName)
    {
        var header = $"{"operation",-13} {"load",-27} {"ref rps",8} {"rps",8} {"ratio",6} {"min–max",11} {"ref p50/p99 ms",15} {"p50/p99 ms",15} {"≥150 ms",8}";
        Console.WriteLine(header);
        Console.WriteLine(new string('-', header.Length));
        foreach (var (name, load, reference, measured) in rows)
        {
            var ratios = reference.Rps.Zip(measured.Rps, (r, m) => m / r).ToArray();
            var slow = measured.Latencies.Count == 0 ? 0 : measured.Latencies.Count(l => l >= 150) / (double)measured.Latencies.Count;
            Console.WriteLine(string.Create(Culture,
                $"{name,-13} {load,-27} {Median(reference.Rps),8:F0} {Median(measured.Rps),8:F0} {Median(ratios),6:F3} {$"{ratios.Min():F3}–{ratios.Max():F3}",11} {Percentiles(reference.Latencies),15} {Percentiles(measured.Latencies),15} {slow,8:P1}"));
        }

        Console.WriteLine();
        Console.WriteLine($"ref = {referenceName}; ratio = the median over rounds of (rps ÷ ref rps in the same round), min–max over rounds;");
        Console.WriteLine("p50/p99 pool every round's requests; ≥150 ms = the share of the measured side's requests (not ref's) that took 150 ms or more.");
    }

    /// <summary>Runs ever more requests until a run lasts a quarter of <paramref name="warmUp"/>, then for about <paramref name="warmUp"/>; the count for a slice.</summary>
    private static async Task<long> WarmUpAsync(Row row, Target target, double warmUp, double slice)
    {
        var requests = RoundUp(256, target.Concurrency);
        var result = await MeasureAsync(row, target, requests);
        while (result.Seconds < warmUp / 4)
        {
            requests = RoundUp(requests * 4, target.Concurrency);
            result = await MeasureAsync(row, target, requests);
        }

        result = await MeasureAsync(row, target, RoundUp((long)(result.Rps * warmUp), target.Concurrency));
        return RoundUp((long)(result.Rps * slice), target.Concurrency);
    }

    // At least one request per client, and the same number for each.
    private static long RoundUp(long requests, int concurrency) => Math.Max(concurrency, (requests + concurrency - 1) / concurrency * concurrency);

    /// <summary>One h2load run against <paramref name="target"/>, checked against the server's own count of outcomes.</summary>
    private static async Task<H2LoadResult> MeasureAsync(Row row, Target target, long requests)
    {
        // Let the previous run's garbage and background work (event delivery after creates) settle first.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        await Task.Delay(TimeSpan.FromMilliseconds(250));
        target.Outcomes.Expect(target.CountedPath);
        var before = target.Outcomes.Snapshot();
        var result = await H2Load.RunAsync(target.Arguments, target.Url, requests);
        // The client can read a response before the server's middleware has counted it: give the count a moment.
        var counts = target.Outcomes.Snapshot().Since(before);
        for (var wait = 0; wait < 100 && counts.Succeeded + counts.Failed + counts.Aborted < requests; wait++)
        {
            await Task.Delay(10);
            counts = target.Outcomes.Snapshot().Since(before);
        }

        // h2load waited for every request: both sides must have counted each of them as a success, and nothing else.
        if (counts.Failed > 0 || counts.StrayFailures > 0 || counts.Aborted > 0 || result.NonSuccessStatus > 0 || result.Failed > 0
            || result.Errored > 0 || counts.Succeeded != requests || result.Succeeded != requests)
        {
            throw new InvalidOperationException(
                $"{row.Name}, {row.Load}, {target.Url}: not every counted response succeeded. Server: {counts.Succeeded} succeeded, "
                + $"{counts.Failed} failed, {counts.StrayFailures} other requests failed, {counts.Aborted} cut off; h2load: {result.Succeeded} succeeded, "
                + $"{result.NonSuccessStatus} non-2xx, {result.Failed} failed, {result.Errored} errored. Last failure on the server: {target.Outcomes.LastFailure}.");
        }

        return result;
    }

    /// <summary>A gRPC message on the wire: not compressed (1 byte), its length (4 bytes, big-endian), then its bytes.</summary>
    private static byte[] GrpcFrame(IMessage message)
    {
        var body = message.ToByteArray();
        var frame = new byte[5 + body.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)body.Length);
        body.CopyTo(frame, 5);
        return frame;
    }

    private static string Percentiles(List<double> latencies)
    {
        if (latencies.Count == 0)
        {
            return "–";
        }

        var sorted = latencies.ToArray();
        Array.Sort(sorted);
        return string.Create(Culture, $"{Percentile(sorted, 0.50):F2}/{Percentile(sorted, 0.99):F2}");
    }

    // Nearest rank.
    private static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

    internal static double Median(IReadOnlyCollection<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    internal static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Trim();
        }
        catch (IOException)
        {
            return "unknown (no /proc/loadavg)";
        }
    }
}
