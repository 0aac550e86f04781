using DirectConnect.Platform.Tenancy;
using DirectConnect.Platform.Networking;

namespace DirectConnect.BorderGateways.Domain;

/// <summary>Where a border gateway is in its life.</summary>
public enum BorderGatewayState
{
    /// <summary>Created; attaching to the account's VPCs.</summary>
    Creating = 1,
    /// <summary>Attached to (or refused) every VPC the account had when it was created; virtual interfaces may use it.</summary>
    Available = 2,
    /// <summary>Deleted (tombstone).</summary>
    Deleted = 3,
}

/// <summary>A VPC the gateway is attached to, or was refused for, with the VPC's CIDR blocks.</summary>
public sealed record VpcAttachment(string VpcId, IReadOnlyList<string> CidrBlocks, bool Attached, string Reason);

/// <summary>A virtual interface's hold on the gateway, with the IDC prefixes it announces through it.</summary>
public sealed record PrefixReservation(string VirtualInterfaceId, IReadOnlyList<string> IdcPrefixes)
{
    /// <summary>The physical or hosted connection the interface runs over, which its prefixes come through (empty if not known).</summary>
    public string ConnectionId { get; init; } = "";

    /// <summary>Where the prefixes come from, as refusals say it: the interface, and the connection when known.</summary>
    public string Source => ConnectionId.Length > 0 ? $"{VirtualInterfaceId} over {ConnectionId}" : VirtualInterfaceId;
}

/// <summary>A clash between an IDC prefix, announced by <paramref name="Source"/>, and a VPC CIDR reachable through one gateway.</summary>
public sealed record PrefixOverlap(string IdcPrefix, string VpcCidr, string VpcId, string Source);

/// <summary>
/// The cloud-side router next to an account's VPCs in a region (<c>dxbgw-…</c>). It holds the
/// invariant that IDC prefixes and VPC CIDRs reachable through it never overlap: a reservation
/// whose prefixes overlap an attached VPC is refused, and a VPC that would overlap reserved
/// prefixes is refused attachment (visibly, with the reason).
/// </summary>
public sealed record BorderGateway : IAccountResource
{
    /// <summary>The id prefix.</summary>
    public const string IdPrefix = "dxbgw-";

    /// <summary>The cloud-side ASN when the customer gives none.</summary>
    public const long DefaultAsn = 64512;

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

    /// <summary>The cloud-side BGP ASN.</summary>
    public required long Asn { get; init; }

    /// <summary>The state.</summary>
    public required BorderGatewayState State { get; init; }

    /// <summary>VPC attachments, in the order the VPCs became known.</summary>
    public IReadOnlyList<VpcAttachment> Attachments { get; init; } = [];

    /// <summary>
    /// The VPCs the account had in the region when the gateway was created (read from the catalog
    /// itself, not from this service's event-fed view of it) that the gateway has neither attached,
    /// refused nor seen deregistered yet. It stays CREATING until none is left.
    /// </summary>
    public IReadOnlyList<string> AwaitedVpcIds { get; init; } = [];

    /// <summary>Reservations of virtual interfaces.</summary>
    public IReadOnlyList<PrefixReservation> Reservations { get; init; } = [];

    /// <summary>The gateway's route table id.</summary>
    public required string RouteTableId { get; init; }

    /// <summary>The router the gateway is placed on (<c>rtr-…</c>); null when the region had none at its creation.</summary>
    public string? RouterId { get; init; }

