using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;

namespace DirectConnect.Platform.Paging;

/// <summary>A list request's paging, validated: the page size and where the page starts.</summary>
/// <param name="Size">Items per page.</param>
/// <param name="After">The id after which the page starts; null for the first page.</param>
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

/// <summary>Pages through an <see cref="IdIndex"/> in its (creation) order, loading documents a chunk at a time and keeping those that pass a filter.</summary>
public static class IndexPager
{
    /// <summary>The page of <paramref name="index"/> that <paramref name="request"/> asks for.</summary>
    public static async Task<Page<T>> PageAsync<T>(IdIndex index, PageRequest request,
        Func<IReadOnlyList<string>, Task<IReadOnlyList<T>>> load, Func<T, bool> include, Func<T, string> idOf)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(load);
        ArgumentNullException.ThrowIfNull(include);
        ArgumentNullException.ThrowIfNull(idOf);
        var remaining = index.After(request.After).ToList();
        var items = new List<T>(request.Size);
        while (remaining.Count > 0 && items.Count < request.Size)
        {
            var chunk = remaining.Take(request.Size).ToArray();
            remaining.RemoveRange(0, chunk.Length);
            foreach (var item in await load(chunk).ConfigureAwait(false))
            {
                if (!include(item))
                {
                    continue;
                }

                items.Add(item);
                if (items.Count == request.Size)
                {
                    // Whatever the chunk held beyond this item belongs to the next page.
                    remaining = index.After(idOf(item)).ToList();
                    break;
                }
            }
        }

        var next = remaining.Count > 0 && items.Count > 0 ? PageToken.Encode(idOf(items[^1]), request.Query) : "";
        return new Page<T>(items, next);
    }
}
