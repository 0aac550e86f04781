using System.Diagnostics;
using System.Globalization;
using DirectConnect.Platform.Networking;
using DirectConnect.Routing.Domain.Routing;
using DirectConnect.RoutingBenchmarks;

// Routing engine benchmark. Every figure is measured in this run (Stopwatch, after a warm-up that
// lets the JIT reach its optimised tier) and printed beside the baseline it is compared with: a
// linear scan for longest-prefix match, the n × m pairwise check for overlap validation.
var culture = CultureInfo.InvariantCulture;
var random = new Random(20_240_601);
Console.WriteLine($"DirectConnect routing engine benchmark ({Environment.ProcessorCount} cores, {RuntimeInformationText()})");
Console.WriteLine();

Console.WriteLine("1. Longest-prefix match: one lookup, ForwardingTable (hash per prefix length) vs linear scan over the same routes");
Console.WriteLine("   (4,096 addresses, half inside a route's prefix; roots /8-/28 and 1% /0-/7, half the routes nested 1-8 bits deeper)");
Console.WriteLine("   routes    LPM ns/lookup  linear ns/lookup  linear/LPM");
foreach (var size in new[] { 10, 1_000, 100_000 })
{
    var prefixes = Workload.Table(random, size, shortestRoot: 8, shortRoutes: true);
    var table = new ForwardingTable<int>();
    for (var i = 0; i < prefixes.Length; i++)
    {
        table.Add(prefixes[i], i);
    }

    var linear = new LinearScan(prefixes);
    var addresses = Workload.Addresses(random, prefixes, 4_096);
    foreach (var address in addresses)
    {
        // Both sides must give the same answers, or the comparison means nothing.
        if ((table.TryLookup(address, out var match) ? match.Route : -1) != linear.Lookup(address))
        {
            throw new InvalidOperationException($"ForwardingTable and the linear scan disagree on {address}");
        }
    }

    var lpm = Measure.NanosecondsPerOperation(addresses.Length, (start, count) =>
    {
        long sum = 0;
        for (var i = start; i < start + count; i++)
        {
            sum += table.TryLookup(addresses[i], out var m) ? m.Route : -1;
        }

        return sum;
    });
    var scan = Measure.NanosecondsPerOperation(addresses.Length, (start, count) =>
    {
        long sum = 0;
        for (var i = start; i < start + count; i++)
        {
            sum += linear.Lookup(addresses[i]);
        }

        return sum;
    });
    Console.WriteLine(string.Create(culture, $"   {size,7:N0}  {lpm,14:F1}  {scan,16:F1}  {scan / lpm,10:F1}x"));
}

Console.WriteLine();
Console.WriteLine("2. Overlap validation: n prefixes against n (two independent lists: roots /16-/28, half nested 1-8 bits deeper), all overlapping pairs");
var sweepTimes = new Dictionary<int, double>();
var naiveTimes = new Dictionary<int, double>();
var decodeTimes = new Dictionary<int, double>();
var sortTimes = new Dictionary<int, double>();
foreach (var size in new[] { 1_000, 10_000, 100_000 })
{
    var left = Workload.Tagged(Workload.Table(random, size, shortestRoot: 16, shortRoutes: false));
    var right = Workload.Tagged(Workload.Table(random, size, shortestRoot: 16, shortRoutes: false));
    var pairs = PrefixOverlaps.Find(left, right).Count;
    var sweep = Measure.MillisecondsPerCall(() => PrefixOverlaps.Find(left, right).Count);
    sweepTimes[size] = sweep;
    if (size != 10_000)
    {
        // The sweep's two parts, timed alone, to show where its growth comes from.
        var cidrs = left.Concat(right).Select(p => p.Prefix).ToArray();
        decodeTimes[size] = Measure.MillisecondsPerCall(() => cidrs.Sum(c => (int)(Workload.Read(c).Network & 1)), seconds: 1.0);
        var intervals = cidrs.Select(Workload.Read).Select((p, i) => (p.Network, p.Network | ~Workload.Mask(p.Length), i)).ToArray();
        var scratch = new (uint, uint, int)[intervals.Length];
        sortTimes[size] = Measure.MillisecondsPerCall(() =>
        {
            intervals.CopyTo(scratch, 0);
            Array.Sort(scratch);
            return scratch[0].Item3;
        }, seconds: 1.0);
    }

    if (size <= 10_000)
    {
        var intervals = new PairwiseCheck(left, right);
        var naivePairs = intervals.Count();
        if (naivePairs != pairs)
        {
            throw new InvalidOperationException($"sweep found {pairs} pairs, the pairwise check {naivePairs}");
        }

        naiveTimes[size] = Measure.MillisecondsPerCall(() => intervals.Count());
    }

    var pairwise = naiveTimes.TryGetValue(size, out var naive)
        ? string.Create(culture, $"   pairwise n x m {naive,9:F3} ms (measured, same pairs)")
        : "   pairwise n x m not run at this size";
    Console.WriteLine(string.Create(culture, $"   {size,7:N0} x {size,-7:N0}  sweep {sweep,9:F3} ms   {pairs,6:N0} overlapping pairs{pairwise}"));
}

