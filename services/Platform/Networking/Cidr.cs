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
    /// Parses <paramref name="text"/> as an IPv4 prefix in canonical form. On failure
    /// <paramref name="error"/> says why — for host bits set, with the canonical form to use.
    /// </summary>
    public static bool TryParse(string? text, out Cidr? cidr, out string error)
    {
        cidr = null;
        error = "";
        var slash = text?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        if (text is null || slash <= 0 || text.Length > 18 ||
            !IPAddress.TryParse(text.AsSpan(0, slash), out var address) || address.AddressFamily != AddressFamily.InterNetwork ||
            text[..slash].Split('.').Length != 4 ||
            !int.TryParse(text.AsSpan(slash + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var length) ||
            length is < 0 or > 32 || !IPNetwork2.TryParse(text, out var network))
        {
            error = $"'{Shorten(text)}' is not an IPv4 prefix in CIDR notation (e.g. 10.0.0.0/16)";
            return false;
        }

        if (!network.Network.Equals(address))
        {
            error = $"'{text}' has host bits set; the prefix is {network.Network}/{network.Cidr}";
            return false;
        }

        cidr = new Cidr(network);
        return true;
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
