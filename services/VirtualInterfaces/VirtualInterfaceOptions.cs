namespace DirectConnect.VirtualInterfaces;

/// <summary>Configuration section <c>DirectConnect:VirtualInterfaces</c>.</summary>
public sealed class VirtualInterfaceOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:VirtualInterfaces";

    /// <summary>A creation still open after this long is taken for dead and rolled back (its reservations released).</summary>
    public TimeSpan AbandonAfter { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the reconciler looks for such creations.</summary>
    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromSeconds(15);
}
