using DirectConnect.Platform.Text;

namespace DirectConnect.Platform.Errors;

/// <summary>
/// Collects every violation of a request before failing, so that one INVALID_ARGUMENT names all
/// the bad fields at once.
/// </summary>
public sealed class RequestValidation
{
    private readonly List<FieldViolation> _violations = [];

    /// <summary>The violations so far.</summary>
    public IReadOnlyList<FieldViolation> Violations => _violations;

    /// <summary>Records a violation of <paramref name="field"/>.</summary>
    public RequestValidation Add(string field, string description)
    {
        _violations.Add(new FieldViolation(field, description));
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

    /// <summary>Throws INVALID_ARGUMENT with every violation, if there is any.</summary>
    public void ThrowIfInvalid()
    {
        if (_violations.Count > 0)
        {
            throw DomainException.InvalidArgument(_violations.ToArray());
        }
    }
}
