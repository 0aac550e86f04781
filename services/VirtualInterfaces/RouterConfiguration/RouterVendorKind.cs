namespace DirectConnect.VirtualInterfaces.RouterConfiguration;

/// <summary>
/// Router software a customer router configuration is written for. The values match
/// <c>directconnect.v1.RouterVendor</c>, so the API can convert by number.
/// </summary>
public enum RouterVendorKind
{
    /// <summary>FRRouting 8 or later, <c>vtysh</c> / <c>frr.conf</c> syntax.</summary>
    Frr = 1,

    /// <summary>Cisco IOS XE, global configuration mode.</summary>
    CiscoIosXe = 2,

    /// <summary>Juniper Junos OS, set-style commands.</summary>
    JuniperJunos = 3,

    /// <summary>Huawei VRP, system view.</summary>
    HuaweiVrp = 4,
}
