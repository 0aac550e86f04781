using System.Net;
using DirectConnect.Routing.Domain.Routing;
using static DirectConnect.UnitTests.Routing.Prefixes;

namespace DirectConnect.UnitTests.Routing;

public sealed class ForwardingTableTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("10.1.2.3")]
    [InlineData("255.255.255.255")]
    public void DefaultRouteMatchesEveryAddress(string address)
    {
        var routes = new ForwardingTable<string>();
        routes.Add(Parse("0.0.0.0/0"), "internet");

        Assert.True(routes.TryLookup(IPAddress.Parse(address), out var match));
        Assert.Equal(("internet", "0.0.0.0/0"), (match.Route, match.Prefix.ToString()));
    }

    [Fact]
    public void HostRouteMatchesOnlyItsAddress()
    {
        var routes = new ForwardingTable<string>();
        routes.Add(Parse("10.0.0.0/8"), "vpc");
        routes.Add(Parse("10.1.1.1/32"), "host");

        Assert.Equal("host", routes.Lookup(IPAddress.Parse("10.1.1.1")));
        Assert.Equal("vpc", routes.Lookup(IPAddress.Parse("10.1.1.0")));
        Assert.Equal("vpc", routes.Lookup(IPAddress.Parse("10.1.1.2")));
    }

    [Theory]
    [InlineData("10.1.2.3", "/24")]
    [InlineData("10.1.2.255", "/24")]
    [InlineData("10.1.3.0", "/16")]
    [InlineData("10.1.255.255", "/16")]
    [InlineData("10.2.0.0", "/8")]
    [InlineData("10.255.255.255", "/8")]
    public void NestedPrefixesChooseTheLongestThatContainsTheAddress(string address, string expected)
    {
        var routes = new ForwardingTable<string>();
        // Added shortest last: the answer must not depend on insertion order.
        routes.Add(Parse("10.1.2.0/24"), "/24");
        routes.Add(Parse("10.1.0.0/16"), "/16");
        routes.Add(Parse("10.0.0.0/8"), "/8");

        Assert.Equal(expected, routes.Lookup(IPAddress.Parse(address)));
    }

    [Theory]
    [InlineData("9.255.255.255")]
    [InlineData("11.0.0.0")]
    [InlineData("192.168.0.1")]
    public void AnAddressOutsideEveryPrefixHasNoRoute(string address)
    {
        var routes = new ForwardingTable<string>();
        routes.Add(Parse("10.0.0.0/8"), "vpc");

        Assert.Null(routes.Lookup(IPAddress.Parse(address)));
        Assert.False(routes.TryLookup(IPAddress.Parse(address), out _));
    }

    [Fact]
    public void AnEmptyTableHasNoRoute() => Assert.Null(new ForwardingTable<string>().Lookup(IPAddress.Parse("10.0.0.1")));

    [Fact]
    public void RemovingTheLongestPrefixFallsBackToTheShorterOne()
    {
        var routes = new ForwardingTable<string>();
        routes.Add(Parse("10.0.0.0/8"), "/8");
        routes.Add(Parse("10.1.0.0/16"), "/16");
        var address = IPAddress.Parse("10.1.0.1");
        Assert.Equal("/16", routes.Lookup(address));

        Assert.True(routes.Remove(Parse("10.1.0.0/16")));
        Assert.Equal("/8", routes.Lookup(address));
        Assert.Equal(1, routes.Count);

        Assert.False(routes.Remove(Parse("10.1.0.0/16")));
        Assert.True(routes.Remove(Parse("10.0.0.0/8")));
        Assert.Null(routes.Lookup(address));
        Assert.Equal(0, routes.Count);
    }

    [Fact]
    public void AddingAPrefixTwiceKeepsTheFirstRoute()
    {
        var routes = new ForwardingTable<string>();
        Assert.True(routes.Add(Parse("10.0.0.0/16"), "first"));
        Assert.False(routes.Add(Parse("10.0.0.0/16"), "second"));

        Assert.Equal(1, routes.Count);
        Assert.True(routes.TryGet(Parse("10.0.0.0/16"), out var route));
        Assert.Equal("first", route);
        Assert.False(routes.TryGet(Parse("10.0.0.0/17"), out _));
    }

    [Fact]
    public void AnIpv6AddressFindsNoRouteInAnIpv4Table()
    {
        var routes = new ForwardingTable<string>();
        routes.Add(Parse("0.0.0.0/0"), "internet");

        Assert.Null(routes.Lookup(IPAddress.IPv6Loopback));
    }
}
