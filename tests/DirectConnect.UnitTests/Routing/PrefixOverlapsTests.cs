using DirectConnect.Platform.Networking;
using DirectConnect.Routing.Domain.Routing;
using static DirectConnect.UnitTests.Routing.Prefixes;

namespace DirectConnect.UnitTests.Routing;

public sealed class PrefixOverlapsTests
{
    [Fact]
    public void NestedAndIdenticalPrefixesOverlapAcrossTheLists()
    {
        var vpcs = Tagged("10.0.0.0/16", "192.168.0.0/24", "172.16.0.0/12");
        var routed = Tagged("10.0.5.0/24", "192.168.0.0/24", "0.0.0.0/0", "8.8.8.8/32");

        var pairs = PrefixOverlaps.Find(vpcs, routed).Select(o => $"{o.LeftPrefix}~{o.RightPrefix}").Order().ToList();

        Assert.Equal(
            ["10.0.0.0/16~0.0.0.0/0", "10.0.0.0/16~10.0.5.0/24", "172.16.0.0/12~0.0.0.0/0", "192.168.0.0/24~0.0.0.0/0", "192.168.0.0/24~192.168.0.0/24"],
            pairs);
    }

    [Fact]
    public void AdjacentPrefixesDoNotOverlap()
    {
        var lower = Tagged("10.0.0.0/25", "10.0.1.0/24");
        var upper = Tagged("10.0.0.128/25", "10.0.2.0/23");

        Assert.Empty(PrefixOverlaps.Find(lower, upper));
        Assert.Null(PrefixOverlaps.FindFirst(lower, upper));
        Assert.False(PrefixOverlaps.Any(lower, upper));
    }

    [Fact]
    public void FindFirstReturnsAnOverlappingPairWithItsTags()
    {
        var first = PrefixOverlaps.FindFirst(Tagged("10.0.0.0/8"), Tagged("11.0.0.0/8", "10.200.0.0/16"));

        Assert.Equal(new PrefixOverlap<string, string>(Parse("10.0.0.0/8"), "10.0.0.0/8", Parse("10.200.0.0/16"), "10.200.0.0/16"), first);
    }

    [Fact]
    public void AnEmptyListOverlapsNothing()
    {
        Assert.Empty(PrefixOverlaps.Find(Tagged(), Tagged("0.0.0.0/0")));
        Assert.False(PrefixOverlaps.Any(Tagged("0.0.0.0/0"), Tagged()));
    }

    private static (Cidr Prefix, string Tag)[] Tagged(params string[] prefixes) => [.. prefixes.Select(p => (Parse(p), p))];
}
