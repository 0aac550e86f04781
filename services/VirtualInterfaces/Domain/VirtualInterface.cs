using DirectConnect.Platform.Tenancy;
namespace DirectConnect.VirtualInterfaces.Domain;

/// <summary>Where a virtual interface is in its life.</summary>
public enum VirtualInterfaceState
{
    /// <summary>Created; its reservations are held and it is being brought up.</summary>
    Configuring = 1,
    /// <summary>In service.</summary>
    Available = 2,
    /// <summary>Deleted (tombstone); its reservations are released through the deletion event.</summary>
    Deleted = 3,
}

/// <summary>The BGP session of a virtual interface.</summary>
/// <param name="CustomerAsn">The customer's ASN.</param>
/// <param name="CloudAsn">The border gateway's ASN.</param>
/// <param name="CloudAddress">Cloud-side address with prefix length, e.g. <c>169.254.10.1/30</c>.</param>
/// <param name="CustomerAddress">Customer-side address with prefix length.</param>
/// <param name="SealedAuthKey">The MD5 key, if any, sealed (AES-GCM, see <c>SecretSealer</c>): never stored, returned nor logged in clear;
/// only the router's agent gets it, unsealed, through the internal API.</param>
public sealed record BgpPeering(long CustomerAsn, long CloudAsn, string CloudAddress, string CustomerAddress, string? SealedAuthKey);

/// <summary>
/// A private virtual interface (<c>dxvif-…</c>): a VLAN with a BGP session over a physical
/// connection, attached to a border gateway. It holds reservations on both before it exists.
/// </summary>
public sealed record VirtualInterface : IAccountResource
{
    /// <summary>The id prefix.</summary>
    public const string IdPrefix = "dxvif-";

    /// <summary>Server-generated id.</summary>
    public required string Id { get; init; }

    /// <summary>The owning account.</summary>
    public required string AccountId { get; init; }

    /// <summary>The region.</summary>
    public required string Region { get; init; }

    /// <summary>Name.</summary>
    public required string Name { get; init; }

    /// <summary>Free text.</summary>
    public string Description { get; init; } = "";

    /// <summary>The physical connection it runs over; empty when a hosted connection carries it.</summary>
    public required string PhysicalConnectionId { get; init; }

    /// <summary>The hosted connection it runs over, instead of a physical connection; empty otherwise.</summary>
    public string HostedConnectionId { get; init; } = "";

    /// <summary>Whatever carries it: its hosted connection if it has one, else its physical connection.</summary>
    public string ConnectionId => HostedConnectionId.Length > 0 ? HostedConnectionId : PhysicalConnectionId;

    /// <summary>The border gateway it attaches to.</summary>
    public required string BorderGatewayId { get; init; }

    /// <summary>802.1Q VLAN id, unique on the physical connection.</summary>
    public required int Vlan { get; init; }

    /// <summary>Bandwidth in Mbit/s, at most the connection's.</summary>
    public required int BandwidthMbps { get; init; }

    /// <summary>The BGP session.</summary>
    public required BgpPeering Bgp { get; init; }

    /// <summary>IDC prefixes the customer announces (canonical CIDRs).</summary>
    public required IReadOnlyList<string> IdcPrefixes { get; init; }

    /// <summary>The state.</summary>
    public required VirtualInterfaceState State { get; init; }

    /// <summary>True when a data plane last reported the BGP session up.</summary>
    public bool BgpUp { get; init; }

    /// <summary>The router its gateway is placed on (<c>rtr-…</c>), whose agent configures it; null when none.</summary>
    public string? RouterId { get; init; }

    /// <summary>The CIDR blocks of the VPCs attached to its gateway, as last read: what its session announces.</summary>
    public IReadOnlyList<string> AnnouncedPrefixes { get; init; } = [];

