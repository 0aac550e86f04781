using System.Text.RegularExpressions;

namespace DirectConnect.Platform.Idempotency;

/// <summary>
/// A client's idempotency key (AIP-155) together with the fingerprint of the request it came with,
/// so that a retry is recognised and a reuse for a different request is refused.
/// </summary>
/// <param name="Scope">The method family, e.g. <c>physical-connections/create</c>.</param>
/// <param name="AccountId">The caller's account: request ids are per account.</param>
/// <param name="Value">The client's request id.</param>
/// <param name="Fingerprint">A digest of the request without its request id.</param>
public sealed partial record RequestId(string Scope, string AccountId, string Value, string Fingerprint)
{
    /// <summary>The longest request id accepted.</summary>
    public const int MaxLength = 128;

    /// <summary>Request ids are UUIDs or similar tokens: letters, digits, '-', '_' and '.'.</summary>
    public static bool IsValid(string value) => value.Length <= MaxLength && Pattern().IsMatch(value);

    [GeneratedRegex("^[A-Za-z0-9._-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
