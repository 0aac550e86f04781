using static System.FormattableString;

namespace DirectConnect.VirtualInterfaces.RouterConfiguration;

/// <summary>FRRouting 8+ configuration in vtysh syntax (what <c>vtysh -f</c> and <c>frr.conf</c> read).</summary>
internal static class FrrConfiguration
{
    public static string Render(ResolvedPeering p)
    {
        var neighbor = p.CloudAddress.ToString();
        var text = new ConfigurationText("!");
        text.Comment($"DirectConnect virtual interface {p.VirtualInterfaceId}: customer router configuration for FRRouting 8 or later")
            // Debian's and Ubuntu's frr packages ship /etc/frr/daemons with bgpd=no; vtysh then
            // drops every `router bgp` line with no error and the session never starts.
            .Comment("bgpd must run: set `bgpd=yes` in /etc/frr/daemons and `systemctl restart frr` first,")
            .Comment("or vtysh silently drops the whole `router bgp` block below.")
            .Comment("Load with `vtysh -f <file>`, or paste into vtysh after `configure terminal`; `write memory` keeps it.")
            .Comment($"{p.ParentInterface} is the port facing the DirectConnect physical connection: replace it if yours differs.")
            .Comment()
            // zebra only addresses interfaces; the 802.1Q device itself belongs to the kernel.
            .Comment(Invariant($"FRR does not create VLAN devices. Create the 802.1Q sub-interface (VLAN {p.Vlan}) in Linux first:"))
            .Comment($"  ip link set dev {p.ParentInterface} up")
            .Comment(Invariant($"  ip link add link {p.ParentInterface} name {p.SubInterface} type vlan id {p.Vlan}"))
            .Comment($"  ip link set dev {p.SubInterface} up")
            .Comment()
            // Linux does not route between interfaces by default: the BGP session comes up, but
            // packets between the cloud and the IDC hosts behind this router are dropped here.
            .Comment("Route between the cloud and the IDC: zebra sets net.ipv4.ip_forward=1 (as `sysctl -w` would).")
            .Line("ip forwarding")
            .Comment()
            .Line($"interface {p.SubInterface}")
            .Line(Invariant($" description {p.Description} VLAN {p.Vlan}"))
            .Line(Invariant($" ip address {p.CustomerAddress}/{p.PrefixLength}"))
            .Line("exit")
            .Comment()
            .Comment("BGP announces a `network` only while a route to it exists: a discard route per IDC prefix.")
            .Comment("Distance 250 lets any real route to the same prefix win; more specific routes still forward.");
        foreach (var prefix in p.IdcPrefixes)
        {
            text.Line($"ip route {prefix} blackhole 250");
        }

        // FRR 8 refuses to exchange eBGP routes without policy (ebgp-requires-policy). Explicit
        // route maps satisfy it and keep the router from re-announcing anything else it knows.
        var prefixList = p.PolicyName + "-OUT";
        text.Comment()
            .Comment("Announce the IDC prefixes and nothing else; accept what the cloud announces.");
        for (var i = 0; i < p.IdcPrefixes.Count; i++)
        {
            text.Line(Invariant($"ip prefix-list {prefixList} seq {(i + 1) * 5} permit {p.IdcPrefixes[i]}"));
        }

        text.Comment()
            .Line($"route-map {p.PolicyName}-IN permit 10")
            .Line("exit")
            .Comment()
            .Line($"route-map {p.PolicyName}-OUT permit 10")
            .Line($" match ip address prefix-list {prefixList}")
            .Line("exit")
            .Comment()
            .Line(Invariant($"router bgp {p.CustomerAsn}"))
            .Line(Invariant($" neighbor {neighbor} remote-as {p.CloudAsn}"))
            .Line($" neighbor {neighbor} description {p.Description}");
        if (p.AuthKey is not null)
        {
            text.Line($" neighbor {neighbor} password {p.AuthKey}");
        }

        text.Line(" !")
            .Line(" address-family ipv4 unicast");
        foreach (var prefix in p.IdcPrefixes)
        {
            text.Line($"  network {prefix}");
        }

        return text.Line($"  neighbor {neighbor} activate")
            .Line($"  neighbor {neighbor} route-map {p.PolicyName}-IN in")
            .Line($"  neighbor {neighbor} route-map {p.PolicyName}-OUT out")
            .Line(" exit-address-family")
            .Line("exit")
            .Comment()
            .ToString();
    }
}
