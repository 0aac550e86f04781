using System.Text;
using static System.FormattableString;

namespace DirectConnect.VirtualInterfaces.RouterConfiguration;

/// <summary>Juniper Junos OS configuration as set commands (<c>load set terminal</c>).</summary>
internal static class JuniperJunosConfiguration
{
    public static string Render(ResolvedPeering p)
    {
        var neighbor = p.CloudAddress.ToString();
        var unit = Invariant($"set interfaces {p.ParentInterface} unit {p.Vlan}");
        var policy = $"set policy-options policy-statement {p.PolicyName}-OUT";
        var group = $"set protocols bgp group {p.PolicyName}";
        var text = new ConfigurationText("#");
        text.Comment($"DirectConnect virtual interface {p.VirtualInterfaceId}: customer router configuration for Juniper Junos OS")
            .Comment("In configuration mode: `load set terminal`, paste, then `commit check` and `commit`.")
            .Comment($"{p.ParentInterface} is the port facing the DirectConnect physical connection: replace it if yours differs.")
            // Junos routes IPv4 between interfaces and enables every configured interface unless
            // told `disable`: nothing like FRR's `ip forwarding` or IOS's `no shutdown` is needed.
            // SRX firewalls in flow mode are the exception: they drop what no security policy allows.
            .Comment("On an SRX (flow mode), also put the unit in a security zone allowing host-inbound BGP, with policies for the IDC traffic.")
            .Line($"set interfaces {p.ParentInterface} vlan-tagging")
            .Line(Invariant($"{unit} description \"{p.Description} VLAN {p.Vlan}\""))
            .Line(Invariant($"{unit} vlan-id {p.Vlan}"))
            .Line(Invariant($"{unit} family inet address {p.CustomerAddress}/{p.PrefixLength}"))
            .Comment(Invariant($"The router's own AS. If it already runs BGP as another AS, use `local-as {p.CustomerAsn}` in the group instead."))
            .Line(Invariant($"set routing-options autonomous-system {p.CustomerAsn}"))
            .Comment("A discard route per IDC prefix, so the export policy has an active route to announce.")
            .Comment("Preference 250 lets any real route to the same prefix win; more specific routes still forward.");
        foreach (var prefix in p.IdcPrefixes)
        {
            text.Line($"set routing-options static route {prefix} discard")
                .Line($"set routing-options static route {prefix} preference 250");
        }

        // Junos's default BGP export re-announces every active BGP route; this policy limits
        // the session to the IDC prefixes and rejects the rest.
        text.Comment("Announce the IDC prefixes and nothing else.");
        foreach (var prefix in p.IdcPrefixes)
        {
            text.Line($"{policy} term idc-prefixes from route-filter {prefix} exact");
        }

        text.Line($"{policy} term idc-prefixes then accept")
            .Line($"{policy} term others then reject")
            .Line($"{group} type external")
            .Line($"{group} description \"{p.Description}\"")
            .Line($"{group} export {p.PolicyName}-OUT")
            .Line(Invariant($"{group} neighbor {neighbor} peer-as {p.CloudAsn}"));
        if (p.AuthKey is not null)
        {
            text.Line($"{group} neighbor {neighbor} authentication-key \"{Quote(p.AuthKey)}\"");
        }

        return text.ToString();
    }

    // Inside a Junos quoted string a backslash escapes the next character; the key may hold
    // both '"' and '\', which must reach the router literally.
    private static string Quote(string value)
    {
        var quoted = new StringBuilder(value.Length + 4);
        foreach (var c in value)
        {
            if (c is '"' or '\\')
            {
                quoted.Append('\\');
            }

            quoted.Append(c);
        }

        return quoted.ToString();
    }
}
