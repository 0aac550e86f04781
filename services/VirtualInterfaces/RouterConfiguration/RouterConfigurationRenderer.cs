using DirectConnect.Platform.Errors;

namespace DirectConnect.VirtualInterfaces.RouterConfiguration;

/// <summary>
/// Writes the configuration a customer's router needs for one virtual interface: the 802.1Q
/// sub-interface with the customer-side address, and an eBGP session to the cloud-side
/// address that announces the IDC prefixes and nothing else.
/// </summary>
/// <remarks>
/// Pure text generation: nothing is logged. The auth key, when given, is written where the
/// vendor expects it; callers that must not reveal it pass <see cref="AuthKeyPlaceholder"/>.
/// </remarks>
public static class RouterConfigurationRenderer
{
    /// <summary>
    /// Stands in for a key that exists but must not be shown (the API never returns a key).
    /// Valid key syntax for every vendor, so the configuration still loads, and obvious enough
    /// that a session failing authentication points at it.
    /// </summary>
    public const string AuthKeyPlaceholder = "REPLACE-WITH-BGP-MD5-KEY";

    /// <summary>
    /// The configuration for <paramref name="peering"/> in <paramref name="vendor"/>'s syntax,
    /// lines separated by <c>\n</c>, starting with a comment naming the virtual interface.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="vendor"/> is not a known vendor.</exception>
    /// <exception cref="ArgumentException">
    /// A value of <paramref name="peering"/> cannot be configured (e.g. VLAN outside 1–4094,
    /// addresses not in one subnet); the message says which, and never contains the key.
    /// </exception>
    public static string Render(RouterVendorKind vendor, RouterPeering peering)
    {
        var resolved = ResolvedPeering.From(vendor, peering);
        return vendor switch
        {
            RouterVendorKind.Frr => FrrConfiguration.Render(resolved),
            RouterVendorKind.CiscoIosXe => CiscoIosXeConfiguration.Render(resolved),
            RouterVendorKind.JuniperJunos => JuniperJunosConfiguration.Render(resolved),
            RouterVendorKind.HuaweiVrp => HuaweiVrpConfiguration.Render(resolved),
            _ => throw new ArgumentOutOfRangeException(nameof(vendor), vendor, "unknown router vendor"),
        };
    }

    /// <summary>
    /// <see cref="Render"/> for a stored virtual interface. A value the renderer refuses there (one
    /// stored before validation was strict, e.g. an address with a trailing newline) is a fact about
    /// the interface, not a fault of the server: FAILED_PRECONDITION with reason
    /// <c>ROUTER_CONFIGURATION_UNAVAILABLE</c> saying which value, never INTERNAL.
    /// </summary>
    public static string RenderStored(RouterVendorKind vendor, RouterPeering peering)
    {
        ArgumentNullException.ThrowIfNull(peering);
        try
        {
            return Render(vendor, peering);
        }
        catch (ArgumentException exception) when (exception is not ArgumentOutOfRangeException)
        {
            throw new DomainException(ErrorCode.FailedPrecondition, "ROUTER_CONFIGURATION_UNAVAILABLE",
                $"The router configuration of '{peering.VirtualInterfaceId}' cannot be rendered: {exception.Message}.")
            {
                Resource = new ResourceReference("VirtualInterface", peering.VirtualInterfaceId),
                PreconditionViolations = [new PreconditionViolation("STORED_VALUE", "VirtualInterface/" + peering.VirtualInterfaceId, exception.Message)],
            };
        }
    }
}
