using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace DirectConnect.Platform.Networking;

/// <summary>
/// The one spelling of IPv4 the API accepts, so that what is accepted is what is stored and shown:
/// a dotted quad of four decimal octets 0–255 without leading zeros (<c>169.254.10.1</c>), and for a
/// prefix or an interface address <c>/len</c> with len decimal 0–32 without sign or leading zeros.
/// Nothing else — no whitespace or control characters anywhere, no hex or octal octets, no short
/// forms (<c>10.1</c>). <see cref="IPAddress.TryParse(string?, out IPAddress?)"/> reads all of those,
/// which is why it is not used on request text.
/// </summary>
public static class Ipv4Syntax
{
    /// <summary>Parses a dotted quad; the result's text is <paramref name="text"/> itself.</summary>
    public static bool TryParseAddress(ReadOnlySpan<char> text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        Span<byte> octets = stackalloc byte[4];
        var i = 0;
        for (var octet = 0; octet < 4; octet++)
        {
            if (octet > 0 && (i >= text.Length || text[i++] != '.'))
            {
                return false;
            }

            if (!TryReadNumber(text, ref i, 255, out var value))
            {
                return false;
            }

            octets[octet] = (byte)value;
        }

        if (i != text.Length)
        {
            return false;
        }

        address = new IPAddress(octets);
        return true;
    }

    /// <summary>Parses <c>address/len</c> (a prefix or an interface address); the canonical text is <paramref name="text"/> itself.</summary>
    public static bool TryParseAddressAndLength(string? text, [NotNullWhen(true)] out IPAddress? address, out int length)
    {
        address = null;
        length = 0;
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (slash < 0 || !TryParseAddress(text.AsSpan(0, slash), out var parsed))
        {
            return false;
        }

        var i = slash + 1;
        if (!TryReadNumber(text, ref i, 32, out length) || i != text!.Length)
        {
            return false;
        }

        address = parsed;
        return true;
    }

    // A decimal number of 1 to 3 ASCII digits, without leading zeros, at most max; advances i past it.
    private static bool TryReadNumber(ReadOnlySpan<char> text, ref int i, int max, out int value)
    {
        value = 0;
        var start = i;
        while (i < text.Length && i - start < 3 && char.IsAsciiDigit(text[i]))
        {
            value = (value * 10) + (text[i++] - '0');
        }

        var digits = i - start;
        return digits > 0 && (digits == 1 || text[start] != '0') && value <= max &&
               (i >= text.Length || !char.IsAsciiDigit(text[i]));
    }
}
