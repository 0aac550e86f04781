using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace DirectConnect.Routing.Domain.Routing;

/// <summary>
/// The prefixes of one address family, in one hash table per prefix length keyed by the network
/// address. A lookup masks the address to each length in use, longest first, and probes that
/// length's table: the first hit is the longest match, after at most <c>bits + 1</c> probes
/// whatever the number of prefixes.
/// </summary>
/// <remarks>
/// Chosen over a binary trie because: a probe is one masked hash-table read instead of up to 32
/// dependent pointer hops (each a likely cache miss at 100,000 routes); memory is one entry per
/// prefix instead of up to 32 nodes; only the lengths actually in use are probed (a VPC table
/// rarely holds more than a handful); and the code is generic over the address integer, so IPv6
/// is the same class on <see cref="UInt128"/> with 129 lengths. Should the number of lengths in
/// use ever matter, binary search over lengths with markers (Waldvogel et al.) fits on top.
/// </remarks>
internal sealed class PrefixesByLength<TAddress, TValue>
    where TAddress : unmanaged, IBinaryInteger<TAddress>, IUnsignedNumber<TAddress>
{
    private readonly Dictionary<TAddress, TValue>?[] _byLength;
    private readonly TAddress[] _masks;
    private int[] _lengthsLongestFirst = [];

    public PrefixesByLength(int bits)
    {
        _byLength = new Dictionary<TAddress, TValue>?[bits + 1];
        _masks = new TAddress[bits + 1];
        for (var length = 1; length <= bits; length++)
        {
            _masks[length] = TAddress.AllBitsSet << (bits - length);
        }
    }

    public int Count { get; private set; }

    public IEnumerable<TValue> Values => _byLength.Where(table => table is not null).SelectMany(table => table!.Values);

    /// <summary>Adds the prefix; false (and nothing changes) when it is already present.</summary>
    public bool Add(TAddress network, int length, TValue value)
    {
        var table = _byLength[length] ??= [];
        if (!table.TryAdd(network & _masks[length], value))
        {
            return false;
        }

        Count++;
        if (table.Count == 1)
        {
            IndexLengths();
        }

        return true;
    }

    /// <summary>Removes the prefix; false when it was not present.</summary>
    public bool Remove(TAddress network, int length)
    {
        var table = _byLength[length];
        if (table is null || !table.Remove(network & _masks[length]))
        {
            return false;
        }

        Count--;
        if (table.Count == 0)
        {
            IndexLengths();
        }

        return true;
    }

    /// <summary>The value stored for exactly this prefix.</summary>
    public bool TryGet(TAddress network, int length, [MaybeNullWhen(false)] out TValue value)
    {
        value = default;
        return _byLength[length]?.TryGetValue(network & _masks[length], out value) == true;
    }

    /// <summary>The value of the longest prefix that contains <paramref name="address"/>.</summary>
    public bool TryMatch(TAddress address, [MaybeNullWhen(false)] out TValue value)
    {
        foreach (var length in _lengthsLongestFirst)
        {
            if (_byLength[length]!.TryGetValue(address & _masks[length], out value))
            {
                return true;
            }
        }

        value = default;
        return false;
    }

    // Rebuilt only when a length gains its first prefix or loses its last: lookups then skip the
    // empty lengths without testing them.
    private void IndexLengths()
    {
        var lengths = new List<int>(_byLength.Length);
        for (var length = _byLength.Length - 1; length >= 0; length--)
        {
            if (_byLength[length] is { Count: > 0 })
            {
                lengths.Add(length);
            }
        }

        _lengthsLongestFirst = [.. lengths];
    }
}
