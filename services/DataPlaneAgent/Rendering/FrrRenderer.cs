using static System.FormattableString;

namespace DirectConnect.DataPlaneAgent.Rendering;

/// <summary>
/// Renders one virtual interface's cloud side as vtysh configuration lines (what <c>vtysh -f</c> reads), as a
/// change from what was applied before: a pure function of validated values, so the same inputs give the
/// same lines and nothing but <see cref="ValidPeering"/>'s values, the router's and the MD5 key reach them.
/// The sub-interface and its address are the kernel's (<see cref="Frr.RouterHost"/> sets them with <c>ip</c>),
/// not zebra's: they exist before the session is configured, and removing one that is gone is no error.
/// Each interface owns its neighbour, its prefix-lists and its route-maps (named after its id); the one
/// thing interfaces share is a <c>network</c> (with its discard route), which is added while any interface
/// announces it and removed when the last one stops.
/// </summary>
internal static class FrrRenderer
{
    /// <summary>
    /// The lines that take the router from <paramref name="previous"/> (null: nothing applied) to
    /// <paramref name="next"/>. <paramref name="configuredNetworks"/> are the prefixes the router announces now
    /// (for any interface); <paramref name="networksOfOthers"/> those other interfaces announce.
    /// <paramref name="authKey"/> is null when the session has no key.
    /// </summary>
    public static IReadOnlyList<string> Apply(ValidRouter router, ValidPeering? previous, ValidPeering next, string? authKey,
        IReadOnlySet<string> configuredNetworks, IReadOnlySet<string> networksOfOthers)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(next);
        if (authKey is not null && !ValidPeering.IsValidAuthKey(authKey))
        {
            throw new ArgumentException("The MD5 key is not 1-80 printable ASCII characters without spaces.", nameof(authKey));
        }

        var lines = new List<string> { "ip forwarding" };
        // A new neighbour address or remote AS is a new session: the old one goes first, whole.
        var sameNeighbor = previous is not null && previous.Neighbor == next.Neighbor && previous.CustomerAsn == next.CustomerAsn;
        if (previous is not null && !sameNeighbor)
        {
            lines.Add(Invariant($"router bgp {router.Asn}"));
            lines.Add($" no neighbor {previous.Neighbor}");
            lines.Add("exit");
        }

        var inbound = Names.Policy(next.VirtualInterfaceId, inbound: true);
        var outbound = Names.Policy(next.VirtualInterfaceId, inbound: false);
        // Entries change one by one (a changed entry is deleted, then added): a list never disappears under
        // its route-map, so the session never sees an empty policy in between.
        lines.AddRange(PrefixListChange(inbound, previous?.IdcPrefixes ?? [], next.IdcPrefixes));
        lines.AddRange(PrefixListChange(outbound, previous?.AnnouncedPrefixes ?? [], next.AnnouncedPrefixes));
        if (previous is null)
        {
            lines.AddRange(RouteMap(inbound));
            lines.AddRange(RouteMap(outbound));
        }

        var added = next.AnnouncedPrefixes.Where(p => !configuredNetworks.Contains(p)).ToList();
        var dropped = (previous?.AnnouncedPrefixes ?? []).Where(p => !next.AnnouncedPrefixes.Contains(p) && !networksOfOthers.Contains(p)).ToList();
        // BGP announces a `network` only while a route to it exists: a discard route that any real route
        // (connected, static, learned) beats, distance 250.
        lines.AddRange(added.Select(p => $"ip route {p} blackhole 250"));
        lines.Add(Invariant($"router bgp {router.Asn}"));
        var neighbor = next.Neighbor;
        if (!sameNeighbor)
        {
            lines.Add(Invariant($" neighbor {neighbor} remote-as {next.CustomerAsn}"));
        }

        // Each session speaks as its gateway's ASN; the customer never sees the router's own.
        if (next.CloudAsn != router.Asn)
        {
            lines.Add(Invariant($" neighbor {neighbor} local-as {next.CloudAsn} no-prepend replace-as"));
        }
        else if (sameNeighbor && previous!.CloudAsn != router.Asn)
        {
            lines.Add($" no neighbor {neighbor} local-as");
        }

        if (authKey is not null)
        {
            lines.Add($" neighbor {neighbor} password {authKey}");
        }
        else if (sameNeighbor && previous!.AuthKeySet)
        {
            lines.Add($" no neighbor {neighbor} password");
        }

        lines.Add(" address-family ipv4 unicast");
        lines.AddRange(added.Select(p => $"  network {p}"));
        lines.AddRange(dropped.Select(p => $"  no network {p}"));
        if (!sameNeighbor)
        {
            lines.Add($"  neighbor {neighbor} activate");
            // Keeps what the customer sent before the inbound filter, so the filter can be shown and changed without a reset.
            lines.Add($"  neighbor {neighbor} soft-reconfiguration inbound");
            lines.Add($"  neighbor {neighbor} route-map {inbound} in");
            lines.Add($"  neighbor {neighbor} route-map {outbound} out");
        }

        lines.Add(" exit-address-family");
        lines.Add("exit");
        lines.AddRange(dropped.Select(p => $"no ip route {p} blackhole 250"));
        return lines;
    }

    /// <summary>The lines that remove <paramref name="applied"/>: its neighbour, its policies, and the networks no other interface announces.</summary>
    public static IReadOnlyList<string> Remove(ValidRouter router, ValidPeering applied, IReadOnlySet<string> networksOfOthers)
    {
        ArgumentNullException.ThrowIfNull(router);
        ArgumentNullException.ThrowIfNull(applied);
        var dropped = applied.AnnouncedPrefixes.Where(p => !networksOfOthers.Contains(p)).ToList();
        var lines = new List<string>
        {
            Invariant($"router bgp {router.Asn}"),
            $" no neighbor {applied.Neighbor}",
        };
        if (dropped.Count > 0)
        {
            lines.Add(" address-family ipv4 unicast");
            lines.AddRange(dropped.Select(p => $"  no network {p}"));
            lines.Add(" exit-address-family");
        }

        lines.Add("exit");
        lines.AddRange(dropped.Select(p => $"no ip route {p} blackhole 250"));
        foreach (var inbound in (bool[])[true, false])
        {
            var name = Names.Policy(applied.VirtualInterfaceId, inbound);
            lines.Add($"no route-map {name}");
            // A list with no entry does not exist: deleting it would be an error.
            if ((inbound ? applied.IdcPrefixes : applied.AnnouncedPrefixes).Count > 0)
            {
                lines.Add($"no ip prefix-list {name}");
            }
        }

        return lines;
    }

    // Exact matches only: the inbound list accepts each IDC prefix itself, not its more specifics
    // (no `le 32`), so a customer cannot steer a slice of its range elsewhere than the interface declares.
    private static IEnumerable<string> PrefixListChange(string name, IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        var old = Entries(before);
        var now = Entries(after);
        foreach (var entry in old.Except(now))
        {
            yield return Invariant($"no ip prefix-list {name} seq {entry.Seq} permit {entry.Prefix}");
        }

        foreach (var entry in now.Except(old))
        {
            yield return Invariant($"ip prefix-list {name} seq {entry.Seq} permit {entry.Prefix}");
        }
    }

    private static HashSet<(int Seq, string Prefix)> Entries(IReadOnlyList<string> prefixes) =>
        [.. prefixes.Select((p, i) => ((i + 1) * 5, p))];

    private static IEnumerable<string> RouteMap(string name) =>
    [
        $"route-map {name} permit 10",
        $" match ip address prefix-list {name}",
        "exit",
    ];
}
