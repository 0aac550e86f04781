using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Networking;

namespace DirectConnect.UnitTests.Platform;

public sealed class CidrTests
{
    [Theory]
    [InlineData("10.0.0.0/16")]
    [InlineData("192.168.1.0/24")]
    [InlineData("0.0.0.0/0")]
    [InlineData("169.254.10.1/32")]
    public void CanonicalPrefixesParseToThemselves(string text)
    {
        Assert.True(Cidr.TryParse(text, out var cidr, out _));
        Assert.Equal(text, cidr!.ToString());
    }

    [Fact]
    public void HostBitsAreRefusedWithTheCanonicalForm()
    {
        Assert.False(Cidr.TryParse("10.0.1.5/16", out _, out var error));
        Assert.Contains("10.0.0.0/16", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0/16")]
    [InlineData("10.0.0.0/33")]
    [InlineData("300.0.0.0/8")]
    [InlineData("fd00::/8")]
    [InlineData("10.0.0.0/+8")]
    [InlineData("")]
    [InlineData(null)]
    public void MalformedOrNonIpv4PrefixesAreRefused(string? text) => Assert.False(Cidr.TryParse(text, out _, out _));

    [Fact]
    public void OverlapIsContainmentEitherWay()
    {
        Cidr Parse(string t) => Cidr.TryParse(t, out var c, out _) ? c! : throw new ArgumentException(t);
        Assert.True(Parse("10.0.0.0/16").Overlaps(Parse("10.0.128.0/17")));
        Assert.True(Parse("10.0.128.0/17").Overlaps(Parse("10.0.0.0/8")));
        Assert.False(Parse("10.0.0.0/16").Overlaps(Parse("10.1.0.0/16")));
    }

    [Fact]
    public void AListNamesEveryBadAndOverlappingEntry()
    {
        var validation = new RequestValidation();
        var parsed = Cidr.ParseAll(validation, "vpc.cidr_blocks", ["10.0.0.0/16", "10.0.5.0/24", "nonsense", "172.16.0.1/12", "192.168.0.0/16"]);
        Assert.Equal(["10.0.0.0/16", "192.168.0.0/16"], parsed.Select(c => c.ToString()));
        Assert.Equal(["vpc.cidr_blocks[1]", "vpc.cidr_blocks[2]", "vpc.cidr_blocks[3]"], validation.Violations.Select(v => v.Field));
    }

    [Fact]
    public void AListLongerThanItsMaximumIsOneViolationAndNoElementIsLookedAt()
    {
        // Found by the security review: 26 MB of one duplicated prefix built 1.9 million violations (about 900 MB),
        // and 20,000 distinct prefixes were compared pairwise. Now the count is checked first.
        var validation = new RequestValidation();
        var parsed = Cidr.ParseAll(validation, "idc_prefixes", Enumerable.Repeat("10.0.0.0/8", 20_000).ToArray());

        Assert.Empty(parsed);
        var violation = Assert.Single(validation.Violations);
        Assert.Equal("idc_prefixes", violation.Field);
        Assert.Contains($"at most {Cidr.MaxListLength}", violation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void ACallerThatNamesNoMaximumGetsTheLongestListTheApiTakes()
    {
        string[] Distinct(int count) => Enumerable.Range(0, count).Select(i => $"10.{i / 256}.{i % 256}.0/24").ToArray();
        var atTheLimit = new RequestValidation();
        Assert.Equal(IdcPrefixes.Max, Cidr.ParseAll(atTheLimit, "idc_prefixes", Distinct(IdcPrefixes.Max)).Count);
        Assert.Empty(atTheLimit.Violations);

        var over = new RequestValidation();
        Assert.Empty(Cidr.ParseAll(over, "idc_prefixes", Distinct(IdcPrefixes.Max + 1)));
        Assert.Equal("idc_prefixes", Assert.Single(over.Violations).Field);
    }

    [Fact]
    public void IdcPrefixesAreOneToTheMaximumAndCheckedForOverlapWithinIt()
    {
        var none = new RequestValidation();
        IdcPrefixes.Parse(none, "virtual_interface.idc_prefixes", []);
        Assert.Contains("at least 1 and at most 100", Assert.Single(none.Violations).Description, StringComparison.Ordinal);

        var optional = new RequestValidation();
        Assert.Empty(IdcPrefixes.Parse(optional, "idc_prefixes", [], required: false));
        Assert.Empty(optional.Violations);

        var overlapping = new RequestValidation();
        IdcPrefixes.Parse(overlapping, "idc_prefixes", ["192.168.0.0/16", "192.168.1.0/24"]);
        Assert.Equal("idc_prefixes[1]", Assert.Single(overlapping.Violations).Field);
    }
}
