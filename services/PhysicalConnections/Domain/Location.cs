using System.Text.RegularExpressions;
using DirectConnect.Platform.Errors;

namespace DirectConnect.PhysicalConnections.Domain;

/// <summary>A cloud access point in a region (<c>loc-…</c>), where access devices stand (operator inventory).</summary>
public sealed partial record Location
{
    /// <summary>The id prefix.</summary>
    public const string IdPrefix = "loc-";

    /// <summary>Server-generated id.</summary>
    public required string Id { get; init; }

    /// <summary>The region the location serves.</summary>
    public required string Region { get; init; }

    /// <summary>Operator code, unique in the region, e.g. <c>BJ-YZ-01</c>.</summary>
    public required string Code { get; init; }

    /// <summary>Display name.</summary>
    public required string Name { get; init; }

    /// <summary>Street address of the facility.</summary>
    public string Address { get; init; } = "";

    /// <summary>When it was added.</summary>
    public required DateTimeOffset CreateTime { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdateTime { get; init; }

    /// <summary>Resource version.</summary>
    public required string ETag { get; init; }

    /// <summary>Adds every violation of a new location's fields to <paramref name="validation"/>.</summary>
    public static void Validate(RequestValidation validation, string prefix, string code, string name, string address)
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (validation.RequireText(code, prefix + "code", 32))
        {
            validation.Check(CodePattern().IsMatch(code), prefix + "code", "must be upper-case letters, digits and '-', starting with a letter or digit");
        }

        validation.RequireText(name, prefix + "name", 64);
        validation.OptionalText(address, prefix + "address", 256);
    }

    [GeneratedRegex("^[A-Z0-9][A-Z0-9-]{0,31}$", RegexOptions.CultureInvariant)]
    private static partial Regex CodePattern();
}
