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
}
