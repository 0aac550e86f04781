using DirectConnect.Platform.Tenancy;
using System.Text.RegularExpressions;

namespace DirectConnect.Routing.Domain;

/// <summary>
/// A catalog entry for a VPC of the cloud's VPC service (<c>vpc-…</c>): its owner, region and
/// IPv4 CIDR blocks. Fed by operators or the VPC service's integration; deregistering leaves a
/// tombstone so routes through it can be shown as blackholes.
/// </summary>
public sealed partial record Vpc : IAccountResource
{
    /// <summary>The id prefix.</summary>
    public const string IdPrefix = "vpc-";

    /// <summary>The route-table id prefix.</summary>
    public const string RouteTableIdPrefix = "rtb-";

    /// <summary>The most CIDR blocks one VPC may have: AWS's default for a VPC's IPv4 blocks (a primary and four more).</summary>
    public const int MaxCidrBlocks = 5;

    /// <summary>The VPC id (given by the VPC service, or generated).</summary>
    public required string Id { get; init; }

    /// <summary>The owning account.</summary>
    public required string AccountId { get; init; }

    /// <summary>The region.</summary>
    public required string Region { get; init; }

    /// <summary>Display name.</summary>
    public required string Name { get; init; }

    /// <summary>Canonical IPv4 prefixes, non-overlapping.</summary>
    public required IReadOnlyList<string> CidrBlocks { get; init; }

    /// <summary>The id of the VPC's route table.</summary>
    public required string RouteTableId { get; init; }

    /// <summary>True once deregistered.</summary>
    public bool Deleted { get; init; }

    /// <summary>When it was registered.</summary>
    public required DateTimeOffset CreateTime { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdateTime { get; init; }

    /// <summary>Resource version.</summary>
    public required string ETag { get; init; }

    /// <summary>True when <paramref name="id"/> can be a VPC id given by the VPC service.</summary>
    public static bool IsValidId(string id) => IdPattern().IsMatch(id);

    [GeneratedRegex("^vpc-[a-z0-9]{1,32}$", RegexOptions.CultureInvariant)]
    private static partial Regex IdPattern();
}
