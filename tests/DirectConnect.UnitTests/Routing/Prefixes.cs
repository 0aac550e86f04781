using System.Globalization;
using System.Net;
using CsCheck;
using DirectConnect.Platform.Networking;

namespace DirectConnect.UnitTests.Routing;

/// <summary>
/// Generators of prefix lists shaped like real route tables, and the naive references the routing
/// engine is checked against. The references go through IPNetwork2 (Contains, Overlap), not through
/// the engine's own integer arithmetic, so a shared arithmetic mistake cannot hide.
/// </summary>
internal static class Prefixes
{
    /// <summary>Mostly /8–/32 as in real tables, sometimes very short ones (down to the default route).</summary>
    private static readonly Gen<int> Length = Gen.Frequency((1, Gen.Int[0, 7]), (6, Gen.Int[8, 24]), (3, Gen.Int[25, 32]));

    /// <summary>Roots crowd into 10/8 and 192.168/16, as private address plans do, so unrelated roots still collide.</summary>
    private static readonly Gen<uint> Bits = Gen.Frequency((1, Gen.UInt), (2, Gen.UInt[0x0A000000, 0x0AFFFFFF]), (1, Gen.UInt[0xC0A80000, 0xC0A8FFFF]));

    /// <summary>About half the prefixes are carved out of an earlier one (-1: a new root).</summary>
    private static readonly Gen<int> Parent = Gen.Frequency((1, Gen.Const(-1)), (1, Gen.Int[0, 1_000]));

    private static readonly Gen<Seed> Seeds = Gen.Select(Bits, Length, Parent, (bits, length, parent) => new Seed(bits, length, parent));

    /// <summary>Up to <paramref name="max"/> distinct canonical prefixes, many nested in others.</summary>
    public static Gen<Cidr[]> Distinct(int max) => Seeds.Array[0, max].Select(Build);

    /// <summary>Up to <paramref name="max"/> address recipes, resolved against a table by <see cref="Address"/>.</summary>
    public static Gen<AddressSeed[]> Addresses(int max) =>
        Gen.Select(Gen.UInt, Gen.Int[0, 1_000], Gen.Int[0, 5], (bits, pick, kind) => new AddressSeed(bits, pick, kind)).Array[1, max];

    /// <summary>
    /// An address that is, by <see cref="AddressSeed.Kind"/>: anywhere; inside a table prefix; its first
    /// or last address; or just past either end — the boundaries where an off-by-one in a mask shows.
    /// </summary>
    public static IPAddress Address(Cidr[] table, AddressSeed seed)
    {
        if (table.Length == 0 || seed.Kind == 0)
        {
            return ToAddress(seed.Bits);
        }

        var prefix = table[seed.Pick % table.Length];
        var first = ToUInt(prefix.Network.Network);
        var last = first | ~Mask(prefix.Network.Cidr);
        return ToAddress(seed.Kind switch
        {
            1 => first | (seed.Bits & ~Mask(prefix.Network.Cidr)),
            2 => first,
            3 => last,
            4 => unchecked(last + 1),
            _ => unchecked(first - 1),
        });
    }

    /// <summary>The index of the longest prefix containing <paramref name="address"/>, or -1: a linear scan.</summary>
    public static int NaiveLongestMatch(IReadOnlyList<Cidr> table, IPAddress address)
    {
        var best = -1;
        for (var i = 0; i < table.Count; i++)
        {
            if (table[i].Network.Contains(address) && (best < 0 || table[i].Network.Cidr > table[best].Network.Cidr))
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>Every (left index, right index) whose prefixes overlap: all n × m pairs tested.</summary>
    public static List<(int Left, int Right)> NaiveOverlaps(IReadOnlyList<Cidr> left, IReadOnlyList<Cidr> right)
    {
        var pairs = new List<(int, int)>();
        for (var i = 0; i < left.Count; i++)
        {
            for (var j = 0; j < right.Count; j++)
            {
                if (left[i].Network.Overlap(right[j].Network))
                {
                    pairs.Add((i, j));
                }
            }
        }

        return pairs;
    }

    /// <summary>Parses a canonical prefix, failing the test on anything else.</summary>
    public static Cidr Parse(string text) =>
        Cidr.TryParse(text, out var cidr, out var error) ? cidr! : throw new ArgumentException(error, nameof(text));

    private static Cidr[] Build(Seed[] seeds)
    {
        var built = new List<(uint Network, int Length)>();
        var seen = new HashSet<(uint, int)>();
        foreach (var seed in seeds)
        {
            var (network, length) = seed.Parent < 0 || built.Count == 0
                ? (seed.Bits, seed.Length)
                : Nest(built[seed.Parent % built.Count], seed);
            network &= Mask(length);
            if (seen.Add((network, length)))
            {
                built.Add((network, length));
            }
        }

        // Through Cidr.TryParse: a generator mistake leaving host bits set fails loudly here.
        return [.. built.Select(p => Parse(string.Create(CultureInfo.InvariantCulture, $"{ToAddress(p.Network)}/{p.Length}")))];
    }

    private static (uint Network, int Length) Nest((uint Network, int Length) parent, Seed seed) =>
        (parent.Network | (seed.Bits & ~Mask(parent.Length)), parent.Length + (seed.Length % (33 - parent.Length)));

    private static uint Mask(int length) => length == 0 ? 0u : uint.MaxValue << (32 - length);

    private static uint ToUInt(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return (uint)bytes[0] << 24 | (uint)bytes[1] << 16 | (uint)bytes[2] << 8 | bytes[3];
    }

    private static IPAddress ToAddress(uint value) =>
        new([(byte)(value >> 24), (byte)(value >> 16), (byte)(value >> 8), (byte)value]);

    private readonly record struct Seed(uint Bits, int Length, int Parent);
}

/// <summary>How to draw one lookup address from a table (see <see cref="Prefixes.Address"/>).</summary>
internal readonly record struct AddressSeed(uint Bits, int Pick, int Kind);
