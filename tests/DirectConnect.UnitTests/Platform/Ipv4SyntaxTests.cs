using DirectConnect.Platform.Networking;

namespace DirectConnect.UnitTests.Platform;

/// <summary>The one IPv4 spelling accepted: what parses is already the canonical text, so what is stored is what was sent.</summary>
public sealed class Ipv4SyntaxTests
{
    [Theory]
    [InlineData("169.254.31.1/30")]
    [InlineData("0.0.0.0/0")]
    [InlineData("255.255.255.255/32")]
    [InlineData("10.0.0.0/8")]
    [InlineData("1.2.3.4/9")]
    [InlineData("100.64.0.10/31")]
    public void CanonicalAddressesWithLengthParseAndPrintAsSent(string text)
    {
        Assert.True(Ipv4Syntax.TryParseAddressAndLength(text, out var address, out var length));
        Assert.Equal(text, $"{address}/{length}");
    }

    [Theory]
    [InlineData("169.254.31.1/30\n")] // found: CR/LF reached responses, events and the router configuration
    [InlineData("169.254.31.1/30\r\n")]
    [InlineData("169.254.31.1/+30")] // found
    [InlineData("169.254.31.1/030")] // found
    [InlineData("0xa9.0xfe.35.1/30")] // found: hex octets
    [InlineData("169.254.031.1/30")] // octal-looking octet
    [InlineData("169.254.31.01/30")]
    [InlineData("00.0.0.0/0")]
    [InlineData("169.254.31.1/-1")]
    [InlineData("169.254.31.1/33")]
    [InlineData("169.254.31.1/")]
    [InlineData("169.254.31.1//30")]
    [InlineData("169.254.31.1/30/30")]
    [InlineData("169.254.31.1/3 0")]
    [InlineData(" 169.254.31.1/30")]
    [InlineData("169.254.31.1 /30")]
    [InlineData("169.254.31.1/ 30")]
    [InlineData("169.254.31.1/30 ")]
    [InlineData("169.254.31.1\t/30")]
    [InlineData("169.254.31.1/30\0")]
    [InlineData("169.254.31.1/30\u202E")]
    [InlineData("169.254.31/30")] // short forms IPAddress reads
    [InlineData("169.254.8001/30")]
    [InlineData("2852004609/30")]
    [InlineData("169.254.31.1.1/30")]
    [InlineData("169.254.31.256/30")]
    [InlineData("169.254.31.1000/30")]
    [InlineData("169.254..1/30")]
    [InlineData(".169.254.31.1/30")]
    [InlineData("１６９.254.31.1/30")] // full-width digits
    [InlineData("169.254.31.1/3\u00B2")] // superscript two
    [InlineData("169.254.31.1")]
    [InlineData("/30")]
    [InlineData("fd00::1/126")]
    [InlineData("::ffff:169.254.31.1/30")]
    [InlineData("")]
    [InlineData(null)]
    public void EveryOtherSpellingIsRefused(string? text) =>
        Assert.False(Ipv4Syntax.TryParseAddressAndLength(text, out _, out _), $"accepted {text}");

    [Theory]
    [InlineData("10.0.1.5")]
    [InlineData("0.0.0.0")]
    [InlineData("255.255.255.255")]
    public void CanonicalAddressesParseAndPrintAsSent(string text)
    {
        Assert.True(Ipv4Syntax.TryParseAddress(text, out var address));
        Assert.Equal(text, address.ToString());
    }

    [Theory]
    [InlineData("10.0.1.5\n")]
    [InlineData("10.0.1.5/32")]
    [InlineData("010.0.1.5")]
    [InlineData("0x0a.0.1.5")]
    [InlineData("10.1")]
    [InlineData("167772421")]
    [InlineData(" 10.0.1.5")]
    [InlineData("10.0.1.5 ")]
    [InlineData("10.0.1.256")]
    [InlineData("10.0.1.")]
    [InlineData("::1")]
    [InlineData("")]
    public void AddressesWithoutLengthFollowTheSameRules(string text) =>
        Assert.False(Ipv4Syntax.TryParseAddress(text, out _), $"accepted {text}");

    [Theory]
    [InlineData("10.0.0.0/08")]
    [InlineData("10.0.0.0/+8")]
    [InlineData("010.0.0.0/8")]
    [InlineData("0xa.0.0.0/8")]
    [InlineData("10.0.0.0/8\n")]
    [InlineData("10/8")]
    public void PrefixesAreParsedByTheSameRules(string text) => Assert.False(Cidr.TryParse(text, out _, out _), $"accepted {text}");
}
