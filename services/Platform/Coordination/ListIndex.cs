using System.Text.Json;

namespace DirectConnect.Platform.Coordination;

/// <summary>
/// A list index: the ids of one collection (an account's connections in a region, every connection in a region) in
/// creation order, each at a fixed position, kept so that adding one costs the same with ten entries as with a
/// hundred thousand. The state port has no key scans, so lists read an index written in the same transaction as the
/// resources it names.
/// </summary>
/// <remarks>
/// <para>
/// The layout. The head document, at the index's key, holds the next position and the open tail: the last ids, at most
/// <see cref="SegmentSize"/>. When the tail fills it is sealed into a segment document of its own
/// (<c>{key}/segments/{n}</c>, positions <c>n × SegmentSize</c> onwards), written once in the same transaction as the
/// head that stops holding it; no later append rewrites it. An append therefore reads and writes the head only, a few
/// kilobytes at most, where the whole-list document it replaces grew by every id (200 KB at 10,000 connections) and
/// was rewritten on every create.
/// </para>
/// <para>
/// Positions make paging robust: a page token carries the position of the page's last item, so the next page starts
/// right after it even when that resource is gone, and finding it costs one segment read, not a search of the list.
/// </para>
/// <para>
/// Round 1 kept each index as one document (<c>{"ids": [...]}</c>) at the same key. Such a document is read as the
/// same list at the same positions, and the first append converts it: it seals the full segments and keeps the rest
/// as the tail, in the transaction of that append. Nothing else has to run first.
/// </para>
/// <para>
/// Both adapters support it as it is: point reads, bulk reads and conditional writes in one transaction. Readers see
/// a consistent list because a head is written only together with the segments it points past, and those never
/// change.
/// </para>
/// </remarks>
public static class ListIndex
{
    /// <summary>Ids per sealed segment, and the most the head's tail holds.</summary>
    public const int SegmentSize = 256;

    /// <summary>Reads the index at <paramref name="key"/> for listing (absent: an empty index).</summary>
    public static async Task<ListIndexView> ReadListIndexAsync(this IStateStore store, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var head = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return new ListIndexView(store, key, head is null ? ListIndexHead.Empty : ReadHead(head), cancellationToken);
    }

