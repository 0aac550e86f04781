namespace DirectConnect.Gateway.Security;

/// <summary>
/// Configuration section <c>DirectConnect:Auth</c>. With nothing set (the embedded default) the
/// gateway signs and validates HS256 tokens with a key generated into the data directory.
/// In production set <see cref="Authority"/> (an OIDC issuer whose keys are discovered), or
/// <see cref="Issuer"/>, <see cref="Audience"/> and <see cref="SigningKey"/>.
/// </summary>
public sealed class AuthOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:Auth";

    /// <summary>The issuer of the embedded tokens.</summary>
    public const string EmbeddedIssuer = "directconnect-embedded";

    /// <summary>OIDC authority; when set, signing keys come from its discovery document.</summary>
    public string? Authority { get; set; }

    /// <summary>
    /// Fetch the authority's discovery document and keys over HTTPS only (default true). Only an authority on
    /// loopback may be plain HTTP, for development and tests; anything else stops the start.
    /// </summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    /// <summary>Expected <c>iss</c>.</summary>
    public string Issuer { get; set; } = EmbeddedIssuer;

    /// <summary>Expected <c>aud</c>.</summary>
    public string Audience { get; set; } = "directconnect";

    /// <summary>
    /// The longest a token may be valid: one that expires later than this from now, or whose
    /// <c>exp</c> − <c>iat</c> is longer, is refused; the <c>token</c> command issues none longer.
    /// </summary>
    public TimeSpan MaxTokenLifetime { get; set; } = DefaultMaxTokenLifetime;

    /// <summary>The default <see cref="MaxTokenLifetime"/>: a day.</summary>
    public static readonly TimeSpan DefaultMaxTokenLifetime = TimeSpan.FromHours(24);

    /// <summary>Base64 HS256 key (at least 32 bytes); when empty, the data directory's generated key is used.</summary>
    public string? SigningKey { get; set; }
}
