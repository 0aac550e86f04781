namespace DirectConnect.Platform.Coordination;

/// <summary>
/// A small set of ids kept in one document, in the order they were added: the work queues (open creation
/// intents, the outbox) and request-scoped orderings that a list pages through. Lists of resources that
/// grow with a region use <see cref="ListIndex"/> instead.
/// </summary>
public sealed record IdIndex(IReadOnlyList<string> Ids)
{
    /// <summary>An empty index.</summary>
    public static readonly IdIndex Empty = new([]);

    /// <summary>The index with <paramref name="id"/> appended.</summary>
    public IdIndex With(string id) => Ids.Contains(id, StringComparer.Ordinal) ? this : new IdIndex([.. Ids, id]);

    /// <summary>The index without <paramref name="id"/>.</summary>
    public IdIndex Without(string id) => new(Ids.Where(i => !string.Equals(i, id, StringComparison.Ordinal)).ToArray());
}
