using static System.FormattableString;

namespace DirectConnect.VirtualInterfaces.RouterConfiguration;

/// <summary>Huawei VRP configuration, system view.</summary>
internal static class HuaweiVrpConfiguration
{
    public static string Render(ResolvedPeering p)
    {
        var neighbor = p.CloudAddress.ToString();
        var prefixList = p.PolicyName + "-OUT";
        var text = new ConfigurationText("#");
        text.Comment($"DirectConnect virtual interface {p.VirtualInterfaceId}: customer router configuration for Huawei VRP")
            .Comment("Paste after `system-view`.")
            .Comment($"{p.ParentInterface} is the port facing the DirectConnect physical connection: replace it if yours differs.")
            .Comment()
            // VRP routes IPv4 between layer-3 interfaces by default: nothing like FRR's `ip forwarding`.
            // Physical ports of many VRP devices start shut down, and a sub-interface is down with its port.
            // Left as a comment: routers have no `portswitch` command.
            .Comment("On a switch (S or CE series), also `undo portswitch` on the port: sub-interfaces need a layer-3 port.")
            .Line($"interface {p.ParentInterface}")
            .Line(" undo shutdown")
            .Line(" quit")
            .Line($"interface {p.SubInterface}")
            .Line(Invariant($" description {p.Description} VLAN {p.Vlan}"))
            .Line(Invariant($" dot1q termination vid {p.Vlan}"))
            .Line($" ip address {p.CustomerAddress} {ResolvedPeering.DottedMask(p.PrefixLength)}")
            // Dot1q termination sub-interfaces do not send ARP broadcasts on every VRP release
            // by default; without them the cloud address never resolves.
            .Line(" arp broadcast enable")
            .Line(" quit")
            .Comment()
            .Comment("BGP announces a `network` only while a route to it exists: a discard route per IDC prefix.")
            .Comment("Preference 255 puts them behind static and IGP routes to the same prefix; more specific routes still forward.");
        foreach (var prefix in p.IdcPrefixes)
        {
            // VRP ranks BGP routes at 255 by default (statics 60, OSPF 10), so 255 is the only value
            // that does not put the discard route ahead of a BGP-learned route to the same prefix.
            text.Line(Invariant($"ip route-static {prefix.Network.Network} {ResolvedPeering.DottedMask(prefix.Network.Cidr)} NULL0 preference 255"));
        }

        text.Comment()
            .Comment("Announce the IDC prefixes and nothing else.");
        for (var i = 0; i < p.IdcPrefixes.Count; i++)
        {
            var prefix = p.IdcPrefixes[i];
            text.Line(Invariant($"ip ip-prefix {prefixList} index {(i + 1) * 10} permit {prefix.Network.Network} {prefix.Network.Cidr}"));
        }

        text.Comment()
            .Line(Invariant($"bgp {p.CustomerAsn}"))
            .Line(Invariant($" peer {neighbor} as-number {p.CloudAsn}"))
            .Line($" peer {neighbor} description {p.Description}");
        if (p.AuthKey is not null)
        {
            // "cipher" makes VRP store the key encrypted; it is entered in clear here.
            text.Line($" peer {neighbor} password cipher {p.AuthKey}");
        }

        text.Line(" #")
            .Line(" ipv4-family unicast");
        foreach (var prefix in p.IdcPrefixes)
        {
            text.Line($"  network {prefix.Network.Network} {ResolvedPeering.DottedMask(prefix.Network.Cidr)}");
        }

        return text.Line($"  peer {neighbor} enable")
            .Line($"  peer {neighbor} ip-prefix {prefixList} export")
            .Line("  quit")
            .Line(" quit")
            .Comment()
            .ToString();
    }
}
