using DirectConnect.Platform.Errors;
using DirectConnect.VirtualInterfaces.Domain;

namespace DirectConnect.UnitTests.VirtualInterfaces;

/// <summary>Every rule of a virtual interface that needs no other service, each with a case that breaks it.</summary>
public sealed class VirtualInterfaceSpecTests
{
    private static readonly VirtualInterfaceSpec Valid = new(
        Name: "vif-1", Description: "", PhysicalConnectionId: "dxpc-0123456789ab", BorderGatewayId: "dxbgw-0123456789ab",
        Vlan: 100, BandwidthMbps: 500, CustomerAsn: 65001, CloudAddress: "169.254.10.1/30", CustomerAddress: "169.254.10.2/30",
        AuthKey: "", IdcPrefixes: ["192.168.0.0/24"]);

    private static string[] Fields(VirtualInterfaceSpec spec)
    {
        var validation = new RequestValidation();
        spec.Validate(validation, "");
        return validation.Violations.Select(v => v.Field).ToArray();
    }

    [Fact]
    public void AWellFormedSpecHasNoViolations() => Assert.Empty(Fields(Valid));

    public static TheoryData<string, VirtualInterfaceSpec, string> Broken() => new()
    {
        { "empty name", Valid with { Name = "" }, "name" },
        { "long name", Valid with { Name = new string('n', 65) }, "name" },
        { "long description", Valid with { Description = new string('d', 257) }, "description" },
        { "line id", Valid with { PhysicalConnectionId = "dxbgw-0123" }, "physical_connection_id" },
        { "gateway id", Valid with { BorderGatewayId = "" }, "border_gateway_id" },
        { "VLAN 0", Valid with { Vlan = 0 }, "vlan" },
        { "VLAN 4095", Valid with { Vlan = 4095 }, "vlan" },
        { "no bandwidth", Valid with { BandwidthMbps = 0 }, "bandwidth_mbps" },
        { "ASN 0", Valid with { CustomerAsn = 0 }, "bgp.customer_asn" },
        { "AS_TRANS", Valid with { CustomerAsn = 23456 }, "bgp.customer_asn" },
        { "ASN 2^32-1", Valid with { CustomerAsn = 4294967295 }, "bgp.customer_asn" },
        { "cloud address missing", Valid with { CloudAddress = "" }, "bgp.cloud_address" },
        { "cloud address no length", Valid with { CloudAddress = "169.254.10.1" }, "bgp.cloud_address" },
        { "cloud address /29", Valid with { CloudAddress = "169.254.10.1/29" }, "bgp.cloud_address" },
        { "cloud address is the network", Valid with { CloudAddress = "169.254.10.0/30" }, "bgp.cloud_address" },
        { "customer address is the broadcast", Valid with { CustomerAddress = "169.254.10.3/30" }, "bgp.customer_address" },
        { "same address twice", Valid with { CustomerAddress = "169.254.10.1/30" }, "bgp.customer_address" },
        { "other subnet", Valid with { CustomerAddress = "169.254.10.6/30" }, "bgp.customer_address" },
        { "IPv6 peer", Valid with { CustomerAddress = "fd00::2/126" }, "bgp.customer_address" },
        { "cloud address with a newline", Valid with { CloudAddress = "169.254.10.1/30\n" }, "bgp.cloud_address" },
        { "cloud address with a signed length", Valid with { CloudAddress = "169.254.10.1/+30" }, "bgp.cloud_address" },
        { "cloud address with a zero-padded length", Valid with { CloudAddress = "169.254.10.1/030" }, "bgp.cloud_address" },
        { "cloud address in hex", Valid with { CloudAddress = "0xa9.0xfe.10.1/30" }, "bgp.cloud_address" },
        { "customer address with a leading zero", Valid with { CustomerAddress = "169.254.10.02/30" }, "bgp.customer_address" },
        { "name with a bidi override", Valid with { Name = "invoice\u202Efdp.exe" }, "name" },
        { "description with a line separator", Valid with { Description = "one\u2028two" }, "description" },
        { "key with a space", Valid with { AuthKey = "two words" }, "bgp.auth_key" },
        { "key of 81", Valid with { AuthKey = new string('k', 81) }, "bgp.auth_key" },
        { "key not ASCII", Valid with { AuthKey = "clé" }, "bgp.auth_key" },
        { "no prefixes", Valid with { IdcPrefixes = [] }, "idc_prefixes" },
        { "host bits", Valid with { IdcPrefixes = ["192.168.0.1/24"] }, "idc_prefixes[0]" },
        { "overlapping prefixes", Valid with { IdcPrefixes = ["10.0.0.0/8", "10.1.0.0/16"] }, "idc_prefixes[1]" },
        { "101 prefixes", Valid with { IdcPrefixes = Enumerable.Range(0, 101).Select(i => $"10.{i}.0.0/16").ToArray() }, "idc_prefixes" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void EachRuleHasACaseThatBreaksIt(string rule, VirtualInterfaceSpec spec, string field) =>
        Assert.True(Fields(spec).SequenceEqual([field]), $"{rule}: expected only {field}, got [{string.Join(", ", Fields(spec))}]");

    [Theory]
    [InlineData("169.254.10.0/31", "169.254.10.1/31")]
    [InlineData("169.254.10.2/30", "169.254.10.1/30")]
    public void BothHostsOfASmallSubnetPeer(string cloud, string customer) =>
        Assert.Empty(Fields(Valid with { CloudAddress = cloud, CustomerAddress = customer }));

    [Fact]
    public void TheKeyIsNeverEchoedInAViolation()
    {
        var validation = new RequestValidation();
        (Valid with { AuthKey = "secret key" }).Validate(validation, "");
        Assert.DoesNotContain(validation.Violations, v => v.Description.Contains("secret", StringComparison.Ordinal));
    }
}
