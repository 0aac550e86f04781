using DirectConnect.Platform.Errors;
using Microsoft.Extensions.Options;

namespace DirectConnect.Platform.Resources;

/// <summary>The regions this deployment serves (configuration <c>DirectConnect:Regions</c>).</summary>
public sealed class RegionOptions
{
    /// <summary>Region codes; the embedded default serves three example regions.</summary>
    public IList<string> Regions { get; } = new List<string>();
}

/// <summary>Checks region codes against the configured regions.</summary>
public sealed class RegionCatalog(IOptions<RegionOptions> options)
{
    /// <summary>Regions served when configuration names none.</summary>
    public static readonly IReadOnlyList<string> DefaultRegions = ["cn-north-1", "cn-east-2", "cn-south-1"];

    private readonly IReadOnlyList<string> _regions = options.Value.Regions.Count > 0 ? [.. options.Value.Regions] : DefaultRegions;

    /// <summary>The served regions.</summary>
    public IReadOnlyList<string> Regions => _regions;

    /// <summary>Adds a violation of <paramref name="field"/> unless <paramref name="region"/> is served.</summary>
    public bool Validate(RequestValidation validation, string? region, string field = "region")
    {
        ArgumentNullException.ThrowIfNull(validation);
        if (string.IsNullOrEmpty(region))
        {
            return validation.Check(false, field, "is required");
        }

        return validation.Check(_regions.Contains(region, StringComparer.Ordinal), field,
            $"'{Truncate(region)}' is not a region of this deployment (known: {string.Join(", ", _regions)})");
    }

    /// <summary>Validates the address of a resource: its region and its id (<paramref name="prefix"/>…, named <paramref name="noun"/> in the message).</summary>
    public RequestValidation ValidateAddress(RequestValidation validation, string region, string id, string prefix, string noun)
    {
        ArgumentNullException.ThrowIfNull(validation);
        Validate(validation, region);
        validation.Check(ResourceIds.IsWellFormed(id, prefix), "id", string.IsNullOrEmpty(id) ? "is required" : $"is not {noun} id (expected {prefix}…)");
        return validation;
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
