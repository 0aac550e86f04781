using System.Net;
using DirectConnect.Platform.Networking;

namespace DirectConnect.RoutingBenchmarks;

/// <summary>
/// Longest-prefix match by scanning every route: the baseline. Routes are pre-decoded to integers
/// so the scan is as fast as a scan can be, and the comparison is with the algorithm, not with IPNetwork2.
/// </summary>
internal sealed class LinearScan(Cidr[] prefixes)
{
    private readonly (uint Network, uint Mask, int Length)[] _routes =
        [.. prefixes.Select(p => Workload.Read(p)).Select(p => (p.Network, Workload.Mask(p.Length), p.Length))];

    /// <summary>The index of the longest prefix containing <paramref name="address"/>, or -1.</summary>
    public int Lookup(IPAddress address)
    {
        var value = Workload.ToUInt(address);
        var best = -1;
        var bestLength = -1;
        for (var i = 0; i < _routes.Length; i++)
        {
            var (network, mask, length) = _routes[i];
            if ((value & mask) == network && length > bestLength)
            {
                best = i;
                bestLength = length;
            }
        }

        return best;
    }
}

/// <summary>
/// Overlap validation by testing all n × m pairs: the baseline. Intervals are pre-decoded to integers
/// (decoding is linear and not what is compared), so only the pairwise loop is timed.
/// </summary>
internal sealed class PairwiseCheck((Cidr Prefix, int Tag)[] left, (Cidr Prefix, int Tag)[] right)
{
    private readonly (uint First, uint Last)[] _left = Decode(left);
    private readonly (uint First, uint Last)[] _right = Decode(right);

    /// <summary>The number of overlapping pairs.</summary>
    public int Count()
    {
        var pairs = 0;
        foreach (var (first, last) in _left)
        {
            foreach (var other in _right)
            {
                if (first <= other.Last && other.First <= last)
                {
                    pairs++;
                }
            }
        }

        return pairs;
    }

    /// <summary>The number of overlapping pairs, each tested with <see cref="Cidr.Overlaps"/>, as list validation does today.</summary>
    public static int CountWithCidrOverlaps((Cidr Prefix, int Tag)[] left, (Cidr Prefix, int Tag)[] right) =>
        left.Sum(l => right.Count(r => l.Prefix.Overlaps(r.Prefix)));

    private static (uint, uint)[] Decode((Cidr Prefix, int Tag)[] prefixes) =>
        [.. prefixes.Select(p => Workload.Read(p.Prefix)).Select(p => (p.Network, p.Network | ~Workload.Mask(p.Length)))];
}

/// <summary>
/// Stopwatch timing after a warm-up, so that the JIT's optimised code is what gets measured. Each
/// figure is the best of ten timed segments: other builds share these cores, and interference only
/// ever adds time.
/// </summary>
internal static class Measure
{
    private const int Segments = 10;
    private static long s_sink;

    /// <summary>
    /// Nanoseconds per operation: <paramref name="run"/>(start, count) performs operations start..start+count
    /// of <paramref name="operations"/>, in batches small enough that a slow baseline still completes many.
    /// </summary>
    public static double NanosecondsPerOperation(int operations, Func<int, int, long> run, double seconds = 1.0)
    {
        const int Batch = 64;
        var start = 0;
        long Step()
        {
            var count = Math.Min(Batch, operations - start);
            s_sink += run(start, count);
            start = (start + count) % operations;
            return count;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (clock.Elapsed.TotalSeconds < 0.15)
        {
            Step();
        }

        var best = double.MaxValue;
        for (var segment = 0; segment < Segments; segment++)
        {
            long done = 0;
            clock.Restart();
            do
            {
                done += Step();
            }
            while (clock.Elapsed.TotalSeconds < seconds / Segments);

            best = Math.Min(best, clock.Elapsed.TotalNanoseconds / done);
        }

        return best;
    }

    /// <summary>Milliseconds per call of <paramref name="call"/>, after a warm-up of at least two calls.</summary>
    public static double MillisecondsPerCall(Func<int> call, double seconds = 2.0)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var warmups = 0;
        while (warmups < 2 || clock.Elapsed.TotalSeconds < 0.2)
        {
            s_sink += call();
            warmups++;
        }

        var best = double.MaxValue;
        for (var segment = 0; segment < Segments; segment++)
        {
            var calls = 0;
            clock.Restart();
            do
            {
                s_sink += call();
                calls++;
            }
            while (clock.Elapsed.TotalSeconds < seconds / Segments);

            best = Math.Min(best, clock.Elapsed.TotalMilliseconds / calls);
        }

        return best;
    }
}
