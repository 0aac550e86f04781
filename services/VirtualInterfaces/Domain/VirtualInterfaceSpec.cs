using System.Net;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Networking;
using DirectConnect.Platform.Resources;

namespace DirectConnect.VirtualInterfaces.Domain;

/// <summary>
/// What a customer asks for when creating a virtual interface, and every rule of DOMAIN.md that
/// can be checked without asking other services (those — bandwidth against the connection,
/// ASN against the gateway, prefixes against attached VPCs — are checked where the facts live).
/// </summary>
public sealed record VirtualInterfaceSpec(
    string Name,
    string Description,
    string PhysicalConnectionId,
    string BorderGatewayId,
    int Vlan,
    int BandwidthMbps,
    long CustomerAsn,
    string CloudAddress,
    string CustomerAddress,
    string AuthKey,
    IReadOnlyList<string> IdcPrefixes,
    string HostedConnectionId = "")
{
    /// <summary>The most IDC prefixes one interface announces.</summary>
    public const int MaxIdcPrefixes = Platform.Networking.IdcPrefixes.Max;

    /// <summary>The longest MD5 key (as FRR and most vendors accept).</summary>
    public const int MaxAuthKeyLength = 80;

    /// <summary>Adds every violation to <paramref name="validation"/>; returns the canonical IDC prefixes that parsed.</summary>
    public IReadOnlyList<Cidr> Validate(RequestValidation validation, string prefix)
    {
        ArgumentNullException.ThrowIfNull(validation);
        validation.RequireText(Name, prefix + "name", 64);
        validation.OptionalText(Description, prefix + "description", 256);
        // It runs over one connection: a physical connection, or a hosted connection.
        if (string.IsNullOrEmpty(HostedConnectionId))
        {
            validation.Check(ResourceIds.IsWellFormed(PhysicalConnectionId, "dxpc-"), prefix + "physical_connection_id",
                string.IsNullOrEmpty(PhysicalConnectionId) ? "is required" : "is not a physical connection id (expected dxpc-…)");
        }
        else
        {
            validation.Check(string.IsNullOrEmpty(PhysicalConnectionId), prefix + "physical_connection_id",
                "must be empty when hosted_connection_id is set: a virtual interface runs over one connection");
            validation.Check(ResourceIds.IsWellFormed(HostedConnectionId, "dxhc-"), prefix + "hosted_connection_id",
                "is not a hosted connection id (expected dxhc-…)");
        }

        validation.Check(ResourceIds.IsWellFormed(BorderGatewayId, "dxbgw-"), prefix + "border_gateway_id",
            string.IsNullOrEmpty(BorderGatewayId) ? "is required" : "is not a border gateway id (expected dxbgw-…)");
        validation.Check(Vlan is >= 1 and <= 4094, prefix + "vlan", $"must be between 1 and 4094, got {Vlan}");
        validation.Check(BandwidthMbps > 0, prefix + "bandwidth_mbps", $"must be positive, got {BandwidthMbps}");
        validation.Check(Asn.IsValid(CustomerAsn), prefix + "bgp.customer_asn", $"{Asn.Rule}, got {CustomerAsn}");
        ValidatePeerAddresses(validation, prefix + "bgp.");
        validation.Check(AuthKey.Length == 0 || (AuthKey.Length <= MaxAuthKeyLength && AuthKey.All(c => c is > ' ' and <= '~')),
            prefix + "bgp.auth_key", $"must be 1 to {MaxAuthKeyLength} printable ASCII characters without spaces"); // never echo the key
        return Platform.Networking.IdcPrefixes.Parse(validation, prefix + "idc_prefixes", IdcPrefixes);
    }

    private void ValidatePeerAddresses(RequestValidation validation, string prefix)
    {
        var cloud = ParsePeer(validation, prefix + "cloud_address", CloudAddress);
        var customer = ParsePeer(validation, prefix + "customer_address", CustomerAddress);
        if (cloud is not { } c || customer is not { } k)
        {
            return;
        }

        if (c.Length != k.Length || !c.Network.Equals(k.Network))
        {
            validation.Add(prefix + "customer_address", $"{CustomerAddress} is not in the same /{c.Length} subnet as the cloud address {CloudAddress}");
        }
        else if (c.Address.Equals(k.Address))
        {
            validation.Add(prefix + "customer_address", "must differ from the cloud address");
        }
    }

    private static (IPAddress Address, int Length, IPAddress Network)? ParsePeer(RequestValidation validation, string field, string text)
    {
        // The strict spelling only: what is stored is what was sent, and it is already canonical.
        if (!Ipv4Syntax.TryParseAddressAndLength(text, out var address, out var length))
        {
            validation.Add(field, string.IsNullOrEmpty(text) ? "is required, e.g. 169.254.10.1/30" : $"'{Shorten(text)}' is not an IPv4 address with prefix length, e.g. 169.254.10.1/30");
            return null;
        }

        if (length is not (30 or 31))
        {
            validation.Add(field, $"must be in a /30 or /31, got /{length}");
            return null;
        }

        var subnet = Cidr.Containing(address, length);
        if (length == 30 && (address.Equals(subnet.Network.Network) || address.Equals(subnet.Network.Broadcast)))
        {
            validation.Add(field, $"{address} is the {(address.Equals(subnet.Network.Network) ? "network" : "broadcast")} address of {subnet}; use one of the two host addresses");
            return null;
        }

        return (address, length, subnet.Network.Network);
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "…";
}
