using System.Net;
using System.Net.Sockets;
using DirectConnect.Platform.Errors;

namespace DirectConnect.Platform.Networking;

/// <summary>
/// Canonical CIDR prefixes (host bits zero), on IPNetwork2. Only IPv4 is accepted today; the type
/// holds an <see cref="IPNetwork2"/>, so IPv6 is a matter of widening <see cref="TryParse"/>.
/// </summary>
public sealed record Cidr(IPNetwork2 Network)
{
    /// <summary>The canonical text, e.g. <c>10.0.0.0/16</c>.</summary>
    public override string ToString() => $"{Network.Network}/{Network.Cidr}";

    /// <summary>True when the two prefixes share any address.</summary>
    public bool Overlaps(Cidr other) => Network.Overlap((other ?? throw new ArgumentNullException(nameof(other))).Network);

    /// <summary>
    /// Parses <paramref name="text"/> as an IPv4 prefix in canonical form (<see cref="Ipv4Syntax"/>,
    /// host bits zero), so the prefix's text is <paramref name="text"/> itself. On failure
    /// <paramref name="error"/> says why — for host bits set, with the canonical form to use.
    /// </summary>
    public static bool TryParse(string? text, out Cidr? cidr, out string error)
    {
        cidr = null;
        error = "";
        if (!Ipv4Syntax.TryParseAddressAndLength(text, out var address, out var length))
        {
            error = $"'{Shorten(text)}' is not an IPv4 prefix in CIDR notation (e.g. 10.0.0.0/16)";
            return false;
        }

        var containing = Containing(address, length);
        if (!containing.Network.Network.Equals(address))
        {
            error = $"'{text}' has host bits set; the prefix is {containing}";
            return false;
        }

        cidr = containing;
        return true;
    }

    /// <summary>The prefix of length <paramref name="length"/> (0–32) that holds the IPv4 <paramref name="address"/>, e.g. 169.254.10.1 and 30 → 169.254.10.0/30.</summary>
    public static Cidr Containing(IPAddress address, int length)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            throw new ArgumentException($"{address} is not an IPv4 address", nameof(address));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 32);
        return new Cidr(new IPNetwork2(address, (byte)length));
    }

    /// <summary>
    /// The most prefixes <see cref="ParseAll"/> looks at unless its caller allows fewer: the IDC prefixes of
    /// one virtual interface (<see cref="IdcPrefixes.Max"/>), the longest list of prefixes the API takes.
    /// </summary>
    public const int MaxListLength = IdcPrefixes.Max;

    /// <summary>
    /// Validates a list of prefixes at <paramref name="field"/>: at most <paramref name="maxCount"/> of them,
    /// each canonical, none overlapping another of the list. Adds every violation; returns the parsed
    /// prefixes that were valid. The count is checked first: a longer list is one violation and no
    /// element is looked at, so the pairwise overlap check never sees more than <paramref name="maxCount"/>.
    /// </summary>
    public static IReadOnlyList<Cidr> ParseAll(RequestValidation validation, string field, IReadOnlyList<string> texts, int maxCount = MaxListLength)
    {
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(texts);
        if (!validation.CheckCount(texts.Count, field, 0, maxCount, "IPv4 prefixes"))
        {
            return [];
        }

        var parsed = new List<Cidr>();
        for (var i = 0; i < texts.Count; i++)
        {
            if (!TryParse(texts[i], out var cidr, out var error))
            {
                validation.Add($"{field}[{i}]", error);
                continue;
            }

            if (parsed.FirstOrDefault(p => p.Overlaps(cidr!)) is { } clash)
            {
                validation.Add($"{field}[{i}]", $"{cidr} overlaps {clash}, listed before it");
                continue;
            }

            parsed.Add(cidr!);
        }

        return parsed;
    }

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 64 ? text : text[..64] + "…";
}
