using System.Text;

namespace DirectConnect.VirtualInterfaces.RouterConfiguration;

/// <summary>
/// Builds configuration text line by line. Lines end in <c>\n</c> whatever the host, as the
/// API promises; callers format numbers with <see cref="FormattableString.Invariant"/>.
/// </summary>
internal sealed class ConfigurationText(string commentPrefix)
{
    private readonly StringBuilder text = new();

    /// <summary>Appends one line as is.</summary>
    public ConfigurationText Line(string line)
    {
        text.Append(line).Append('\n');
        return this;
    }

    /// <summary>Appends a comment line in the vendor's comment syntax (an empty one separates blocks).</summary>
    public ConfigurationText Comment(string comment = "") =>
        Line(comment.Length == 0 ? commentPrefix : commentPrefix + " " + comment);

    /// <inheritdoc />
    public override string ToString() => text.ToString();
}
