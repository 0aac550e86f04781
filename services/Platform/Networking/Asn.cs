namespace DirectConnect.Platform.Networking;

/// <summary>BGP autonomous system numbers (4-byte, RFC 6793).</summary>
public static class Asn
{
    /// <summary>AS_TRANS (RFC 6793): a placeholder, never a real peer's ASN.</summary>
    public const long AsTrans = 23456;

    /// <summary>The rule <see cref="IsValid"/> checks, for error messages.</summary>
    public const string Rule = "must be an ASN between 1 and 4294967294, other than 23456 (AS_TRANS)";

    /// <summary>True for a usable 4-byte ASN: 1–4294967294, not AS_TRANS.</summary>
    public static bool IsValid(long asn) => asn is >= 1 and <= 4294967294 && asn != AsTrans;
}
