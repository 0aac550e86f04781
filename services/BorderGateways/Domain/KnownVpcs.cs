namespace DirectConnect.BorderGateways.Domain;

/// <summary>A VPC as the BorderGateways service knows it from the catalog's events.</summary>
public sealed record KnownVpc(string VpcId, IReadOnlyList<string> CidrBlocks);

/// <summary>
/// This service's own view of one account's VPCs in a region, built from <c>VpcRegistered</c> /
/// <c>VpcDeregistered</c> (a service never reads another's state): what a new gateway attaches to.
/// </summary>
public sealed record KnownVpcs(IReadOnlyList<KnownVpc> Vpcs)
{
    /// <summary>No VPCs.</summary>
    public static readonly KnownVpcs None = new([]);

    /// <summary>With <paramref name="vpc"/> (once).</summary>
    public KnownVpcs With(KnownVpc vpc) => Vpcs.Any(v => v.VpcId == vpc.VpcId) ? this : new KnownVpcs([.. Vpcs, vpc]);

    /// <summary>Without <paramref name="vpcId"/>.</summary>
    public KnownVpcs Without(string vpcId) => new(Vpcs.Where(v => v.VpcId != vpcId).ToArray());
}
