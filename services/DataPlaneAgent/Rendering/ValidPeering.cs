using System.Net;
using DirectConnect.Contracts.Internal.V1;
using DirectConnect.Platform.Networking;
using DirectConnect.Platform.Resources;
using static System.FormattableString;

namespace DirectConnect.DataPlaneAgent.Rendering;

/// <summary>The router as the control plane registered it, checked again here.</summary>
internal sealed record ValidRouter(string InterfaceName, long Asn)
{
    /// <summary>Checks <paramref name="router"/>; null and <paramref name="problems"/> when it is unusable.</summary>
    public static ValidRouter? Validate(RouterDesiredState.Types.Router? router, out IReadOnlyList<string> problems)
    {
        var found = new List<string>();
        problems = found;
        if (router is null)
        {
            found.Add("router: missing");
            return null;
        }

        if (!Names.IsSafeInterface(router.InterfaceName))
        {
            found.Add("router.interface_name: must be 1-15 letters, digits, '_' or '-'");
        }

        if (!DirectConnect.Platform.Networking.Asn.IsValid(router.Asn))
        {
            found.Add("router.asn: " + DirectConnect.Platform.Networking.Asn.Rule);
        }

        return found.Count == 0 ? new ValidRouter(router.InterfaceName, router.Asn) : null;
    }
}

/// <summary>
/// One virtual interface's cloud side after the agent's own checks (defence in depth: the control plane
/// validated it too). Every text here is canonical and from a closed alphabet — dotted quads, prefix
/// lengths, digits, a <c>dxvif-</c> id — so nothing in it can end a vtysh line or start another command.
/// </summary>
internal sealed record ValidPeering(
    string VirtualInterfaceId,
    int Vlan,
    string CloudAddress,
    string CustomerAddress,
    long CloudAsn,
    long CustomerAsn,
    IReadOnlyList<string> IdcPrefixes,
    IReadOnlyList<string> AnnouncedPrefixes,
    bool AuthKeySet)
{
    /// <summary>The most prefixes either list may hold (the control plane's limit of IDC prefixes, and of a gateway's VPCs).</summary>
    public const int MaxPrefixes = 100;

    /// <summary>The longest MD5 key TCP carries (TCP_MD5SIG_MAXKEYLEN).</summary>
    public const int MaxAuthKeyLength = 80;

    /// <summary>The customer router's address without its length: the BGP neighbour.</summary>
    public string Neighbor => CustomerAddress[..CustomerAddress.IndexOf('/', StringComparison.Ordinal)];

    /// <summary>One line per field, in a fixed order: what the content hash is over.</summary>
    public string Canonical() => string.Join('\n',
        VirtualInterfaceId, Invariant($"{Vlan}"), CloudAddress, CustomerAddress, Invariant($"{CloudAsn}"), Invariant($"{CustomerAsn}"),
        string.Join(',', IdcPrefixes), string.Join(',', AnnouncedPrefixes), AuthKeySet ? "key" : "no-key");

    /// <summary>
    /// Checks every field of <paramref name="peering"/>: a <c>dxvif-</c> id, VLAN 1–4094, two addresses of
    /// one subnet (canonical dotted quads with a length of 16–31), ASNs in range, and canonical, non-overlapping
    /// prefixes. Returns null with every problem when anything is off; no field is echoed.
    /// </summary>
    public static ValidPeering? Validate(Peering peering, out IReadOnlyList<string> problems)
    {
        ArgumentNullException.ThrowIfNull(peering);
        var found = new List<string>();
        problems = found;
        if (!ResourceIds.IsWellFormed(peering.VirtualInterfaceId, "dxvif-"))
        {
            found.Add("virtual_interface_id: not a virtual interface id");
        }

        if (peering.Vlan is < 1 or > 4094)
        {
            found.Add("vlan: must be 1-4094");
        }

        var cloud = InterfaceAddress(peering.CloudAddress, "cloud_address", found);
        var customer = InterfaceAddress(peering.CustomerAddress, "customer_address", found);
        if (cloud is { } c && customer is { } k)
        {
            if (c.Length != k.Length || Cidr.Containing(c.Address, c.Length).ToString() != Cidr.Containing(k.Address, k.Length).ToString())
            {
                found.Add("customer_address: not in the cloud address's subnet");
            }
            else if (c.Address.Equals(k.Address))
            {
                found.Add("customer_address: the same as the cloud address");
            }
        }

        if (!Asn.IsValid(peering.CloudAsn))
        {
            found.Add("cloud_asn: " + Asn.Rule);
        }

        if (!Asn.IsValid(peering.CustomerAsn))
        {
            found.Add("customer_asn: " + Asn.Rule);
        }

        if (peering.CloudAsn == peering.CustomerAsn)
        {
            found.Add("customer_asn: the same as cloud_asn (the session is eBGP)");
        }

        Prefixes(peering.IdcPrefixes, "idc_prefixes", 1, found);
        Prefixes(peering.AnnouncedPrefixes, "announced_prefixes", 0, found);
        return found.Count > 0 ? null : new ValidPeering(peering.VirtualInterfaceId, peering.Vlan, peering.CloudAddress, peering.CustomerAddress,
            peering.CloudAsn, peering.CustomerAsn, [.. peering.IdcPrefixes], [.. peering.AnnouncedPrefixes], peering.AuthKeySet);
    }

    /// <summary>True for a key vtysh takes as one word: 1–80 printable ASCII characters, no space.</summary>
    public static bool IsValidAuthKey(string? key) =>
        key is { Length: > 0 and <= MaxAuthKeyLength } && !key.AsSpan().ContainsAnyExceptInRange('!', '~');

    private static (IPAddress Address, int Length)? InterfaceAddress(string text, string field, List<string> found)
    {
        if (!Ipv4Syntax.TryParseAddressAndLength(text, out var address, out var length) || length is < 16 or > 31)
        {
            found.Add(field + ": must be an IPv4 address with a prefix length of 16-31, e.g. 169.254.10.1/30");
            return null;
        }

        var subnet = Cidr.Containing(address, length).Network;
        if (length < 31 && (address.Equals(subnet.Network) || address.Equals(subnet.Broadcast)))
        {
            found.Add(field + ": is its subnet's network or broadcast address");
            return null;
        }

        return (address, length);
    }

    private static void Prefixes(IReadOnlyList<string> texts, string field, int min, List<string> found)
    {
        if (texts.Count < min || texts.Count > MaxPrefixes)
        {
            found.Add(Invariant($"{field}: must hold {min}-{MaxPrefixes} prefixes"));
            return;
        }

        var parsed = new List<Cidr>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (!Cidr.TryParse(texts[i], out var cidr, out _))
            {
                found.Add(Invariant($"{field}[{i}]: not a canonical IPv4 prefix"));
            }
            else if (parsed.Any(p => p.ToString() == cidr!.ToString()))
            {
                found.Add(Invariant($"{field}[{i}]: listed twice"));
            }
            else
            {
                parsed.Add(cidr!);
            }
        }
    }
}
