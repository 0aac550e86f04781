namespace DirectConnect.VirtualInterfaces;

/// <summary>Configuration section <c>DirectConnect:VirtualInterfaces</c>.</summary>
public sealed class VirtualInterfaceOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:VirtualInterfaces";

    /// <summary>A creation still open after this long is taken for dead and rolled back (its reservations released).</summary>
    public TimeSpan AbandonAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the reconciler looks for such creations, and for second releases that are due.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// How long after a rollback its reservations are released a second time: by then any reservation
    /// call still in flight when the creation ended has landed or failed (reservation calls carry a
    /// deadline of half this).
    /// </summary>
    public TimeSpan ReleaseAgainAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Base64 AES-256 key that seals the BGP MD5 keys in the state store (see <see cref="Platform.Secrets.SecretSealer"/>).
    /// Required: the embedded default keeps one in its data directory (<c>keys/bgp-auth-key-encryption.key</c>); a
    /// deployment sets it from a Secret.
    /// </summary>
    public string? AuthKeyEncryptionKey { get; set; }

    /// <summary>How many virtual interfaces (not deleted) one account may have in one region.</summary>
    public int QuotaPerAccountPerRegion { get; set; } = 50;
}
