using static System.FormattableString;

namespace DirectConnect.VirtualInterfaces.RouterConfiguration;

/// <summary>Cisco IOS XE configuration, global configuration mode.</summary>
internal static class CiscoIosXeConfiguration
{
    public static string Render(ResolvedPeering p)
    {
        var neighbor = p.CloudAddress.ToString();
        var prefixList = p.PolicyName + "-OUT";
        var text = new ConfigurationText("!");
        text.Comment($"DirectConnect virtual interface {p.VirtualInterfaceId}: customer router configuration for Cisco IOS XE")
            .Comment("Paste after `configure terminal`.")
            .Comment($"{p.ParentInterface} is the port facing the DirectConnect physical connection: replace it if yours differs.")
            .Comment()
            // Routers running IOS XE route by default, but Catalyst switches running it do not
            // (`no ip routing` is their default); without it the IDC is unreachable through them.
            .Comment("Route between the cloud and the IDC (the default on routers, not on Catalyst switches).")
            .Line("ip routing")
            .Comment()
            // A port that was never configured, or was shut, is administratively down, and every
            // sub-interface on it with it.
            // Left as a comment: routers refuse `no switchport` on their routed ports.
            .Comment("On a Catalyst switch, also `no switchport` on the port: sub-interfaces need a routed port.")
            .Line($"interface {p.ParentInterface}")
            .Line(" no shutdown")
            .Line("exit")
            .Line($"interface {p.SubInterface}")
            .Line(Invariant($" description {p.Description} VLAN {p.Vlan}"))
            .Line(Invariant($" encapsulation dot1Q {p.Vlan}"))
            .Line($" ip address {p.CustomerAddress} {ResolvedPeering.DottedMask(p.PrefixLength)}")
            .Line("exit")
            .Comment()
            .Comment("BGP announces a `network` only while a route to it exists: a discard route per IDC prefix.")
            .Comment("Distance 250 lets any real route to the same prefix win; more specific routes still forward.");
        foreach (var prefix in p.IdcPrefixes)
        {
            text.Line(Invariant($"ip route {prefix.Network.Network} {ResolvedPeering.DottedMask(prefix.Network.Cidr)} Null0 250"));
        }

        text.Comment()
            .Comment("Announce the IDC prefixes and nothing else.");
        for (var i = 0; i < p.IdcPrefixes.Count; i++)
        {
            text.Line(Invariant($"ip prefix-list {prefixList} seq {(i + 1) * 5} permit {p.IdcPrefixes[i]}"));
        }

        text.Comment()
            .Line(Invariant($"router bgp {p.CustomerAsn}"))
            .Line(Invariant($" neighbor {neighbor} remote-as {p.CloudAsn}"))
            .Line($" neighbor {neighbor} description {p.Description}");
        if (p.AuthKey is not null)
        {
            if (p.AuthKey.Contains('?', StringComparison.Ordinal))
            {
                // Typed or pasted, '?' asks the IOS parser for help instead of entering the character.
                text.Line(" ! The key contains '?': type Ctrl-V before each '?' or the CLI shows help instead.");
            }

            // Encryption type 0 says the key follows in clear; without it a key starting with a
            // digit would be read as the encryption type.
            text.Line($" neighbor {neighbor} password 0 {p.AuthKey}");
        }

        text.Line(" !")
            .Line(" address-family ipv4");
        foreach (var prefix in p.IdcPrefixes)
        {
            text.Line($"  network {prefix.Network.Network} mask {ResolvedPeering.DottedMask(prefix.Network.Cidr)}");
        }

        return text.Line($"  neighbor {neighbor} activate")
            .Line($"  neighbor {neighbor} prefix-list {prefixList} out")
            .Line(" exit-address-family")
            .Line("exit")
            .Comment()
            .Line("end")
            .ToString();
    }
}
