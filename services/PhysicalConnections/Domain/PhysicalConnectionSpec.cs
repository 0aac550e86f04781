using System.Text.RegularExpressions;
using DirectConnect.Platform.Errors;

namespace DirectConnect.PhysicalConnections.Domain;

/// <summary>
/// What a customer asks for when ordering a line. <see cref="Validate"/> names every bad field at
/// once, with the request path of each (<paramref name="Prefix"/> + field).
/// </summary>
public sealed partial record PhysicalConnectionSpec(
    string Name,
    string Description,
    string LocationId,
    PortSpeed? PortSpeed,
    int BandwidthMbps,
    string Provider,
    string Partner)
{
    /// <summary>Longest name.</summary>
    public const int MaxNameLength = 64;

    /// <summary>Longest description.</summary>
    public const int MaxDescriptionLength = 256;

    /// <summary>Longest provider or partner name.</summary>
    public const int MaxProviderLength = 64;

    /// <summary>Adds every violation of this spec to <paramref name="validation"/>.</summary>
    public void Validate(RequestValidation validation, string prefix)
    {
        ArgumentNullException.ThrowIfNull(validation);
        ValidateName(validation, prefix + "name", Name);
        ValidateDescription(validation, prefix + "description", Description);
        if (validation.RequireText(LocationId, prefix + "location_id", 64))
        {
            validation.Check(LocationIdPattern().IsMatch(LocationId), prefix + "location_id",
                $"'{LocationId}' is not a location id (expected loc- followed by lower-case letters and digits)");
        }

        if (validation.Check(PortSpeed is not null, prefix + "port_speed", "is required: PORT_SPEED_1G, PORT_SPEED_10G or PORT_SPEED_100G"))
        {
            var max = PortSpeed!.Value.Mbps();
            validation.Check(BandwidthMbps is > 0 && BandwidthMbps <= max, prefix + "bandwidth_mbps",
                $"must be between 1 and {max} Mbit/s (the port speed), got {BandwidthMbps}");
        }
        else
        {
            validation.Check(BandwidthMbps > 0, prefix + "bandwidth_mbps", $"must be positive, got {BandwidthMbps}");
        }

        validation.RequireText(Provider, prefix + "provider", MaxProviderLength);
        validation.OptionalText(Partner, prefix + "partner", MaxProviderLength);
    }

    /// <summary>A name is 1–64 printable characters.</summary>
    public static void ValidateName(RequestValidation validation, string field, string? name) =>
        validation?.RequireText(name, field, MaxNameLength);

    /// <summary>A description is at most 256 characters.</summary>
    public static void ValidateDescription(RequestValidation validation, string field, string? description) =>
        validation?.OptionalText(description, field, MaxDescriptionLength);

    [GeneratedRegex("^loc-[a-z0-9]{1,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex LocationIdPattern();
}
