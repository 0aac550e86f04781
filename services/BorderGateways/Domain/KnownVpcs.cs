namespace DirectConnect.BorderGateways.Domain;

/// <summary>A VPC as the BorderGateways service knows it from the catalog's events.</summary>
public sealed record KnownVpc(string VpcId, IReadOnlyList<string> CidrBlocks);

/// <summary>
/// This service's own view of one account's VPCs in a region, built from <c>VpcRegistered</c> /
/// <c>VpcDeregistered</c> (a service never reads another's state): what a new gateway attaches to,
/// and which VPCs are gone. The catalog never reuses a VPC id, so a deregistered id stays gone: a
/// <c>VpcRegistered</c> delivered again after its deregistration changes nothing.
/// </summary>
public sealed record KnownVpcs(IReadOnlyList<KnownVpc> Vpcs)
{
    /// <summary>No VPCs.</summary>
    public static readonly KnownVpcs None = new([]);

    /// <summary>The VPCs seen deregistered.</summary>
    public IReadOnlyList<string> DeregisteredVpcIds { get; init; } = [];

    /// <summary>True when <paramref name="vpcId"/> was seen deregistered.</summary>
    public bool IsDeregistered(string vpcId) => DeregisteredVpcIds.Contains(vpcId);

    /// <summary>With <paramref name="vpc"/> (once; never once deregistered).</summary>
    public KnownVpcs With(KnownVpc vpc) =>
        IsDeregistered(vpc.VpcId) || Vpcs.Any(v => v.VpcId == vpc.VpcId) ? this : this with { Vpcs = [.. Vpcs, vpc] };

    /// <summary>Without <paramref name="vpcId"/>, which is remembered as deregistered.</summary>
    public KnownVpcs Without(string vpcId) => IsDeregistered(vpcId) ? this : new(Vpcs.Where(v => v.VpcId != vpcId).ToArray())
    {
        DeregisteredVpcIds = [.. DeregisteredVpcIds, vpcId],
    };
}
