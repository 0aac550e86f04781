using System.Buffers;

namespace DirectConnect.DataPlaneAgent.Rendering;

/// <summary>The names the agent writes into commands, each from a closed alphabet so that no value can end a command line.</summary>
internal static class Names
{
    private static readonly SearchValues<char> InterfaceCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

    private static readonly SearchValues<char> NamespaceCharacters =
        SearchValues.Create("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.");

    /// <summary>Linux's limit on an interface name (IFNAMSIZ less the terminating NUL).</summary>
    public const int MaxInterfaceName = 15;

    /// <summary>A parent port name: letters, digits, '_' and '-' only, at most 15 characters.</summary>
    public static bool IsSafeInterface(string? name) =>
        name is { Length: > 0 and <= MaxInterfaceName } && name.AsSpan().IndexOfAnyExcept(InterfaceCharacters) < 0;

    /// <summary>A network namespace name as the agent accepts it in its configuration.</summary>
    public static bool IsSafeNamespace(string? name) =>
        name is { Length: > 0 and <= 64 } && name.AsSpan().IndexOfAnyExcept(NamespaceCharacters) < 0 && name is not ("." or "..");

    /// <summary>The sub-interface of VLAN <paramref name="vlan"/> on <paramref name="parent"/>: <c>parent.vlan</c>.</summary>
    public static string SubInterface(string parent, int vlan) => FormattableString.Invariant($"{parent}.{vlan}");

    /// <summary>The prefix-list and route-map of one virtual interface, inbound or outbound.</summary>
    public static string Policy(string virtualInterfaceId, bool inbound) => $"DX-{virtualInterfaceId}-{(inbound ? "IN" : "OUT")}";
}
