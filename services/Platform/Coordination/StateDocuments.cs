using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DirectConnect.Platform.Coordination;

/// <summary>A state document as read, with the store ETag that guards writing it back.</summary>
public sealed record Versioned<T>(T Value, string StoreETag)
{
    /// <summary>The condition under which a write of this document wins: nobody wrote it since it was read.</summary>
    public ETagCondition Unchanged => ETagCondition.Matches(StoreETag);
}

/// <summary>JSON state documents: services keep their resources as JSON so that the store is readable with ordinary tools.</summary>
public static class StateDocuments
{
    /// <summary>Reads and deserialises one document.</summary>
    public static async Task<Versioned<T>?> GetDocumentAsync<T>(this IStateStore store, string key, JsonTypeInfo<T> type,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var item = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return item is null ? null : new Versioned<T>(Read(item, type), item.ETag);
    }

    /// <summary>Reads and deserialises several documents, in the order of <paramref name="keys"/>; absent keys are skipped.</summary>
    public static async Task<IReadOnlyList<T>> GetDocumentsAsync<T>(this IStateStore store, IReadOnlyList<string> keys, JsonTypeInfo<T> type,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var items = await store.GetBulkAsync(keys, cancellationToken).ConfigureAwait(false);
        return keys.Where(items.ContainsKey).Select(k => Read(items[k], type)).ToArray();
    }

    /// <summary>Deserialises an item read with others (a bulk read), keeping the ETag that guards writing it back.</summary>
    public static Versioned<T> AsDocument<T>(this StateItem item, JsonTypeInfo<T> type)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new Versioned<T>(Read(item, type), item.ETag);
    }

    /// <summary>The write of <paramref name="value"/> at <paramref name="key"/> under <paramref name="condition"/>.</summary>
    public static UpsertState Put<T>(string key, T value, JsonTypeInfo<T> type, ETagCondition condition) =>
        new(key, JsonSerializer.SerializeToUtf8Bytes(value, type), condition);

    /// <summary>Reads an index document with the condition that guards writing it back (absent: an empty index that must not exist yet).</summary>
    public static async Task<(IdIndex Index, ETagCondition Unchanged)> GetIndexAsync(this IStateStore store, string key,
        CancellationToken cancellationToken = default)
    {
        var index = await store.GetDocumentAsync(key, PlatformJsonContext.Default.IdIndex, cancellationToken).ConfigureAwait(false);
        return index is null ? (IdIndex.Empty, ETagCondition.MustNotExist) : (index.Value, index.Unchanged);
    }

    /// <summary>The write of an index document.</summary>
    public static UpsertState PutIndex(string key, IdIndex index, ETagCondition condition) =>
        Put(key, index, PlatformJsonContext.Default.IdIndex, condition);

    private static T Read<T>(StateItem item, JsonTypeInfo<T> type) =>
        JsonSerializer.Deserialize(item.Value.Span, type) ?? throw new InvalidDataException($"State document '{item.Key}' is empty.");
}
