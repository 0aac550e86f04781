using DirectConnect.Platform.Errors;
using DirectConnect.PhysicalConnections.Domain;

namespace DirectConnect.UnitTests.PhysicalConnections;

public sealed class PhysicalConnectionSpecTests
{
    private static readonly PhysicalConnectionSpec Valid = new(
        Name: "idc-beijing-1", Description: "primary", LocationId: "loc-bjyz01", PortSpeed: PortSpeed.Speed10G,
        BandwidthMbps: 10_000, Provider: "China Telecom", Partner: "");

    private static IReadOnlyList<FieldViolation> Violations(PhysicalConnectionSpec spec)
    {
        var validation = new RequestValidation();
        spec.Validate(validation, "physical_connection.");
        return validation.Violations;
    }

    [Fact]
    public void AWellFormedSpecHasNoViolations() => Assert.Empty(Violations(Valid));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("tab\tin name")]
    public void ANameMustBePrintableAndPresent(string name) =>
        Assert.Equal(["physical_connection.name"], Violations(Valid with { Name = name }).Select(v => v.Field));

    [Fact]
    public void ANameOfSixtyFiveCharactersIsTooLong()
    {
        Assert.Empty(Violations(Valid with { Name = new string('n', 64) }));
        Assert.Equal(["physical_connection.name"], Violations(Valid with { Name = new string('n', 65) }).Select(v => v.Field));
    }

    [Fact]
    public void ADescriptionOverTwoHundredFiftySixCharactersIsTooLong()
    {
        Assert.Empty(Violations(Valid with { Description = new string('d', 256) }));
        Assert.Equal(["physical_connection.description"], Violations(Valid with { Description = new string('d', 257) }).Select(v => v.Field));
    }

    [Theory]
    [InlineData("")]
    [InlineData("BJ-YZ-01")]
    [InlineData("loc-")]
    [InlineData("loc-UPPER")]
    [InlineData("dxpc-0123")]
    public void ALocationIdMustLookLikeOne(string locationId) =>
        Assert.Equal(["physical_connection.location_id"], Violations(Valid with { LocationId = locationId }).Select(v => v.Field));

    [Fact]
    public void APortSpeedIsRequired() =>
        Assert.Contains("physical_connection.port_speed", Violations(Valid with { PortSpeed = null }).Select(v => v.Field));

    [Theory]
    [InlineData(PortSpeed.Speed1G, 1_000, true)]
    [InlineData(PortSpeed.Speed1G, 1_001, false)]
    [InlineData(PortSpeed.Speed10G, 10_000, true)]
    [InlineData(PortSpeed.Speed100G, 100_000, true)]
    [InlineData(PortSpeed.Speed100G, 100_001, false)]
    [InlineData(PortSpeed.Speed10G, 0, false)]
    [InlineData(PortSpeed.Speed10G, -5, false)]
    public void BandwidthMustFitThePort(PortSpeed speed, int bandwidth, bool valid)
    {
        var violations = Violations(Valid with { PortSpeed = speed, BandwidthMbps = bandwidth });
        Assert.Equal(valid ? [] : ["physical_connection.bandwidth_mbps"], violations.Select(v => v.Field));
    }

    [Fact]
    public void AProviderIsRequiredAndAPartnerIsOptional()
    {
        Assert.Equal(["physical_connection.provider"], Violations(Valid with { Provider = "" }).Select(v => v.Field));
        Assert.Empty(Violations(Valid with { Partner = "" }));
        Assert.Equal(["physical_connection.partner"], Violations(Valid with { Partner = new string('p', 65) }).Select(v => v.Field));
    }

    [Fact]
    public void EveryBadFieldIsReportedAtOnce()
    {
        var violations = Violations(new PhysicalConnectionSpec("", new string('d', 300), "nope", PortSpeed.Speed1G, 2_000, "", ""));
        Assert.Equal(
            ["physical_connection.name", "physical_connection.description", "physical_connection.location_id", "physical_connection.bandwidth_mbps", "physical_connection.provider"],
            violations.Select(v => v.Field));
    }
}
