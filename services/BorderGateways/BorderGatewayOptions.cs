namespace DirectConnect.BorderGateways;

/// <summary>Configuration section <c>DirectConnect:BorderGateways</c>.</summary>
public sealed class BorderGatewayOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:BorderGateways";

    /// <summary>
    /// How many border gateways (not deleted) one account may have in one region. A gateway attaches by
    /// itself to every VPC of the account in its region, so an account needs one per routing domain, not one
    /// per VPC; each more gateway is more work on every VPC registration.
    /// </summary>
    public int QuotaPerAccountPerRegion { get; set; } = 20;
}
