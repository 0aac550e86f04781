using System.Diagnostics.CodeAnalysis;
using System.Net;
using DirectConnect.Platform.Networking;

namespace DirectConnect.Routing.Domain.Routing;

/// <summary>The route chosen for an address, with the prefix that matched it.</summary>
public readonly record struct PrefixMatch<TRoute>(Cidr Prefix, TRoute Route);

/// <summary>
/// Routes keyed by destination prefix, answering longest-prefix match: the route whose prefix
/// contains an address and is longer than every other prefix that does. A lookup costs at most 33
/// hash probes (one per prefix length in use) however many routes the table holds.
/// </summary>
/// <remarks>
/// IPv4 only today: adding any other prefix throws, and a lookup of any other address finds no
/// route. Any number of concurrent lookups are safe; a change must not run beside anything else
/// (build the table, then share it).
/// </remarks>
public sealed class ForwardingTable<TRoute>
{
    private readonly PrefixesByLength<uint, PrefixMatch<TRoute>> _ipv4 = new(Ipv4.Bits);

    /// <summary>The number of prefixes in the table.</summary>
    public int Count => _ipv4.Count;

    /// <summary>Every prefix with its route, in no particular order.</summary>
    public IEnumerable<PrefixMatch<TRoute>> Entries => _ipv4.Values;

    /// <summary>
    /// Adds a route to <paramref name="prefix"/>. False, and the table unchanged, when the prefix
    /// already has one: a destination has one route, and replacing it is the caller's decision.
    /// </summary>
    public bool Add(Cidr prefix, TRoute route)
    {
        var (network, length) = Ipv4.Read(prefix);
        return _ipv4.Add(network, length, new PrefixMatch<TRoute>(prefix, route));
    }

    /// <summary>Removes the route to <paramref name="prefix"/>; false when there was none.</summary>
    public bool Remove(Cidr prefix)
    {
        var (network, length) = Ipv4.Read(prefix);
        return _ipv4.Remove(network, length);
    }

    /// <summary>The route to exactly <paramref name="prefix"/> (no longest-prefix match).</summary>
    public bool TryGet(Cidr prefix, [MaybeNullWhen(false)] out TRoute route)
    {
        var (network, length) = Ipv4.Read(prefix);
        var found = _ipv4.TryGet(network, length, out var match);
        route = found ? match.Route : default;
        return found;
    }

    /// <summary>The route of the longest prefix containing <paramref name="address"/>, with that prefix.</summary>
    public bool TryLookup(IPAddress address, out PrefixMatch<TRoute> match)
    {
        if (Ipv4.TryRead(address, out var value) && _ipv4.TryMatch(value, out match))
        {
            return true;
        }

        match = default;
        return false;
    }

    /// <summary>
    /// The route of the longest prefix containing <paramref name="address"/>; <c>default</c> (null
    /// for reference types) when none does. Use <see cref="TryLookup"/> when a route may itself be default.
    /// </summary>
    public TRoute? Lookup(IPAddress address) => TryLookup(address, out var match) ? match.Route : default;
}