    /// <summary>Reads the index at <paramref name="key"/> for appending to it in a transaction.</summary>
    public static async Task<ListIndexAppend> ReadForAppendAsync(this IStateStore store, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return ForAppend(key, await store.GetAsync(key, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The index at <paramref name="key"/> for appending, from its head as read (null: absent), when a bulk read fetched it with other documents.</summary>
    public static ListIndexAppend ForAppend(string key, StateItem? head) =>
        new(key, head is null ? ListIndexHead.Empty : ReadHead(head), ETagCondition.For(head));

    /// <summary>Reads two indexes for appending to both in one transaction (an account's and its region's), in one bulk read.</summary>
    public static async Task<(ListIndexAppend First, ListIndexAppend Second)> ReadForAppendAsync(this IStateStore store, string first, string second,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var heads = await store.GetBulkAsync([first, second], cancellationToken).ConfigureAwait(false);
        return (ForAppend(first, heads.GetValueOrDefault(first)), ForAppend(second, heads.GetValueOrDefault(second)));
    }

    /// <summary>The key of the sealed segment <paramref name="number"/> of the index at <paramref name="key"/>.</summary>
    public static string SegmentKey(string key, long number) => FormattableString.Invariant($"{key}/segments/{number}");

    internal static ListIndexHead ReadHead(StateItem item) =>
        JsonSerializer.Deserialize(item.Value.Span, PlatformJsonContext.Default.ListIndexHead) ?? ListIndexHead.Empty;

    internal static ListIndexSegment ReadSegment(StateItem item) =>
        JsonSerializer.Deserialize(item.Value.Span, PlatformJsonContext.Default.ListIndexSegment)
        ?? throw new InvalidDataException($"List index segment '{item.Key}' is empty.");
}

/// <summary>One id of a list index and its position.</summary>
public readonly record struct ListIndexEntry(long Position, string Id);

/// <summary>
/// The head document of a list index: the next position and the open tail (positions <c>Next − Tail.Count</c> up to
/// <c>Next</c>). <paramref name="Ids"/> is set only on a round-1 document, which held the whole list.
/// </summary>
internal sealed record ListIndexHead(
    long Next,
    IReadOnlyList<string>? Tail,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    IReadOnlyList<string>? Ids = null)
{
    public static readonly ListIndexHead Empty = new(0, []);

    /// <summary>The head in the current layout: a round-1 list becomes sealed segments and a tail.</summary>
    public (ListIndexHead Head, IReadOnlyList<(long Number, IReadOnlyList<string> Ids)> Sealed) Normalised()
    {
        if (Ids is null)
        {
            return (this with { Tail = Tail ?? [] }, []);
        }

        var full = Ids.Count / ListIndex.SegmentSize;
        var sealedSegments = Enumerable.Range(0, full)
            .Select(n => ((long)n, (IReadOnlyList<string>)Ids.Skip(n * ListIndex.SegmentSize).Take(ListIndex.SegmentSize).ToArray()))
            .ToArray();
        return (new ListIndexHead(Ids.Count, Ids.Skip(full * ListIndex.SegmentSize).ToArray()), sealedSegments);
    }
}

/// <summary>A sealed segment of a list index: <see cref="ListIndex.SegmentSize"/> ids.</summary>
internal sealed record ListIndexSegment(IReadOnlyList<string> Ids);

/// <summary>A list index as read for one append: <see cref="Append(IReadOnlyList{string})"/> gives the writes for the caller's transaction.</summary>
public sealed class ListIndexAppend
{
    private readonly string _key;
    private readonly ListIndexHead _head;
    private readonly ETagCondition _unchanged;

    internal ListIndexAppend(string key, ListIndexHead head, ETagCondition unchanged) =>
        (_key, _head, _unchanged) = (key, head, unchanged);

    /// <summary>The position the next id appended takes: the length of the list as read.</summary>
    public long End => _head.Ids?.Count ?? _head.Next;

    /// <summary>
    /// The writes that add <paramref name="id"/> at the end: the head, guarded by the ETag it was read with (so that two
    /// appends never take one position), and any segment sealed by it, which must not exist yet.
    /// </summary>
    public IReadOnlyList<StateOperation> Append(string id) => Append([id]);

    /// <summary>
    /// The writes that add <paramref name="ids"/> at the end in that order, in one transaction (a group commit's creates):
    /// the head once, guarded by the ETag it was read with, and every segment the appends seal.
    /// </summary>
    public IReadOnlyList<StateOperation> Append(IReadOnlyList<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentOutOfRangeException.ThrowIfZero(ids.Count);
        var (head, sealedSegments) = _head.Normalised();
        var operations = sealedSegments.Select(s => Seal(s.Number, s.Ids)).ToList();
        List<string> tail = [.. head.Tail!];
        var next = head.Next;
        foreach (var id in ids)
        {
            ArgumentException.ThrowIfNullOrEmpty(id, nameof(ids));
            tail.Add(id);
            next++;
            if (tail.Count == ListIndex.SegmentSize)
            {
                operations.Add(Seal((next - tail.Count) / ListIndex.SegmentSize, tail));
                tail = [];
            }
        }

        operations.Add(StateDocuments.Put(_key, new ListIndexHead(next, tail), PlatformJsonContext.Default.ListIndexHead, _unchanged));
        return operations;
    }

    private UpsertState Seal(long number, IReadOnlyList<string> ids) =>
        StateDocuments.Put(ListIndex.SegmentKey(_key, number), new ListIndexSegment(ids), PlatformJsonContext.Default.ListIndexSegment,
            ETagCondition.MustNotExist);
}

/// <summary>
/// A list index as read for listing: its length and its entries from any position on. Segments are read only as far as
/// a caller asks, and each at most once.
/// </summary>
public sealed class ListIndexView
{
    private readonly IStateStore _store;
    private readonly string _key;
    private readonly IReadOnlyList<string>? _whole;
    private readonly IReadOnlyList<string> _tail;
    private readonly long _sealedEnd;
    private readonly CancellationToken _cancellationToken;
    private readonly Dictionary<long, IReadOnlyList<string>> _segments = [];

    internal ListIndexView(IStateStore store, string key, ListIndexHead head, CancellationToken cancellationToken)
    {
        (_store, _key, _cancellationToken) = (store, key, cancellationToken);
        // A round-1 document holds the whole list: positions are its indices, exactly as after conversion.
        _whole = head.Ids;
        _tail = head.Tail ?? [];
        End = head.Ids?.Count ?? head.Next;
        _sealedEnd = End - _tail.Count;
    }

    /// <summary>One past the last position: how many ids were ever appended.</summary>
    public long End { get; }

    /// <summary>Up to <paramref name="count"/> entries after position <paramref name="after"/> (−1: from the start), in order.</summary>
    public async Task<IReadOnlyList<ListIndexEntry>> ReadAsync(long after, int count)
    {
        var first = Math.Max(after + 1, 0);
        var last = Math.Min(first + count, End) - 1;
        if (last < first)
        {
            return [];
        }

        if (_whole is not null)
        {
            return Enumerable.Range(0, (int)(last - first + 1)).Select(i => new ListIndexEntry(first + i, _whole[(int)(first + i)])).ToArray();
        }

        await LoadSegmentsAsync(first, Math.Min(last, _sealedEnd - 1)).ConfigureAwait(false);
        var entries = new List<ListIndexEntry>((int)(last - first + 1));
        for (var position = first; position <= last; position++)
        {
            entries.Add(new ListIndexEntry(position, position >= _sealedEnd
                ? _tail[(int)(position - _sealedEnd)]
                : _segments[position / ListIndex.SegmentSize][(int)(position % ListIndex.SegmentSize)]));
        }

        return entries;
    }

    /// <summary>Every id, in order (for indexes known to stay small, such as one account's gateways).</summary>
    public async Task<IReadOnlyList<string>> ReadAllAsync() =>
        (await ReadAsync(-1, (int)Math.Min(End, int.MaxValue)).ConfigureAwait(false)).Select(e => e.Id).ToArray();

    /// <summary>The position of <paramref name="id"/>; null when it is not in the index. Reads every segment: only for page tokens issued before positions.</summary>
    public async Task<long?> PositionOfAsync(string id)
    {
        foreach (var entry in await ReadAsync(-1, (int)Math.Min(End, int.MaxValue)).ConfigureAwait(false))
        {
            if (string.Equals(entry.Id, id, StringComparison.Ordinal))
            {
                return entry.Position;
            }
        }

        return null;
    }

    private async Task LoadSegmentsAsync(long first, long last)
    {
        if (last < first)
        {
            return;
        }

        var missing = new List<string>();
        for (var number = first / ListIndex.SegmentSize; number <= last / ListIndex.SegmentSize; number++)
        {
            if (!_segments.ContainsKey(number))
            {
                missing.Add(ListIndex.SegmentKey(_key, number));
            }
        }

        if (missing.Count == 0)
        {
            return;
        }

        var read = await _store.GetBulkAsync(missing, _cancellationToken).ConfigureAwait(false);
        foreach (var key in missing)
        {
            // A head is written only with the segments it points past, so a missing one is damage, not a race.
            var item = read.TryGetValue(key, out var found) ? found : throw new InvalidDataException($"List index segment '{key}' is missing.");
            _segments[long.Parse(key[(key.LastIndexOf('/') + 1)..], System.Globalization.CultureInfo.InvariantCulture)] = ListIndex.ReadSegment(item).Ids;
        }
    }
}
