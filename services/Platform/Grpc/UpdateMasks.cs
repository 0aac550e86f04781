using DirectConnect.Platform.Errors;
using Google.Protobuf.WellKnownTypes;

namespace DirectConnect.Platform.Grpc;

/// <summary>AIP-134 update masks.</summary>
public static class UpdateMasks
{
    /// <summary>
    /// The fields an update changes: the mask's paths (<c>*</c> for every updatable field), or, with
    /// no mask, every updatable field the patch sets. A path that cannot be updated is a violation.
    /// </summary>
    public static IReadOnlySet<string> Paths(FieldMask? mask, IReadOnlyList<string> updatable, RequestValidation validation, Func<string, bool> isSet)
    {
        ArgumentNullException.ThrowIfNull(updatable);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(isSet);
        if (mask is null || mask.Paths.Count == 0)
        {
            var implied = updatable.Where(isSet).ToHashSet(StringComparer.Ordinal);
            validation.Check(implied.Count > 0, "update_mask", $"names nothing to update (updatable: {string.Join(", ", updatable)})");
            return implied;
        }

        if (mask.Paths is ["*"])
        {
            return updatable.ToHashSet(StringComparer.Ordinal);
        }

        foreach (var path in mask.Paths.Where(p => !updatable.Contains(p)))
        {
            validation.Add("update_mask", $"'{path}' cannot be updated (updatable: {string.Join(", ", updatable)})");
        }

        return mask.Paths.ToHashSet(StringComparer.Ordinal);
    }
}
