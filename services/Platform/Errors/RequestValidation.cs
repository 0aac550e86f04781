using System.Text.RegularExpressions;
using DirectConnect.Platform.Text;

namespace DirectConnect.Platform.Errors;

/// <summary>
/// Collects every violation of a request before failing, so that one INVALID_ARGUMENT names all
/// the bad fields at once. The list is bounded whatever the input: after <see cref="MaxListed"/>
/// violations only a field not named yet is still listed (fields come from the schema, so they
/// are few), the rest are counted, and one final violation says how many were left out.
/// </summary>
public sealed partial class RequestValidation
{
    /// <summary>The most violations listed before only new fields are.</summary>
    public const int MaxListed = 100;

    private readonly List<FieldViolation> _violations = [];
    private HashSet<string>? _namedFields;
    private int _omitted;

    /// <summary>The violations so far (bounded: see <see cref="MaxListed"/>).</summary>
    public IReadOnlyList<FieldViolation> Violations => _violations;

    /// <summary>How many violations were counted but not listed.</summary>
    public int Omitted => _omitted;

    /// <summary>Records a violation of <paramref name="field"/>.</summary>
    public RequestValidation Add(string field, string description)
    {
        ArgumentNullException.ThrowIfNull(field);
        if (_violations.Count < MaxListed)
        {
            _violations.Add(new FieldViolation(field, description));
            return this;
        }

        // Over the cap, a list element's index does not make a new field: cidr_blocks[7] is cidr_blocks.
        _namedFields ??= _violations.Select(v => FieldOf(v.Field)).ToHashSet(StringComparer.Ordinal);
        if (_namedFields.Add(FieldOf(field)))
        {
            _violations.Add(new FieldViolation(field, description));
        }
        else
        {
            _omitted++;
        }

        return this;
    }

    /// <summary>Records a violation when <paramref name="condition"/> is false; returns the condition.</summary>
    public bool Check(bool condition, string field, string description)
    {
        if (!condition)
        {
            Add(field, description);
        }

        return condition;
    }

    /// <summary>
    /// Requires a non-blank string of at most <paramref name="maxLength"/> characters, none of them
    /// unsafe (<see cref="UnsafeCharacters"/>: no control, format or separator characters).
    /// </summary>
    public bool RequireText(string? value, string field, int maxLength) =>
        Check(!string.IsNullOrWhiteSpace(value), field, "is required") &&
        Check(value!.Length <= maxLength, field, $"must be at most {maxLength} characters") &&
        SafeText(value, field);

    /// <summary>Accepts an empty string, or text of at most <paramref name="maxLength"/> characters as <see cref="RequireText"/> does.</summary>
    public bool OptionalText(string? value, string field, int maxLength) =>
        string.IsNullOrEmpty(value) ||
        (Check(value.Length <= maxLength, field, $"must be at most {maxLength} characters") && SafeText(value, field));

    // Typed text ends up in responses, events, router configurations and the LOA: a character that
    // changes how the rest reads (a bidi override, a line break) is refused, naming its code point.
    private bool SafeText(string value, string field) =>
        UnsafeCharacters.FindFirst(value) is not { } found || Check(false, field, $"contains {found}, which is not allowed");

    /// <summary>
    /// Requires a list of <paramref name="minCount"/> to <paramref name="maxCount"/> elements at <paramref name="field"/>.
    /// Call it before looking at any element, and skip them when it fails: a request's work stays bounded by the maximum.
    /// </summary>
    public bool CheckCount(int count, string field, int minCount, int maxCount, string elements) =>
        Check(count >= minCount && count <= maxCount, field,
            minCount > 0 ? $"must list at least {minCount} and at most {maxCount} {elements}, got {count}" : $"must list at most {maxCount} {elements}, got {count}");

    /// <summary>Throws INVALID_ARGUMENT with every violation, if there is any.</summary>
    public void ThrowIfInvalid()
    {
        if (_violations.Count > 0)
        {
            throw DomainException.InvalidArgument(_violations.ToArray(), _omitted);
        }
    }

    private static string FieldOf(string field) => field.Contains('[', StringComparison.Ordinal) ? IndexPattern().Replace(field, "") : field;

    [GeneratedRegex(@"\[\d+\]", RegexOptions.CultureInvariant)]
    private static partial Regex IndexPattern();
}
