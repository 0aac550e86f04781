using System.Globalization;
using System.Net;
using DirectConnect.Platform.Networking;

namespace DirectConnect.RoutingBenchmarks;

/// <summary>Route tables and lookup addresses shaped like real ones, from a seeded random source.</summary>
internal static class Workload
{
    /// <summary>
    /// <paramref name="count"/> distinct prefixes, half carved out of an earlier prefix (1–8 bits longer)
    /// and half new roots of /<paramref name="shortestRoot"/>–/28; with <paramref name="shortRoutes"/>,
    /// 1% of the roots are /0–/7 as default and summary routes are.
    /// </summary>
    public static Cidr[] Table(Random random, int count, int shortestRoot, bool shortRoutes)
    {
        var built = new List<(uint Network, int Length)>(count);
        var seen = new HashSet<(uint, int)>();
        while (built.Count < count)
        {
            var bits = (uint)random.NextInt64(0, 1L << 32);
            (uint Network, int Length) prefix;
            if (built.Count > 0 && random.Next(2) == 0)
            {
                var parent = built[random.Next(built.Count)];
                var length = Math.Min(32, parent.Length + 1 + random.Next(8));
                prefix = (parent.Network | (bits & ~Mask(parent.Length)), length);
            }
            else
            {
                prefix = (bits, shortRoutes && random.Next(100) == 0 ? random.Next(0, 8) : random.Next(shortestRoot, 29));
            }

            prefix.Network &= Mask(prefix.Length);
            if (seen.Add(prefix))
            {
                built.Add(prefix);
            }
        }

        return [.. built.Select(p => Cidr.TryParse(string.Create(CultureInfo.InvariantCulture, $"{ToAddress(p.Network)}/{p.Length}"), out var cidr, out var error)
            ? cidr! : throw new InvalidOperationException(error))];
    }

    /// <summary>Lookup addresses: half uniformly random, half inside a random prefix of <paramref name="table"/>.</summary>
    public static IPAddress[] Addresses(Random random, Cidr[] table, int count) =>
        [.. Enumerable.Range(0, count).Select(i =>
        {
            var bits = (uint)random.NextInt64(0, 1L << 32);
            if (i % 2 == 0)
            {
                return ToAddress(bits);
            }

            var (network, length) = Read(table[random.Next(table.Length)]);
            return ToAddress(network | (bits & ~Mask(length)));
        })];

    /// <summary>The prefixes tagged with their index, as <c>PrefixOverlaps</c> takes them.</summary>
    public static (Cidr Prefix, int Tag)[] Tagged(Cidr[] prefixes) => [.. prefixes.Select((prefix, i) => (prefix, i))];

    public static (uint Network, int Length) Read(Cidr prefix) => (ToUInt(prefix.Network.Network), prefix.Network.Cidr);

    public static uint Mask(int length) => length == 0 ? 0u : uint.MaxValue << (32 - length);

    public static uint ToUInt(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[4];
        address.TryWriteBytes(bytes, out _);
        return (uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3];
    }

    private static IPAddress ToAddress(uint value) => new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);
}
