using System.Buffers;
using System.Globalization;

namespace DirectConnect.VirtualInterfaces.RouterConfiguration;

/// <summary>
/// Which names a customer may give as the parent interface of the VLAN sub-interface. The name
/// is written verbatim into configuration the customer pastes into a router, so only the few
/// characters real port names use are accepted: nothing that ends a token, a line or a command
/// in any vendor's CLI (space, newline, <c>!</c>, <c>#</c>, <c>;</c>, quotes, …) can get through.
/// </summary>
public static class RouterInterfaceName
{
    /// <summary>Longest name accepted for the network operating systems (IOS XE, Junos, VRP), whose port names are far shorter.</summary>
    public const int MaxLength = 64;

    /// <summary>Linux device names are at most 15 bytes (IFNAMSIZ 16 with the NUL).</summary>
    public const int MaxLinuxLength = 15;

    private const string LettersAndDigits = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    // Linux refuses '/', ':' and white space in a device name (dev_valid_name); of the rest only
    // these are kept, which covers eth0, enp3s0f1, bond0, br-lan, eth0.5.
    private static readonly SearchValues<char> Linux = SearchValues.Create(LettersAndDigits + "._-");

    // GigabitEthernet0/0/1, TenGigabitEthernet1/0/1, Port-channel1; xe-0/0/0, ge-1/0/0:2, ae0;
    // GigabitEthernet0/0/1, Eth-Trunk1, 100GE1/0/1. No '.': the parent of a sub-interface is not
    // itself a sub-interface on these systems, and Junos writes the unit separately.
    private static readonly SearchValues<char> NetworkOs = SearchValues.Create(LettersAndDigits + "/:-");

    /// <summary>
    /// Why <paramref name="name"/> cannot be the parent interface for <paramref name="vendor"/>,
    /// or null when it can. With <paramref name="vlan"/>, also checks the sub-interface name it
    /// makes (FRR: <c>&lt;name&gt;.&lt;vlan&gt;</c> must fit a Linux device name). The reason
    /// never quotes a refused name, so it is safe to log and to return.
    /// </summary>
    public static string? Problem(RouterVendorKind vendor, string name, int? vlan = null)
    {
        ArgumentNullException.ThrowIfNull(name);
        switch (vendor)
        {
            case RouterVendorKind.Frr:
                if (name.Length is 0 or > MaxLinuxLength || !char.IsAsciiLetter(name[0]) || name.AsSpan().IndexOfAnyExcept(Linux) >= 0)
                {
                    return $"is not a Linux interface name: 1–{MaxLinuxLength} letters, digits, '.', '_' or '-', starting with a letter (e.g. eth1, enp3s0f1)";
                }

                // The FRR configuration tells the customer to create <name>.<vlan> with `ip link`,
                // which Linux refuses beyond 15 characters.
                var subInterface = vlan is null ? null : string.Create(CultureInfo.InvariantCulture, $"{name}.{vlan}");
                if (subInterface is not null && subInterface.Length > MaxLinuxLength)
                {
                    return string.Create(CultureInfo.InvariantCulture,
                        $"makes the VLAN sub-interface '{subInterface}', {subInterface.Length} characters: Linux allows at most {MaxLinuxLength} in a device name");
                }

                return null;
            case RouterVendorKind.CiscoIosXe:
                return NetworkOsProblem(name, "an IOS XE", "GigabitEthernet0/0/1", letterFirst: true);
            case RouterVendorKind.JuniperJunos:
                return NetworkOsProblem(name, "a Junos", "xe-0/0/0", letterFirst: true);
            case RouterVendorKind.HuaweiVrp:
                // VRP names some ports by speed: 100GE1/0/1, 25GE1/0/1.
                return NetworkOsProblem(name, "a VRP", "GigabitEthernet0/0/1", letterFirst: false);
            default:
                throw new ArgumentOutOfRangeException(nameof(vendor), vendor, "unknown router vendor");
        }
    }

    private static string? NetworkOsProblem(string name, string system, string example, bool letterFirst) =>
        name.Length is 0 or > MaxLength || !(letterFirst ? char.IsAsciiLetter(name[0]) : char.IsAsciiLetterOrDigit(name[0]))
            || name.AsSpan().IndexOfAnyExcept(NetworkOs) >= 0
            ? $"is not {system} interface name: 1–{MaxLength} letters, digits, '/', ':' or '-'{(letterFirst ? ", starting with a letter" : "")} (e.g. {example})"
            : null;
}
