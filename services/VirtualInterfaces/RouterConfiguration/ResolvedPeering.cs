using System.Buffers;
using System.Globalization;
using System.Net;
using DirectConnect.Platform.Networking;
using DirectConnect.Platform.Text;

namespace DirectConnect.VirtualInterfaces.RouterConfiguration;

/// <summary>
/// A <see cref="RouterPeering"/> checked and parsed once for every vendor. Each value ends up
/// verbatim in text a customer pastes into a router, so anything that could break out of its
/// token (a newline, a space, a quote in a name) is refused here rather than escaped per vendor.
/// </summary>
internal sealed record ResolvedPeering(
    string VirtualInterfaceId,
    int Vlan,
    string ParentInterface,
    IPAddress CustomerAddress,
    IPAddress CloudAddress,
    int PrefixLength,
    long CustomerAsn,
    long CloudAsn,
    string? AuthKey,
    IReadOnlyList<Cidr> IdcPrefixes)
{
    // Longest id that keeps "DirectConnect <id> VLAN 4094" within the shortest description
    // limit of the four vendors (Cisco's 80-character neighbour description).
    private const int MaxIdLength = 48;

    // RFC 2385 keys live in TCP_MD5SIG's 80-byte buffer on Linux, the tightest of the four.
    private const int MaxAuthKeyLength = 80;

    private static readonly SearchValues<char> IdCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_");

    /// <summary>Name of the VLAN sub-interface in the dotted form FRR (Linux), IOS XE and VRP share.</summary>
    public string SubInterface => string.Create(CultureInfo.InvariantCulture, $"{ParentInterface}.{Vlan}");

    /// <summary>Base of the names of the policy objects (prefix lists, route maps, BGP group) made for this interface.</summary>
    public string PolicyName => "DX-" + VirtualInterfaceId;

    /// <summary>Description put on the sub-interface and the BGP neighbour.</summary>
    public string Description => "DirectConnect " + VirtualInterfaceId;

    /// <summary>
    /// Checks <paramref name="peering"/> and resolves the parent interface for
    /// <paramref name="vendor"/>. Throws <see cref="ArgumentException"/> naming what is wrong;
    /// the message never contains the auth key.
    /// </summary>
    public static ResolvedPeering From(RouterVendorKind vendor, RouterPeering peering)
    {
        ArgumentNullException.ThrowIfNull(peering);
        var id = peering.VirtualInterfaceId;
        if (string.IsNullOrEmpty(id) || id.Length > MaxIdLength || id.AsSpan().IndexOfAnyExcept(IdCharacters) >= 0)
        {
            throw Invalid($"the virtual interface id must be 1–{MaxIdLength} letters, digits, '-' or '_'");
        }

        if (peering.Vlan is < 1 or > 4094)
        {
            throw Invalid(Inv($"VLAN {peering.Vlan} is outside 1–4094"));
        }

        var parent = peering.Interface ?? DefaultInterface(vendor);
        if (RouterInterfaceName.Problem(vendor, parent, peering.Vlan) is { } problem)
        {
            throw Invalid($"interface '{Printable(parent)}' {problem}");
        }

        var (customer, customerLength) = ParseInterfaceAddress(peering.CustomerAddress, "customer address");
        var (cloud, cloudLength) = ParseInterfaceAddress(peering.CloudAddress, "cloud address");
        CheckSameSubnet(customer, cloud, customerLength, cloudLength);

        CheckAsn(peering.CustomerAsn, "customer ASN");
        CheckAsn(peering.CloudAsn, "cloud ASN");
        if (peering.CustomerAsn == peering.CloudAsn)
        {
            throw Invalid("the customer and cloud ASNs are equal; the session is eBGP and needs two different ASNs");
        }

        CheckAuthKey(peering.AuthKey);

        if (peering.IdcPrefixes is null || peering.IdcPrefixes.Count == 0)
        {
            throw Invalid("at least one IDC prefix is needed: a session announcing nothing carries no traffic");
        }

        var prefixes = new List<Cidr>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var text in peering.IdcPrefixes)
        {
            if (!Cidr.TryParse(text, out var cidr, out var error))
            {
                throw Invalid("IDC prefix " + Printable(error));
            }

            // A repeat would only duplicate lines; drop it rather than refuse the whole peering.
            if (seen.Add(cidr!.ToString()))
            {
                prefixes.Add(cidr);
            }
        }

        return new ResolvedPeering(id, peering.Vlan, parent, customer, cloud, customerLength,
            peering.CustomerAsn, peering.CloudAsn, peering.AuthKey, prefixes);
    }

    /// <summary>The placeholder parent interface of <paramref name="vendor"/>: a common name for its first port.</summary>
    public static string DefaultInterface(RouterVendorKind vendor) => vendor switch
    {
        RouterVendorKind.Frr => "eth0",
        RouterVendorKind.CiscoIosXe => "GigabitEthernet0/0/0",
        RouterVendorKind.JuniperJunos => "xe-0/0/0",
        RouterVendorKind.HuaweiVrp => "GigabitEthernet0/0/1",
        _ => throw new ArgumentOutOfRangeException(nameof(vendor), vendor, "unknown router vendor"),
    };

    /// <summary>The dotted-quad netmask of a prefix length, e.g. 30 → 255.255.255.252, for IOS XE and VRP.</summary>
    public static string DottedMask(int prefixLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(prefixLength);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(prefixLength, 32);
        // Shifting a 32-bit value by 32 is a no-op in C#, so /0 is special-cased.
        var mask = prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength);
        return Inv($"{mask >> 24}.{(mask >> 16) & 0xFF}.{(mask >> 8) & 0xFF}.{mask & 0xFF}");
    }

    private static (IPAddress Address, int Length) ParseInterfaceAddress(string? text, string what)
    {
        // Only the canonical dotted quad goes to a router: IPAddress would also read "10.1" and "010.0.0.1".
        if (!Ipv4Syntax.TryParseAddressAndLength(text, out var address, out var length) || length is < 1 or > 31)
        {
            throw Invalid($"the {what} '{Printable(text)}' is not an IPv4 address with a prefix length of 1–31, e.g. 169.254.10.2/30");
        }

        return (address, length);
    }

    private static void CheckSameSubnet(IPAddress customer, IPAddress cloud, int customerLength, int cloudLength)
    {
        if (customerLength != cloudLength)
        {
            throw Invalid(Inv($"the customer and cloud addresses have different prefix lengths (/{customerLength}, /{cloudLength})"));
        }

        var mask = uint.MaxValue << (32 - customerLength);
        var customerBits = ToUInt32(customer);
        var cloudBits = ToUInt32(cloud);
        if ((customerBits & mask) != (cloudBits & mask))
        {
            throw Invalid($"the customer address {customer} and the cloud address {cloud} are not in the same /{customerLength.ToString(CultureInfo.InvariantCulture)} subnet");
        }

        if (customerBits == cloudBits)
        {
            throw Invalid($"the customer and cloud addresses are both {customer}");
        }

        // On /31 (RFC 3021) both addresses are hosts; on anything shorter the all-zeros and
        // all-ones host parts are the subnet and broadcast addresses, which a router refuses.
        if (customerLength <= 30)
        {
            foreach (var (bits, address) in new[] { (customerBits, customer), (cloudBits, cloud) })
            {
                if ((bits & ~mask) == 0 || (bits & ~mask) == ~mask)
                {
                    throw Invalid($"{address}/{customerLength.ToString(CultureInfo.InvariantCulture)} is the subnet or broadcast address, not a host");
                }
            }
        }
    }

    private static void CheckAsn(long asn, string what)
    {
        // 4-byte ASNs in plain notation; 4294967295 is reserved (RFC 7300).
        if (asn is < 1 or > 4_294_967_294)
        {
            throw Invalid(Inv($"the {what} {asn} is outside 1–4294967294"));
        }
    }

    private static void CheckAuthKey(string? key)
    {
        if (key is null)
        {
            return;
        }

        // The message must not quote the key: it is a secret and exceptions get logged.
        if (key.Length is 0 or > MaxAuthKeyLength || key.AsSpan().ContainsAnyExceptInRange('!', '~'))
        {
            throw Invalid($"the auth key must be 1–{MaxAuthKeyLength} printable ASCII characters without spaces");
        }
    }

    private static ArgumentException Invalid(string message) => new(message);

    private static string Inv(FormattableString text) => FormattableString.Invariant(text);

    private static uint ToUInt32(IPAddress address)
    {
        var bytes = address.GetAddressBytes();
        return ((uint)bytes[0] << 24) | ((uint)bytes[1] << 16) | ((uint)bytes[2] << 8) | bytes[3];
    }

    // Echoes caller text into a message with unsafe characters escaped and length capped, so a
    // malformed value cannot forge extra log lines.
    private static string Printable(string? text) =>
        text is null ? "" : UnsafeCharacters.Escape(text.Length <= 64 ? text : text[..64] + "…");
}
