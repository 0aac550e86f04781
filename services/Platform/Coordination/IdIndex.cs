namespace DirectConnect.Platform.Coordination;

/// <summary>
/// An index document: the ids of one collection (e.g. one account's connections in a region) in
/// creation order. The state port has no key scans, so lists read an index written in the same
/// transaction as the resources it names.
/// </summary>
public sealed record IdIndex(IReadOnlyList<string> Ids)
{
    /// <summary>An empty index.</summary>
    public static readonly IdIndex Empty = new([]);

    /// <summary>The index with <paramref name="id"/> appended.</summary>
    public IdIndex With(string id) => Ids.Contains(id, StringComparer.Ordinal) ? this : new IdIndex([.. Ids, id]);

    /// <summary>The index without <paramref name="id"/>.</summary>
    public IdIndex Without(string id) => new(Ids.Where(i => !string.Equals(i, id, StringComparison.Ordinal)).ToArray());

    /// <summary>The ids after <paramref name="lastId"/>: all when null, none when it is not in the index.</summary>
    public IEnumerable<string> After(string? lastId)
    {
        if (lastId is null)
        {
            return Ids;
        }

        var position = Ids.ToList().IndexOf(lastId);
        return position < 0 ? [] : Ids.Skip(position + 1);
    }
}
