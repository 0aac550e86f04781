using DirectConnect.Platform.Errors;

namespace DirectConnect.Platform.Networking;

/// <summary>
/// The IDC prefixes a virtual interface announces, as every service that handles them checks them:
/// the virtual interface when it is created, and the border gateway when it is reserved with them.
/// </summary>
public static class IdcPrefixes
{
    /// <summary>
    /// The most IDC prefixes one virtual interface announces: AWS Direct Connect's limit of routes a
    /// private virtual interface may advertise, and what keeps the pairwise overlap checks small.
    /// </summary>
    public const int Max = 100;

    /// <summary>
    /// Validates <paramref name="texts"/> at <paramref name="field"/>: the count first (1 to <see cref="Max"/>,
    /// or 0 to <see cref="Max"/> when not <paramref name="required"/>), and only within it each prefix canonical
    /// and none overlapping another. Returns the prefixes that parsed.
    /// </summary>
    public static IReadOnlyList<Cidr> Parse(RequestValidation validation, string field, IReadOnlyList<string> texts, bool required = true)
    {
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(texts);
        return validation.CheckCount(texts.Count, field, required ? 1 : 0, Max, "IPv4 prefixes")
            ? Cidr.ParseAll(validation, field, texts, Max)
            : [];
    }
}
