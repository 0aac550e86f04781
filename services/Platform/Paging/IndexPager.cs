using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;

namespace DirectConnect.Platform.Paging;

/// <summary>A list request's paging, validated: the page size and where the page starts.</summary>
/// <param name="Size">Items per page.</param>
/// <param name="After">Where the page starts: after this id, or after a list-index position (<see cref="PageToken.PositionOf"/>); null for the first page.</param>
/// <param name="Query">The fingerprint of the query, bound into page tokens.</param>
public sealed record PageRequest(int Size, string? After, string Query)
{
    /// <summary>Validates <paramref name="pageSize"/> and <paramref name="pageToken"/> for <paramref name="query"/>, adding violations.</summary>
    public static PageRequest Parse(RequestValidation validation, int pageSize, string pageToken, string query)
    {
        ArgumentNullException.ThrowIfNull(validation);
        var size = PageToken.EffectiveSize(pageSize);
        validation.Check(size is not null, "page_size", $"must be between 0 and {PageToken.MaxPageSize} (0 means {PageToken.DefaultPageSize})");
        string? after = null;
        if (!string.IsNullOrEmpty(pageToken))
        {
            validation.Check(PageToken.TryDecode(pageToken, query, out var lastId), "page_token",
                "is not a token returned by this list with the same region and filters");
            after = lastId;
        }

        return new PageRequest(size ?? PageToken.DefaultPageSize, after, query);
    }
}

/// <summary>One page of a list and the token of the next, if there is more.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string NextPageToken);

/// <summary>
/// Pages through an index in its (creation) order, loading documents a chunk at a time and keeping those that pass a
/// filter. A stored <see cref="ListIndexView"/> pages by position, so a page whose last resource is gone still leads
/// on; an in-memory <see cref="IdIndex"/> (an ordering built for one request) pages by id.
/// </summary>
public static class IndexPager
{
    /// <summary>The page of the list index <paramref name="index"/> that <paramref name="request"/> asks for.</summary>
    public static async Task<Page<T>> PageAsync<T>(ListIndexView index, PageRequest request,
        Func<IReadOnlyList<string>, Task<IReadOnlyList<T>>> load, Func<T, bool> include, Func<T, string> idOf)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(request);
        long after = -1;
        if (request.After is { } anchor)
        {
            // Tokens issued before list indexes had positions name the last id; past the end when it is not listed.
            after = PageToken.PositionOf(anchor) ?? await index.PositionOfAsync(anchor).ConfigureAwait(false) ?? index.End;
        }

        return await PageAsync(index.End, after, index.ReadAsync, request, load, include, idOf,
            last => PageToken.EncodePosition(last.Position, request.Query)).ConfigureAwait(false);
    }

    /// <summary>The page of <paramref name="index"/> that <paramref name="request"/> asks for.</summary>
    public static Task<Page<T>> PageAsync<T>(IdIndex index, PageRequest request,
        Func<IReadOnlyList<string>, Task<IReadOnlyList<T>>> load, Func<T, bool> include, Func<T, string> idOf)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(request);
        var ids = index.Ids;
        // An id that is no longer listed ends the paging, as it always did for these request-scoped orderings.
        long after = request.After is null ? -1 : IndexOf(ids, request.After) is var found && found >= 0 ? found : ids.Count;
        return PageAsync(ids.Count, after,
            (from, count) => Task.FromResult<IReadOnlyList<ListIndexEntry>>(
                Enumerable.Range((int)from + 1, (int)Math.Max(0, Math.Min(count, ids.Count - from - 1))).Select(i => new ListIndexEntry(i, ids[i])).ToArray()),
            request, load, include, idOf, last => PageToken.Encode(last.Id, request.Query));
    }

    private static async Task<Page<T>> PageAsync<T>(long end, long after, Func<long, int, Task<IReadOnlyList<ListIndexEntry>>> read,
        PageRequest request, Func<IReadOnlyList<string>, Task<IReadOnlyList<T>>> load, Func<T, bool> include, Func<T, string> idOf,
        Func<ListIndexEntry, string> tokenOf)
    {
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(include);
        ArgumentNullException.ThrowIfNull(idOf);
        var items = new List<T>(request.Size);
        var last = default(ListIndexEntry);
        var position = after;
        while (items.Count < request.Size && position < end - 1)
        {
            var chunk = await read(position, request.Size).ConfigureAwait(false);
            if (chunk.Count == 0)
            {
                break;
            }

            // By id, for the token of the item a page ends on; an id listed twice (no writer appends one, but a list
            // must not fail on it) keeps its later position, so the next page does not show it again.
            var entries = new Dictionary<string, ListIndexEntry>(chunk.Count, StringComparer.Ordinal);
            foreach (var entry in chunk)
            {
                entries[entry.Id] = entry;
            }

            position = chunk[^1].Position;
            foreach (var item in await load(chunk.Select(e => e.Id).ToArray()).ConfigureAwait(false))
            {
                if (!include(item))
                {
                    continue;
                }

                items.Add(item);
                last = entries[idOf(item)];
                if (items.Count == request.Size)
                {
                    // Whatever the chunk held beyond this item belongs to the next page.
                    position = last.Position;
                    break;
                }
            }
        }

        return new Page<T>(items, position < end - 1 && items.Count > 0 ? tokenOf(last) : "");
    }

    private static int IndexOf(IReadOnlyList<string> ids, string id)
    {
        for (var i = 0; i < ids.Count; i++)
        {
            if (string.Equals(ids[i], id, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
