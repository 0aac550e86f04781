using System.Buffers.Text;
using System.Text;

namespace DirectConnect.Platform.Paging;

/// <summary>
/// Opaque page tokens (AIP-158): the position after which the next page starts, bound to the
/// query that produced it so that a token cannot be replayed against another query.
/// </summary>
public static class PageToken
{
    /// <summary>The page size when the request gives none.</summary>
    public const int DefaultPageSize = 50;

    /// <summary>The largest page size; larger requests are clamped to it.</summary>
    public const int MaxPageSize = 1000;

    /// <summary>Encodes the position after <paramref name="lastId"/> for <paramref name="queryFingerprint"/>.</summary>
    public static string Encode(string lastId, string queryFingerprint) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"v1\n{queryFingerprint}\n{lastId}"));

    /// <summary>Encodes the position after <paramref name="position"/> of a list index (see <see cref="Coordination.ListIndex"/>) for <paramref name="queryFingerprint"/>.</summary>
    public static string EncodePosition(long position, string queryFingerprint) =>
        Encode(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{PositionMarker}{position}"), queryFingerprint);

    /// <summary>The position a decoded anchor names, when it was encoded by <see cref="EncodePosition"/>; ids never start with the marker.</summary>
    public static long? PositionOf(string anchor) =>
        anchor.StartsWith(PositionMarker) && long.TryParse(anchor.AsSpan(1), System.Globalization.NumberStyles.None,
            System.Globalization.CultureInfo.InvariantCulture, out var position) ? position : null;

    private const char PositionMarker = '@';

    /// <summary>Decodes a token; false when it is malformed or was issued for another query.</summary>
    public static bool TryDecode(string token, string queryFingerprint, out string lastId)
    {
        lastId = "";
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('\n');
            if (parts is ["v1", var fingerprint, var id] && fingerprint == queryFingerprint && id.Length > 0)
            {
                lastId = id;
                return true;
            }
        }
        catch (FormatException)
        {
        }

        return false;
    }

    /// <summary>The effective page size of a request's <paramref name="requested"/> value; null when negative.</summary>
    public static int? EffectiveSize(int requested) => requested switch
    {
        < 0 => null,
        0 => DefaultPageSize,
        > MaxPageSize => MaxPageSize,
        _ => requested,
    };
}