    /// <summary>When it was created.</summary>
    public required DateTimeOffset CreateTime { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdateTime { get; init; }

    /// <summary>Resource version.</summary>
    public required string ETag { get; init; }

    /// <summary>True once deleted.</summary>
    public bool IsDeleted => State == BorderGatewayState.Deleted;

    /// <summary>The virtual interfaces holding reservations.</summary>
    public IReadOnlyList<string> VirtualInterfaceIds => Reservations.Select(r => r.VirtualInterfaceId).ToArray();

    /// <summary>Every overlap of <paramref name="idcPrefixes"/> with the CIDRs of attached VPCs.</summary>
    public IReadOnlyList<PrefixOverlap> OverlapsWithVpcs(IReadOnlyList<Cidr> idcPrefixes, PrefixReservation reservation) =>
        (from prefix in idcPrefixes
         from attachment in Attachments.Where(a => a.Attached)
         from block in attachment.CidrBlocks.Select(ParseCanonical)
         where prefix.Overlaps(block)
         select new PrefixOverlap(prefix.ToString(), block.ToString(), attachment.VpcId, reservation.Source)).ToArray();

    /// <summary>
    /// A new gateway, CREATING until it has attached (or refused) each of <paramref name="awaitedVpcIds"/>,
    /// the VPCs its account has in the region now, or seen them deregistered.
    /// </summary>
    public static BorderGateway Create(string id, string accountId, string region, string name, string description, long asn,
        IReadOnlyList<string> awaitedVpcIds, string routeTableId, DateTimeOffset now, string etag) => new()
    {
        Id = id,
        AccountId = accountId,
        Region = region,
        Name = name,
        Description = description,
        Asn = asn,
        State = BorderGatewayState.Creating,
        AwaitedVpcIds = awaitedVpcIds.Distinct(StringComparer.Ordinal).ToArray(),
        RouteTableId = routeTableId,
        CreateTime = now,
        UpdateTime = now,
        ETag = etag,
    };

    /// <summary>
    /// The CREATING gateway turned AVAILABLE, once it awaits no VPC any more; null while it still
    /// does, or when it is not CREATING.
    /// </summary>
    public BorderGateway? BecomeAvailable(DateTimeOffset now, string etag) =>
        State == BorderGatewayState.Creating && AwaitedVpcIds.Count == 0
            ? this with { State = BorderGatewayState.Available, UpdateTime = now, ETag = etag }
            : null;

    /// <summary>
    /// The gateway with <paramref name="vpcId"/> attached — or, when its CIDRs overlap reserved IDC
    /// prefixes, with the attachment refused and the reason kept. Null when nothing changes.
    /// </summary>
    public BorderGateway? Attach(string vpcId, IReadOnlyList<string> cidrBlocks, DateTimeOffset now, string etag)
    {
        if (IsDeleted || HasAttachment(vpcId))
        {
            return null;
        }

        var blocks = cidrBlocks.Select(ParseCanonical).ToArray();
        var clash = (from reservation in Reservations
                     from prefix in reservation.IdcPrefixes.Select(ParseCanonical)
                     from block in blocks
                     where prefix.Overlaps(block)
                     select $"VPC CIDR {block} overlaps IDC prefix {prefix} of {reservation.Source}").FirstOrDefault();
        var attachment = new VpcAttachment(vpcId, cidrBlocks, clash is null, clash ?? "");
        return this with
        {
            Attachments = [.. Attachments, attachment],
            AwaitedVpcIds = AwaitedVpcIds.Where(v => v != vpcId).ToArray(),
            UpdateTime = now,
            ETag = etag,
        };
    }

    /// <summary>True when the gateway holds an attachment (attached or refused) of <paramref name="vpcId"/>.</summary>
    public bool HasAttachment(string vpcId) => Attachments.Any(a => a.VpcId == vpcId);

    /// <summary>
    /// The gateway once <paramref name="vpcId"/> is deregistered: without its attachment, and no longer
    /// awaiting it. Null when it has neither.
    /// </summary>
    public BorderGateway? Detach(string vpcId, DateTimeOffset now, string etag) =>
        !HasAttachment(vpcId) && !AwaitedVpcIds.Contains(vpcId) ? null : this with
        {
            Attachments = Attachments.Where(a => a.VpcId != vpcId).ToArray(),
            AwaitedVpcIds = AwaitedVpcIds.Where(v => v != vpcId).ToArray(),
            UpdateTime = now,
            ETag = etag,
        };

    /// <summary>The gateway holding <paramref name="reservation"/> (callers check overlaps first).</summary>
    public BorderGateway WithReservation(PrefixReservation reservation, DateTimeOffset now, string etag) => this with
    {
        Reservations = [.. Reservations.Where(r => r.VirtualInterfaceId != reservation.VirtualInterfaceId), reservation],
        UpdateTime = now,
        ETag = etag,
    };

    /// <summary>The gateway without the reservation of <paramref name="virtualInterfaceId"/>.</summary>
    public BorderGateway WithoutReservation(string virtualInterfaceId, DateTimeOffset now, string etag) => this with
    {
        Reservations = Reservations.Where(r => r.VirtualInterfaceId != virtualInterfaceId).ToArray(),
        UpdateTime = now,
        ETag = etag,
    };

    private static Cidr ParseCanonical(string text) =>
        Cidr.TryParse(text, out var cidr, out var error) ? cidr! : throw new InvalidDataException($"Stored prefix {error}");
}
