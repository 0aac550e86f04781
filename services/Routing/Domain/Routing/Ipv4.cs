using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using DirectConnect.Platform.Networking;

namespace DirectConnect.Routing.Domain.Routing;

/// <summary>
/// The one place that knows IPv4's width and byte order. The structures of this folder are
/// generic over the address integer (<see cref="uint"/> here); IPv6 is a sibling of this class on
/// <see cref="UInt128"/> plus a dispatch on the address family, not a rewrite.
/// </summary>
internal static class Ipv4
{
    /// <summary>Address width in bits.</summary>
    public const int Bits = 32;

    /// <summary>The address as a big-endian integer; false when it is not IPv4.</summary>
    public static bool TryRead(IPAddress address, out uint value)
    {
        ArgumentNullException.ThrowIfNull(address);
        value = 0;
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        // TryWriteBytes into the stack: IPAddress.Address is obsolete and GetAddressBytes allocates on every lookup.
        Span<byte> bytes = stackalloc byte[4];
        if (!address.TryWriteBytes(bytes, out _))
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return true;
    }

    /// <summary>The network address and length of <paramref name="prefix"/>; throws for a non-IPv4 prefix.</summary>
    public static (uint Network, int Length) Read(Cidr prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        if (!TryRead(prefix.Network.Network, out var network))
        {
            throw new ArgumentException($"{prefix} is not an IPv4 prefix; only IPv4 is routed today", nameof(prefix));
        }

        return (network, prefix.Network.Cidr);
    }

    /// <summary>The first and last address of <paramref name="prefix"/>, as a closed interval.</summary>
    public static (uint First, uint Last) Interval(Cidr prefix)
    {
        var (network, length) = Read(prefix);
        return (network, network | ~Mask(length));
    }

    /// <summary>The netmask of a prefix length (0 for /0: a shift by 32 would be a shift by 0 in C#).</summary>
    public static uint Mask(int length) => length == 0 ? 0u : uint.MaxValue << (Bits - length);
}
