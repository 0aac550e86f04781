using System.Collections.Concurrent;
using System.Diagnostics;
using DirectConnect.Contracts.V1;
using Grpc.Core;

namespace DirectConnect.Benchmarks;

/// <summary>
/// The allocation scale row: payments recorded by 64 concurrent payers at a location with 1,000 empty devices, against
/// the same at a location with 10. h2load repeats one request, and each payment needs its own approved connection, so
/// this row has its own load driver: 64 payers over gRPC to the gateway in this process, each call's outcome checked.
/// </summary>
internal static partial class CeilingBenchmark
{
    private const int Payers = 64;
    private const int ManyDevices = 1000;
    private const int FewDevices = 10;

    // As in the default mode's cost-per-allocation table; 10 devices hold 480 ports, more than one run pays for.
    private const int PortsPerDevice = 48;

    /// <summary>
    /// Interleaved rounds (alternating which side goes first), each side paying for a fixed number of connections
    /// approved beforehand. The small side gets a fresh 10-device location per run, so it never runs out of ports;
    /// the large side pays all its runs at one location of 1,000 devices (the devices it fills are printed).
    /// </summary>
    private static async Task AllocationAsync(BenchmarkSystem system, bool quick, int rounds)
    {
        var perRun = quick ? 192 : 384;
        // A region of its own: the connections the other rows create do not grow it.
        var region = BenchmarkSystem.ScaleRegions[^1];
        var seeding = Stopwatch.StartNew();
        var many = await system.InventoryAsync(ManyDevices, PortsPerDevice, region);
        var manyLines = new List<IReadOnlyList<string>>();
        var fewLines = new List<IReadOnlyList<string>>();
        // Index 0 is the warm-up.
        for (var run = 0; run <= rounds; run++)
        {
            manyLines.Add(await ApprovedLinesAsync(system, region, many, perRun));
            fewLines.Add(await ApprovedLinesAsync(system, region, await system.InventoryAsync(FewDevices, PortsPerDevice, region), perRun));
        }

        Console.WriteLine(string.Create(Culture,
            $"Allocation row: seeded {ManyDevices:N0} + {(rounds + 1) * FewDevices} devices of {PortsPerDevice} ports and {2 * (rounds + 1) * perRun:N0} approved connections in {seeding.Elapsed.TotalSeconds:F0} s."));
        await PayAllAsync(system, region, fewLines[0]);
        await PayAllAsync(system, region, manyLines[0]);

        var reference = new Samples();
        var measured = new Samples();
        for (var round = 0; round < rounds; round++)
        {
            var sides = new[] { (Lines: fewLines[round + 1], Into: reference), (Lines: manyLines[round + 1], Into: measured) };
            foreach (var (lines, into) in round % 2 == 0 ? sides : sides.Reverse())
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                await Task.Delay(TimeSpan.FromMilliseconds(250));
                var (rps, latencies) = await PayAllAsync(system, region, lines);
                into.Rps.Add(rps);
                into.Latencies.AddRange(latencies);
            }
        }

        Print([("Allocation", $"{Payers} payers, {ManyDevices:N0} vs {FewDevices} dev", reference, measured)],
            $"the same payments at a location with {FewDevices} empty devices");
        Console.WriteLine(string.Create(Culture,
            $"Each run pays for {perRun} connections approved beforehand (gRPC RecordPhysicalConnectionPayment as an operator); every call must return OK"));
        Console.WriteLine(string.Create(Culture,
            $"with a port, or the run stops. The {ManyDevices:N0}-device location fills about {(rounds + 1) * perRun / PortsPerDevice} of its devices over the run; the small side pays each run at a fresh location."));
    }

    /// <summary>Pays for every connection of <paramref name="ids"/> with <see cref="Payers"/> concurrent payers: the rate, and each call's latency.</summary>
    private static async Task<(double Rps, List<double> LatenciesMs)> PayAllAsync(BenchmarkSystem system, string region, IReadOnlyList<string> ids)
    {
        var queue = new ConcurrentQueue<string>(ids);
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Payers).Select(async _ =>
        {
            while (queue.TryDequeue(out var id))
            {
                var started = Stopwatch.GetTimestamp();
                PhysicalConnection paid;
                try
                {
                    paid = await system.Connections.RecordPhysicalConnectionPaymentAsync(
                        new RecordPhysicalConnectionPaymentRequest { Region = region, Id = id }, system.Operator);
                }
                catch (RpcException e)
                {
                    throw new InvalidOperationException($"Allocation row: paying for {id} failed with {e.StatusCode}: {e.Status.Detail}", e);
                }

                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                // Waiting for a port is a different (and faster) path: the inventory is sized so that nobody waits.
                if (paid.State != PhysicalConnection.Types.State.UnderConstruction || paid.Port is null)
                {
                    throw new InvalidOperationException($"Allocation row: {id} is {paid.State} without a port after payment.");
                }
            }
        }));
        return (ids.Count / clock.Elapsed.TotalSeconds, [.. latencies]);
    }

    /// <summary><paramref name="count"/> approved connections at <paramref name="location"/>, ordered and approved by 16 callers at once (an account each).</summary>
    private static async Task<IReadOnlyList<string>> ApprovedLinesAsync(BenchmarkSystem system, string region, string location, int count)
    {
        var ids = new ConcurrentBag<string>();
        var next = 0;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async caller =>
        {
            var customer = system.Call($"alloc-{Guid.NewGuid():N}"[..20], "customer");
            while (Interlocked.Increment(ref next) <= count)
            {
                var created = await RetryAbortedAsync(async () => await system.Connections.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest
                {
                    Region = region,
                    RequestId = Guid.NewGuid().ToString(),
                    PhysicalConnection = new PhysicalConnection { Name = "pay-me", LocationId = location, PortSpeed = PortSpeed._10G, BandwidthMbps = 1000, Provider = "bench" },
                }, customer));
                var approve = new ApprovePhysicalConnectionRequest { Region = region, Id = created.Id, RequestId = Guid.NewGuid().ToString() };
                await RetryAbortedAsync(async () => await system.Connections.ApprovePhysicalConnectionAsync(approve, system.Operator));
                ids.Add(created.Id);
            }
        }));
        return [.. ids];
    }

    // The request id in each request makes a retry safe.
    private static async Task<T> RetryAbortedAsync<T>(Func<Task<T>> call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call();
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Aborted && attempt < 20)
            {
            }
        }
    }
}
