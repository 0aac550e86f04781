using DirectConnect.Platform.Errors;
using Google.Protobuf.WellKnownTypes;

namespace DirectConnect.Platform.Grpc;

/// <summary>AIP-134 update masks.</summary>
public static class UpdateMasks
{
    /// <summary>
    /// The most paths a mask may name. No resource has half as many updatable fields, so a longer
    /// mask can only repeat or misname them; the bound keeps the per-path checks of one request small.
    /// </summary>
    public const int MaxPaths = 16;

    /// <summary>
    /// The fields an update changes: the mask's paths (<c>*</c> for every updatable field), or, with
    /// no mask, every updatable field the patch sets. A path that cannot be updated is a violation;
    /// a mask of more than <see cref="MaxPaths"/> paths is one violation, and none of its paths is looked at.
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

        if (!validation.CheckCount(mask.Paths.Count, "update_mask", 0, MaxPaths, "paths"))
        {
            return new HashSet<string>(StringComparer.Ordinal);
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
