using System.Diagnostics;
using System.Globalization;
using DirectConnect.Benchmarks;

// Load drivers against the embedded system (SQLite file), through real gRPC and REST on loopback.
// Every figure is measured in this run and printed with its ratio to a baseline measured beside it.
//
//   dotnet run -c Release --project tests/DirectConnect.Benchmarks [-- --quick]
//       port allocation: 1 payer is the baseline for throughput, 10 devices for the cost per allocation
//   dotnet run -c Release --project tests/DirectConnect.Benchmarks -- api [--quick]
//       Get and Create of a physical connection over gRPC and REST, 1 and 16 clients: rps, p50, p99,
//       against a no-op gRPC method hosted by the same gateway (same Kestrel, interceptors, auth)
//   dotnet run -c Release --project tests/DirectConnect.Benchmarks -- ceiling [--quick]
//       the gateway against a bare ASP.NET Core server (one no-op gRPC method, one small JSON endpoint),
//       loaded by h2load (nghttp2-client) in interleaved rounds: ratios, spread, p50/p99, load average;
//       then allocation with 1,000 empty devices at the location against 10 (64 payers, its own load driver)
//   dotnet run -c Release --project tests/DirectConnect.Benchmarks -- ceiling allocation [--quick]
//       the allocation row alone
//   dotnet run -c Release --project tests/DirectConnect.Benchmarks -- footprint [--quick]
//       start-up time and RSS of a gateway process with 10,000 connections in the region against 110
const string Usage = """
    usage: DirectConnect.Benchmarks [api|ceiling [allocation]|footprint] [--quick]
      (no mode)  port allocation throughput and cost per allocation (baseline: 1 payer, 10 devices)
      api        Get/Create of a physical connection over gRPC and REST against a no-op gRPC method
                 on the same gateway: requests/s, p50, p99 and their ratios to that baseline
      ceiling    the gateway against a bare ASP.NET Core gRPC/HTTP server with no-op endpoints, under
                 h2load (apt-get install nghttp2-client): ratios (median, min–max over rounds), p50/p99;
                 last, allocation with 1,000 empty devices against 10 (64 payers over gRPC)
      allocation with ceiling: only the allocation row
      footprint  start-up time and RSS of a gateway process on a database with 10,000 connections
                 in the region against one with 110 (interleaved restarts)
      --quick    a short run
    """;
if (args.Any(a => a is "-h" or "--help") || args.Any(a => a is not "api" and not "ceiling" and not "allocation" and not "footprint" and not "--quick")
    || (args.Contains("allocation") && !args.Contains("ceiling")))
{
    Console.WriteLine(Usage);
    return args.Any(a => a is "-h" or "--help") ? 0 : 2;
}

var quick = args.Contains("--quick");
if (args.Contains("footprint"))
{
    await FootprintBenchmark.RunAsync(quick);
    return 0;
}

if (args.Contains("ceiling"))
{
    try
    {
        await CeilingBenchmark.RunAsync(quick, allocationOnly: args.Contains("allocation"));
        return 0;
    }
    catch (InvalidOperationException e)
    {
        // h2load missing, or a counted response that failed: no figures are printed for such a run.
        Console.Error.WriteLine($"ceiling benchmark stopped: {e.Message}");
        return 1;
    }
}

if (args.Contains("api"))
{
    await ApiBenchmark.RunAsync(quick);
    return 0;
}

var allocations = quick ? 64 : 512;
var scaledAllocations = quick ? 32 : 256;
var culture = CultureInfo.InvariantCulture;

Console.WriteLine($"DirectConnect port allocation benchmark ({Environment.ProcessorCount} cores, {(quick ? "quick" : "full")} run)");
Console.WriteLine();
Console.WriteLine($"1. Throughput: {allocations} payments recorded by N concurrent payers on one location (10 devices x 64 ports)");
Console.WriteLine("   payers  allocations/s  ratio to 1 payer");
double? baseline = null;
foreach (var payers in new[] { 1, 8, 64 })
{
    await using var system = await BenchmarkSystem.StartAsync();
    var location = await system.InventoryAsync(devices: 10, portsPerDevice: 64);
    var ids = await system.ApprovedAsync(location, allocations);
    await system.PayAsync((await system.ApprovedAsync(location, 1))[0]); // warm-up

    var queue = new Queue<string>(ids);
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, payers).Select(async _ =>
    {
        while (true)
        {
            string id;
            lock (queue)
            {
                if (!queue.TryDequeue(out id!))
                {
                    return;
                }
            }

            await system.PayAsync(id);
        }
    }));
    var rate = allocations / clock.Elapsed.TotalSeconds;
    baseline ??= rate;
    Console.WriteLine(string.Create(culture, $"   {payers,6}  {rate,13:F1}  {rate / baseline.Value,16:F2}"));
}

Console.WriteLine();
Console.WriteLine($"2. Cost of one allocation as the location grows ({scaledAllocations} sequential payments, 48 ports per device)");
Console.WriteLine("   devices  ports   ms/allocation  ratio to 10 devices");
double? small = null;
foreach (var devices in new[] { 10, 100, 1000 })
{
    await using var system = await BenchmarkSystem.StartAsync();
    var location = await system.InventoryAsync(devices, portsPerDevice: 48);
    var ids = await system.ApprovedAsync(location, scaledAllocations);
    await system.PayAsync((await system.ApprovedAsync(location, 1))[0]); // warm-up

    var clock = Stopwatch.StartNew();
    foreach (var id in ids)
    {
        await system.PayAsync(id);
    }

    var perAllocation = clock.Elapsed.TotalMilliseconds / ids.Count;
    small ??= perAllocation;
    Console.WriteLine(string.Create(culture, $"   {devices,7}  {devices * 48,5}  {perAllocation,14:F3}  {perAllocation / small.Value,19:F2}"));
}

return 0;
