using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using DirectConnect.Benchmarks.Baseline;
using DirectConnect.Contracts.V1;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.Benchmarks;

/// <summary>
/// Requests per second and p50/p99 of Get and Create of a physical connection through the gateway,
/// over gRPC and REST, against a gRPC method that does nothing hosted by the same gateway
/// application (the ceiling of this stack), all measured in this run on this machine.
/// </summary>
internal static class ApiBenchmark
{
    private const string Region = BenchmarkSystem.Region;
    private static readonly CultureInfo Culture = CultureInfo.InvariantCulture;

    private sealed record Scenario(string Name, Func<int, Func<Task>> Worker);

    private sealed record Result(string Scenario, int Clients, long Requests, double Rps, double P50, double P99);

    public static async Task RunAsync(bool quick)
    {
        // Rounds interleave the scenarios, so that a change in the machine's load (others build
        // here too) spreads over all of them instead of skewing one; each row pools its rounds.
        var warmUp = TimeSpan.FromSeconds(quick ? 0.5 : 1);
        var slice = TimeSpan.FromSeconds(quick ? 0.5 : 2);
        var rounds = 3;
        int[] clientCounts = [1, 16];

        await using var system = await BenchmarkSystem.StartAsync(
            [
                // Creates must not hit the per-account quota, nor any rate limit.
                "--DirectConnect:PhysicalConnections:QuotaPerAccountPerRegion=100000000",
                "--DirectConnect:RateLimits:TokenLimit=1000000000",
                "--DirectConnect:RateLimits:TokensPerPeriod=1000000000",
            ],
            configure: builder => builder.Services.AddSingleton<BaselineGrpcService>(),
            map: app => app.MapGrpcService<BaselineGrpcService>());
        var location = await system.InventoryAsync(devices: 1, portsPerDevice: 1);
        using var rest = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, UseCookies = false })
        {
            BaseAddress = system.RestAddress,
            DefaultRequestVersion = HttpVersion.Version11,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        var baseline = new BaselineService.BaselineServiceClient(system.Channel);
        var connections = system.Connections;

        // Each client is its own customer account, with one connection to read.
        var maxClients = clientCounts.Max();
        var tokens = Enumerable.Range(0, maxClients).Select(i => system.Token($"bench-{i}", "customer")).ToArray();
        var grpcAuth = tokens.Select(t => new CallOptions(new Metadata { { "authorization", $"Bearer {t}" } })).ToArray();
        var owned = new string[maxClients];
        for (var i = 0; i < maxClients; i++)
        {
            owned[i] = (await connections.CreatePhysicalConnectionAsync(Order(location, "read-me"), grpcAuth[i])).Id;
        }

        var restOrder = $$"""{"name":"bench","locationId":"{{location}}","portSpeed":"PORT_SPEED_10G","bandwidthMbps":1000,"provider":"bench"}""";
        Scenario[] scenarios =
        [
            new("noop gRPC (baseline)", i => async () => await baseline.NoopAsync(new NoopRequest(), grpcAuth[i])),
            new("noop gRPC, anonymous", _ => async () => await baseline.NoopAnonymousAsync(new NoopRequest())),
            new("Get gRPC", i => async () => await connections.GetPhysicalConnectionAsync(new GetPhysicalConnectionRequest { Region = Region, Id = owned[i] }, grpcAuth[i])),
            new("Get REST", i => async () => await SendAsync(rest, HttpMethod.Get, $"/v1/regions/{Region}/physicalConnections/{owned[i]}", tokens[i], null)),
            new("Create gRPC", i => async () =>
            {
                var request = Order(location, "bench");
                request.RequestId = Guid.NewGuid().ToString();
                await connections.CreatePhysicalConnectionAsync(request, grpcAuth[i]);
            }),
            new("Create REST", i => async () => await SendAsync(rest, HttpMethod.Post,
                $"/v1/regions/{Region}/physicalConnections?requestId={Guid.NewGuid()}", tokens[i], restOrder)),
            new("noop gRPC (baseline, again)", i => async () => await baseline.NoopAsync(new NoopRequest(), grpcAuth[i])),
        ];

        Console.WriteLine($"DirectConnect API benchmark ({Environment.ProcessorCount} cores, {(quick ? "quick" : "full")} run): "
            + string.Create(Culture, $"{warmUp.TotalSeconds:F1} s warm-up per row, then {rounds} interleaved rounds of {slice.TotalSeconds:F1} s per row"));
        Console.WriteLine("Clients run in this process on loopback. gRPC: one h2c channel shared by the clients; REST: HTTP/1.1 JSON,");
        Console.WriteLine("one connection per client; every client is its own customer account; creates carry distinct request ids.");
        Console.WriteLine("Ratios are to the baseline row (a no-op gRPC method with the same bearer token) at the same client count.");
        Console.WriteLine();

        var rows = clientCounts.SelectMany(clients => scenarios.Select(scenario => (Scenario: scenario, Clients: clients))).ToArray();
        foreach (var (scenario, clients) in rows)
        {
            await RunAsync(Workers(scenario, clients), warmUp); // JIT, connections, caches
        }

        var samples = rows.ToDictionary(row => row, _ => (Latencies: new List<long>(), Elapsed: TimeSpan.Zero));
        for (var round = 0; round < rounds; round++)
        {
            foreach (var row in rows)
            {
                // Let the previous slice's garbage and background work (event delivery after creates) settle first.
                GC.Collect();
                GC.WaitForPendingFinalizers();
                await Task.Delay(TimeSpan.FromMilliseconds(250));
                var clock = Stopwatch.StartNew();
                var latencies = await RunAsync(Workers(row.Scenario, row.Clients), slice);
                var elapsed = clock.Elapsed;
                var (all, total) = samples[row];
                all.AddRange(latencies.SelectMany(l => l));
                samples[row] = (all, total + elapsed);
            }
        }

        var header = $"{"scenario",-28} {"clients",7} {"requests",9} {"rps",9} {"p50 ms",8} {"p99 ms",8} {"rps/base",9} {"p50/base",9}";
        Console.WriteLine(header);
        Console.WriteLine(new string('-', header.Length));
        foreach (var clients in clientCounts)
        {
            Result? reference = null;
            foreach (var scenario in scenarios)
            {
                var (latencies, elapsed) = samples[(scenario, clients)];
                var sorted = latencies.ToArray();
                Array.Sort(sorted);
                var result = new Result(scenario.Name, clients, sorted.Length, sorted.Length / elapsed.TotalSeconds,
                    Milliseconds(Percentile(sorted, 0.50)), Milliseconds(Percentile(sorted, 0.99)));
                reference ??= result;
                Console.WriteLine(string.Create(Culture,
                    $"{result.Scenario,-28} {result.Clients,7} {result.Requests,9} {result.Rps,9:F0} {result.P50,8:F3} {result.P99,8:F3} {result.Rps / reference.Rps,9:F3} {result.P50 / reference.P50,9:F2}"));
            }

            Console.WriteLine();
        }
    }

    private static Func<Task>[] Workers(Scenario scenario, int clients) => Enumerable.Range(0, clients).Select(scenario.Worker).ToArray();

    private static CreatePhysicalConnectionRequest Order(string location, string name) => new()
    {
        Region = Region,
        PhysicalConnection = new PhysicalConnection { Name = name, LocationId = location, PortSpeed = PortSpeed._10G, BandwidthMbps = 1000, Provider = "bench" },
    };

    private static async Task SendAsync(HttpClient http, HttpMethod method, string path, string token, string? json)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {body}");
        }
    }

    // Every client calls back to back until the period is over; the latency of each call.
    private static Task<List<long>[]> RunAsync(Func<Task>[] workers, TimeSpan period)
    {
        var end = Stopwatch.GetTimestamp() + (long)(period.TotalSeconds * Stopwatch.Frequency);
        return Task.WhenAll(workers.Select(call => Task.Run(async () =>
        {
            var latencies = new List<long>(4096);
            while (Stopwatch.GetTimestamp() < end)
            {
                var start = Stopwatch.GetTimestamp();
                await call();
                latencies.Add(Stopwatch.GetTimestamp() - start);
            }

            return latencies;
        })));
    }

    // Nearest rank.
    private static long Percentile(long[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static double Milliseconds(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
