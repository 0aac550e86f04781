using System.Buffers;
using System.Security.Cryptography;

namespace DirectConnect.Platform.Resources;

/// <summary>Server-generated identifiers and versions of resources.</summary>
public static class ResourceIds
{
    private static readonly SearchValues<char> IdCharacters = SearchValues.Create("0123456789abcdefghijklmnopqrstuvwxyz");

    /// <summary>A new id: <paramref name="prefix"/> (e.g. <c>dxpc-</c>) and 12 random lower-case hex digits.</summary>
    public static string New(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));

    /// <summary>A new resource ETag (AIP-154): opaque, changes on every write.</summary>
    public static string NewETag() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>True when <paramref name="id"/> has <paramref name="prefix"/> and a well-formed suffix.</summary>
    public static bool IsWellFormed(string? id, string prefix) =>
        id is not null && id.Length > prefix.Length && id.Length <= prefix.Length + 32 &&
        id.StartsWith(prefix, StringComparison.Ordinal) &&
        id.AsSpan(prefix.Length).IndexOfAnyExcept(IdCharacters) < 0;
}
