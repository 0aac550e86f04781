using CsCheck;
using DirectConnect.Platform.Networking;
using DirectConnect.Routing.Domain.Routing;

namespace DirectConnect.UnitTests.Routing;

/// <summary>
/// The routing engine against naive references on thousands of generated tables. The generated
/// addresses include each prefix's first and last address and the addresses just outside it, so a
/// mask one bit too long or too short, or a length probed out of order, fails within a few samples
/// (CsCheck then shrinks it to a small table and prints it).
/// </summary>
public sealed class RoutingPropertyTests
{
    [Fact]
    public void LongestPrefixMatchAgreesWithALinearScan() =>
        Gen.Select(Prefixes.Distinct(64), Prefixes.Addresses(64)).Sample((table, seeds) =>
        {
            var routes = new ForwardingTable<int>();
            for (var i = 0; i < table.Length; i++)
            {
                Assert.True(routes.Add(table[i], i));
            }

            Assert.Equal(table.Length, routes.Count);
            foreach (var seed in seeds)
            {
                var address = Prefixes.Address(table, seed);
                var expected = Prefixes.NaiveLongestMatch(table, address);
                var found = routes.TryLookup(address, out var match);
                Assert.Equal(expected, found ? match.Route : -1);
                if (found)
                {
                    Assert.Equal(table[expected], match.Prefix);
                }
            }
        }, iter: 3_000);

    [Fact]
    public void LookupAfterRemovalsAgreesWithALinearScanOfWhatIsLeft() =>
        Gen.Select(Prefixes.Distinct(48), Gen.Bool.Array[48], Prefixes.Addresses(48)).Sample((table, removed, seeds) =>
        {
            var routes = new ForwardingTable<int>();
            for (var i = 0; i < table.Length; i++)
            {
                routes.Add(table[i], i);
            }

            var left = new List<Cidr>();
            for (var i = 0; i < table.Length; i++)
            {
                if (removed[i])
                {
                    Assert.True(routes.Remove(table[i]));
                    Assert.False(routes.Remove(table[i]));
                }
                else
                {
                    left.Add(table[i]);
                }
            }

            Assert.Equal(left.Count, routes.Count);
            Assert.Equal(left.Count, routes.Entries.Count());
            foreach (var seed in seeds)
            {
                var address = Prefixes.Address(table, seed);
                var expected = Prefixes.NaiveLongestMatch(left, address);
                var want = expected < 0 ? -1 : Array.IndexOf(table, left[expected]);
                Assert.Equal(want, routes.TryLookup(address, out var match) ? match.Route : -1);
            }
        }, iter: 2_000);

    [Fact]
    public void OverlapSweepReportsExactlyThePairsOfTheQuadraticCheck() =>
        Gen.Select(Prefixes.Distinct(60), Gen.Int[0, 3].Array[60]).Sample((pool, sides) =>
        {
            // One pool split between the lists, so overlaps across them are nested, identical, or
            // (side 3) listed twice on the left: the ties a sweep's ordering has to get right.
            var left = new List<Cidr>();
            var right = new List<Cidr>();
            for (var i = 0; i < pool.Length; i++)
            {
                if (sides[i] != 1)
                {
                    left.Add(pool[i]);
                }

                if (sides[i] >= 1)
                {
                    right.Add(pool[i]);
                }

                if (sides[i] == 3)
                {
                    left.Add(pool[i]);
                }
            }

            var expected = Prefixes.NaiveOverlaps(left, right);
            var found = PrefixOverlaps.Find(Tagged(left), Tagged(right));
            foreach (var overlap in found)
            {
                Assert.Equal(left[overlap.LeftTag], overlap.LeftPrefix);
                Assert.Equal(right[overlap.RightTag], overlap.RightPrefix);
            }

            Assert.Equal(expected, found.Select(o => (o.LeftTag, o.RightTag)).Order().ToList());

            var first = PrefixOverlaps.FindFirst(Tagged(left), Tagged(right));
            Assert.Equal(expected.Count > 0, first is not null);
            Assert.Equal(expected.Count > 0, PrefixOverlaps.Any(Tagged(left), Tagged(right)));
            if (first is { } pair)
            {
                Assert.Contains((pair.LeftTag, pair.RightTag), expected);
            }
        }, iter: 2_000);

    private static (Cidr Prefix, int Tag)[] Tagged(List<Cidr> prefixes) => [.. prefixes.Select((prefix, i) => (prefix, i))];
}
