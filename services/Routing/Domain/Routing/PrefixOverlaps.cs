using System.Buffers;
using System.Numerics;
using DirectConnect.Platform.Networking;

namespace DirectConnect.Routing.Domain.Routing;

/// <summary>A prefix of the left list that shares addresses with a prefix of the right list, with both tags.</summary>
public readonly record struct PrefixOverlap<TLeft, TRight>(Cidr LeftPrefix, TLeft LeftTag, Cidr RightPrefix, TRight RightTag);

/// <summary>
/// Overlaps between two lists of prefixes (e.g. a VPC's CIDR blocks against the prefixes another
/// attachment already routes) in O((n + m) log(n + m) + k) for k overlapping pairs, not n × m.
/// </summary>
/// <remarks>
/// Two prefixes overlap only by one containing the other: their address intervals are nested or
/// disjoint, never crossing. So, with every interval sorted by first address (the longer interval
/// first on a tie), the intervals of one list still open at a point form a chain, each inside the
/// one below it, kept as a stack; an interval overlaps exactly the other list's intervals still
/// open when it starts (they contain it) and those that start inside it later (they find it open).
/// Each pair is thus reported once, and each interval is pushed and popped once.
/// </remarks>
public static class PrefixOverlaps
{
    /// <summary>Every pair (one from <paramref name="left"/>, one from <paramref name="right"/>) whose prefixes overlap, in no particular order.</summary>
    public static IReadOnlyList<PrefixOverlap<TLeft, TRight>> Find<TLeft, TRight>(
        IReadOnlyList<(Cidr Prefix, TLeft Tag)> left, IReadOnlyList<(Cidr Prefix, TRight Tag)> right)
    {
        var overlaps = new List<PrefixOverlap<TLeft, TRight>>();
        Sweep(left, right, overlaps);
        return overlaps;
    }

    /// <summary>One overlapping pair, or null when the lists are disjoint; stops at the first pair found.</summary>
    public static PrefixOverlap<TLeft, TRight>? FindFirst<TLeft, TRight>(
        IReadOnlyList<(Cidr Prefix, TLeft Tag)> left, IReadOnlyList<(Cidr Prefix, TRight Tag)> right) =>
        Sweep(left, right, all: null);

    /// <summary>True when any prefix of <paramref name="left"/> overlaps any of <paramref name="right"/>.</summary>
    public static bool Any<TLeft, TRight>(
        IReadOnlyList<(Cidr Prefix, TLeft Tag)> left, IReadOnlyList<(Cidr Prefix, TRight Tag)> right) =>
        FindFirst(left, right) is not null;

    // Collects every pair into `all`, or returns the first pair when `all` is null.
    private static PrefixOverlap<TLeft, TRight>? Sweep<TLeft, TRight>(
        IReadOnlyList<(Cidr Prefix, TLeft Tag)> left, IReadOnlyList<(Cidr Prefix, TRight Tag)> right,
        List<PrefixOverlap<TLeft, TRight>>? all)
    {
        ArgumentNullException.ThrowIfNull(left);
        ArgumentNullException.ThrowIfNull(right);
        if (left.Count == 0 || right.Count == 0)
        {
            return null;
        }

        // Items: left index i as i, right index j as ~j (negative), so one sorted array holds both lists.
        // Pooled: at 100,000 prefixes a side the array is megabytes, and a fresh one per call means
        // large-object-heap churn and full collections in a validation loop.
        var count = left.Count + right.Count;
        var intervals = ArrayPool<Interval<uint>>.Shared.Rent(count);
        try
        {
            for (var i = 0; i < left.Count; i++)
            {
                var (first, last) = Ipv4.Interval(left[i].Prefix);
                intervals[i] = new Interval<uint>(first, last, i);
            }

            for (var j = 0; j < right.Count; j++)
            {
                var (first, last) = Ipv4.Interval(right[j].Prefix);
                intervals[left.Count + j] = new Interval<uint>(first, last, ~j);
            }

            var sorted = intervals.AsSpan(0, count);
            sorted.Sort();
            var openLeft = new OpenChain<uint>();
            var openRight = new OpenChain<uint>();
            foreach (var interval in sorted)
            {
                openLeft.CloseBefore(interval.First);
                openRight.CloseBefore(interval.First);
                var isLeft = interval.Item >= 0;
                var containers = isLeft ? openRight : openLeft;
                for (var k = 0; k < containers.Count; k++)
                {
                    var (l, r) = isLeft ? (interval.Item, ~containers[k]) : (containers[k], ~interval.Item);
                    var overlap = new PrefixOverlap<TLeft, TRight>(left[l].Prefix, left[l].Tag, right[r].Prefix, right[r].Tag);
                    if (all is null)
                    {
                        return overlap;
                    }

                    all.Add(overlap);
                }

                (isLeft ? openLeft : openRight).Open(interval);
            }

            return null;
        }
        finally
        {
            ArrayPool<Interval<uint>>.Shared.Return(intervals);
        }
    }

    /// <summary>A closed address interval [First, Last] of one list's item, in sweep order.</summary>
    private readonly record struct Interval<TAddress>(TAddress First, TAddress Last, int Item) : IComparable<Interval<TAddress>>
        where TAddress : unmanaged, IBinaryInteger<TAddress>, IUnsignedNumber<TAddress>
    {
        // First ascending; on a tie the longer interval (greater Last) first, so a container is
        // open before what it contains starts; Item last only to make the order deterministic.
        public int CompareTo(Interval<TAddress> other)
        {
            var byFirst = First.CompareTo(other.First);
            if (byFirst != 0)
            {
                return byFirst;
            }

            var byLast = other.Last.CompareTo(Last);
            return byLast != 0 ? byLast : Item.CompareTo(other.Item);
        }
    }

    /// <summary>The intervals of one list open at the sweep point: a stack, each inside the one below it.</summary>
    /// <remarks>As deep as the nesting (at most 33 distinct IPv4 prefixes), not as long as the list: it starts small and grows.</remarks>
    private sealed class OpenChain<TAddress>
        where TAddress : unmanaged, IBinaryInteger<TAddress>, IUnsignedNumber<TAddress>
    {
        private Interval<TAddress>[] _stack = new Interval<TAddress>[16];

        public int Count { get; private set; }

        public int this[int index] => _stack[index].Item;

        public void Open(Interval<TAddress> interval)
        {
            if (Count == _stack.Length)
            {
                Array.Resize(ref _stack, Count * 2);
            }

            _stack[Count++] = interval;
        }

        // The top ends first (it lies inside everything below it), so popping stops at the first still open.
        public void CloseBefore(TAddress point)
        {
            while (Count > 0 && _stack[Count - 1].Last < point)
            {
                Count--;
            }
        }
    }
}