    /// <summary>What the router's agent last reported; null before any report.</summary>
    public DataPlaneStatus? DataPlane { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreateTime { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdateTime { get; init; }

    /// <summary>Resource version.</summary>
    public required string ETag { get; init; }

    /// <summary>True once deleted.</summary>
    public bool IsDeleted => State == VirtualInterfaceState.Deleted;
}

/// <summary>
/// A creation in progress: written before the reservations are taken, by the one attempt that owns
/// the id, and removed in the same transaction that creates the interface — or that rolls the
/// creation back. One left behind means the creation died in between; the reconciler rolls it back.
/// </summary>
public sealed record CreationIntent(string VirtualInterfaceId, string AccountId, string Region, string PhysicalConnectionId,
    string BorderGatewayId, DateTimeOffset StartedAt)
{
    /// <summary>The hosted connection reserved instead of a physical connection (then <see cref="PhysicalConnectionId"/> is empty).</summary>
    public string HostedConnectionId { get; init; } = "";
}

/// <summary>
/// The tombstone of a creation that was rolled back before its interface existed: the id is never
/// used again (a retry of the same request gets another), and its reservations are released once
/// at once and once more at <see cref="ReleaseAgainAt"/>, when any reservation still in flight when
/// the creation ended must have landed.
/// </summary>
public sealed record AbandonedCreation(string VirtualInterfaceId, string AccountId, string Region, string PhysicalConnectionId,
    string BorderGatewayId, string Reason, DateTimeOffset AbandonedAt, DateTimeOffset ReleaseAgainAt)
{
    /// <summary>The hosted connection that was being reserved instead of a physical connection.</summary>
    public string HostedConnectionId { get; init; } = "";
}

/// <summary>How many virtual interfaces (not deleted) an account holds in a region: what the quota counts.</summary>
public sealed record VirtualInterfaceUsage(int Interfaces);

/// <summary>
/// What a border-gateway agent observed for one virtual interface on its router.
/// </summary>
/// <param name="Position">The router feed position of the desired state the report is about.</param>
/// <param name="Applied">Whether the configuration is on the router.</param>
/// <param name="ApplyError">Why it could not be applied; empty otherwise.</param>
/// <param name="BgpState">FRR's name for the session state.</param>
/// <param name="LastError">The session's last error; empty when none is known.</param>
/// <param name="ReceivedPrefixes">Prefixes received from the customer and accepted.</param>
/// <param name="AdvertisedPrefixes">Prefixes announced to the customer.</param>
/// <param name="ObservedAt">When the agent observed it.</param>
public sealed record DataPlaneStatus(long Position, bool Applied, string ApplyError, string BgpState, string LastError,
    IReadOnlyList<string> ReceivedPrefixes, IReadOnlyList<string> AdvertisedPrefixes, DateTimeOffset ObservedAt);

/// <summary>
/// A router's desired-state feed: the position of the last change to any of its virtual interfaces, and for each
/// interface on it the position of its own last change. Written in the same transaction as the change, so an
/// agent resuming after a position gets exactly what changed since.
/// </summary>
public sealed record RouterFeed(long Position, IReadOnlyDictionary<string, long> Interfaces)
{
    /// <summary>A router nothing was placed on yet.</summary>
    public static RouterFeed Empty { get; } = new(0, new Dictionary<string, long>(StringComparer.Ordinal));

    /// <summary>The feed with <paramref name="virtualInterfaceId"/> changed (created or reconfigured).</summary>
    public RouterFeed Changed(string virtualInterfaceId) =>
        new(Position + 1, new Dictionary<string, long>(Interfaces, StringComparer.Ordinal) { [virtualInterfaceId] = Position + 1 });

    /// <summary>The feed without <paramref name="virtualInterfaceId"/>.</summary>
    public RouterFeed Removed(string virtualInterfaceId)
    {
        var interfaces = new Dictionary<string, long>(Interfaces, StringComparer.Ordinal);
        interfaces.Remove(virtualInterfaceId);
        return new(Position + 1, interfaces);
    }
}