var naiveAt100K = naiveTimes[10_000] * 100;
Console.WriteLine(string.Create(culture, $"   pairwise n x m at 100,000 x 100,000: {naiveAt100K / 1000,7:F1} s (extrapolated: the 10,000 measurement x 100, as n x m grows; not run)"));
var (cidrLeft, cidrRight) = (Workload.Tagged(Workload.Table(random, 1_000, 16, false)), Workload.Tagged(Workload.Table(random, 1_000, 16, false)));
var cidrPairwise = Measure.MillisecondsPerCall(() => PairwiseCheck.CountWithCidrOverlaps(cidrLeft, cidrRight), seconds: 1.0);
Console.WriteLine(string.Create(culture, $"   pairwise with Cidr.Overlaps (IPNetwork2), 1,000 x 1,000: {cidrPairwise,9:F3} ms (measured; what a per-pair Cidr check costs)"));
Console.WriteLine();
Console.WriteLine("   growth 1,000 -> 100,000 (x100 inputs)   measured   n log n predicts   n x m predicts");
Console.WriteLine(string.Create(culture,
    $"   sweep                                   {sweepTimes[100_000] / sweepTimes[1_000],7:F0}x   {100 * Math.Log2(200_000) / Math.Log2(2_000),16:F0}x   {10_000,14:N0}x"));
Console.WriteLine(string.Create(culture,
    $"     of which decoding Cidr -> interval (IPNetwork2; linear)  {decodeTimes[1_000],7:F3} -> {decodeTimes[100_000],8:F3} ms  {decodeTimes[100_000] / decodeTimes[1_000],5:F0}x"));
Console.WriteLine(string.Create(culture,
    $"     of which sorting the intervals alone (n log n)           {sortTimes[1_000],7:F3} -> {sortTimes[100_000],8:F3} ms  {sortTimes[100_000] / sortTimes[1_000],5:F0}x"));
Console.WriteLine(string.Create(culture,
    $"   sweep vs pairwise at 100,000            {naiveAt100K / sweepTimes[100_000],7:F0}x faster (pairwise extrapolated)"));
Console.WriteLine(string.Create(culture,
    $"   sweep vs pairwise at 1,000              {naiveTimes[1_000] / sweepTimes[1_000],7:F1}x faster (both measured)"));

Console.WriteLine();
Console.WriteLine("3. A trace's table work: the three longest-prefix matches it makes (VPC table forward, gateway table forward,");
Console.WriteLine("   gateway table for the way back), with the forwarding tables cached as the service caches them, rebuilt per");
Console.WriteLine("   trace (the cost when a table just changed), and as linear scans. The gRPC reads of the interface and the line");
Console.WriteLine("   are one each per trace whatever the table sizes, so they are not in these figures.");
Console.WriteLine("   routes   cached ns/trace  rebuilt ns/trace  linear ns/trace  linear/cached");
foreach (var size in new[] { 10, 1_000, 100_000 })
{
    var vpcPrefixes = Workload.Table(random, size, shortestRoot: 8, shortRoutes: true);
    var gatewayPrefixes = Workload.Table(random, size, shortestRoot: 8, shortRoutes: true);
    ForwardingTable<int> Build(Cidr[] prefixes)
    {
        var built = new ForwardingTable<int>();
        for (var i = 0; i < prefixes.Length; i++)
        {
            built.Add(prefixes[i], i);
        }

        return built;
    }

    var (vpcTable, gatewayTable) = (Build(vpcPrefixes), Build(gatewayPrefixes));
    var (vpcScan, gatewayScan) = (new LinearScan(vpcPrefixes), new LinearScan(gatewayPrefixes));
    var destinations = Workload.Addresses(random, gatewayPrefixes, 1_024);
    var sources = Workload.Addresses(random, vpcPrefixes, 1_024);
    long Walk(ForwardingTable<int> vpc, ForwardingTable<int> gateway, int i) =>
        (vpc.TryLookup(destinations[i], out var a) ? a.Route : -1) + (gateway.TryLookup(destinations[i], out var b) ? b.Route : -1) +
        (gateway.TryLookup(sources[i], out var c) ? c.Route : -1);
    var cached = Measure.NanosecondsPerOperation(destinations.Length, (start, count) =>
    {
        long sum = 0;
        for (var i = start; i < start + count; i++)
        {
            sum += Walk(vpcTable, gatewayTable, i);
        }

        return sum;
    });
    var rebuilt = Measure.NanosecondsPerOperation(size >= 100_000 ? 8 : destinations.Length, (start, count) =>
    {
        long sum = 0;
        for (var i = start; i < start + count; i++)
        {
            sum += Walk(Build(vpcPrefixes), Build(gatewayPrefixes), i);
        }

        return sum;
    }, seconds: 0.5);
    var linear = Measure.NanosecondsPerOperation(destinations.Length, (start, count) =>
    {
        long sum = 0;
        for (var i = start; i < start + count; i++)
        {
            sum += vpcScan.Lookup(destinations[i]) + gatewayScan.Lookup(destinations[i]) + gatewayScan.Lookup(sources[i]);
        }

        return sum;
    });
    Console.WriteLine(string.Create(culture, $"   {size,7:N0}  {cached,15:F1}  {rebuilt,16:F1}  {linear,15:F1}  {linear / cached,13:F1}x"));
}

static string RuntimeInformationText() => System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;
