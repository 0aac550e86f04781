namespace DirectConnect.VirtualInterfaces.RouterConfiguration;

/// <summary>
/// What the customer's router needs to know about one virtual interface to bring up its BGP
/// session: the VLAN, the two peer addresses, the two ASNs, the optional MD5 key and the IDC
/// prefixes to announce.
/// </summary>
/// <param name="VirtualInterfaceId">Id of the virtual interface (<c>dxvif-…</c>); named in the configuration's header and policy names.</param>
/// <param name="Vlan">802.1Q VLAN id, 1–4094.</param>
/// <param name="CustomerAddress">Customer-side peer address with its prefix length, e.g. <c>169.254.10.2/30</c>.</param>
/// <param name="CloudAddress">Cloud-side peer address with its prefix length, e.g. <c>169.254.10.1/30</c>: the BGP neighbour.</param>
/// <param name="CustomerAsn">The customer router's own AS number.</param>
/// <param name="CloudAsn">The border gateway's AS number: the remote AS.</param>
/// <param name="AuthKey">
/// TCP MD5 key (1–80 printable ASCII characters, no spaces), or null for none. A secret: pass
/// <see cref="RouterConfigurationRenderer.AuthKeyPlaceholder"/> instead to mark where it goes
/// without revealing it.
/// </param>
/// <param name="IdcPrefixes">IDC prefixes to announce: at least one canonical IPv4 CIDR block, e.g. <c>192.168.8.0/24</c>.</param>
/// <param name="Interface">
/// Name of the customer's port facing the physical connection, the parent of the VLAN
/// sub-interface. Null: a typical name for the vendor (FRR <c>eth0</c>, IOS XE
/// <c>GigabitEthernet0/0/0</c>, Junos <c>xe-0/0/0</c>, VRP <c>GigabitEthernet0/0/1</c>) that the
/// customer replaces.
/// </param>
public sealed record RouterPeering(
    string VirtualInterfaceId,
    int Vlan,
    string CustomerAddress,
    string CloudAddress,
    long CustomerAsn,
    long CloudAsn,
    string? AuthKey,
    IReadOnlyList<string> IdcPrefixes,
    string? Interface = null)
{
    /// <summary>Leaves the key out of the record's text so that logging a peering cannot leak it.</summary>
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append(System.Globalization.CultureInfo.InvariantCulture,
            $"VirtualInterfaceId = {VirtualInterfaceId}, Vlan = {Vlan}, CustomerAddress = {CustomerAddress}, CloudAddress = {CloudAddress}, " +
            $"CustomerAsn = {CustomerAsn}, CloudAsn = {CloudAsn}, AuthKey = {(AuthKey is null ? "(none)" : "(set)")}, " +
            $"IdcPrefixes = [{string.Join(", ", IdcPrefixes ?? [])}], Interface = {Interface}");
        return true;
    }
}
