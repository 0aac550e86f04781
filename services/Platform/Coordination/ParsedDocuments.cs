using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DirectConnect.Platform.Coordination;

/// <summary>
/// The last parse of each document read, kept with the exact bytes it was parsed from: a read that returns the same bytes
/// again gets the same value without parsing them again. Nothing here decides whether a value is current — every read
/// still goes to the store (the adapters return a value's ETag only together with the value, so there is nothing cheaper
/// to check it against); only the parse is saved, and only when the bytes are byte for byte the ones parsed before. A
/// changed document, a document deleted and written again, or a document another process wrote all show as different
/// bytes and are parsed. Parsing is deterministic, so the value is the one a fresh parse would give; it is shared by every
/// reader, so <typeparamref name="T"/> must be immutable (the domain's records are).
/// </summary>
/// <remarks>
/// At most <see cref="Capacity"/> documents are kept; past that, arbitrary ones are dropped (a dropped document is simply
/// parsed on its next read). Comparing the bytes costs a memory compare of the document, far less than parsing it.
/// </remarks>
public sealed class ParsedDocuments<T>(JsonTypeInfo<T> type, int capacity = ParsedDocuments<T>.DefaultCapacity)
    where T : class
{
    /// <summary>How many documents are kept by default: the hot ones of a busy region, a few MB.</summary>
    public const int DefaultCapacity = 1024;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private int _count;
    private long _parses;

    /// <summary>The most documents kept.</summary>
    public int Capacity { get; } = capacity > 0 ? capacity : throw new ArgumentOutOfRangeException(nameof(capacity), capacity, "must be positive");

    /// <summary>How many documents are kept now.</summary>
    public int Count => Volatile.Read(ref _count);

    /// <summary>How many reads parsed their bytes (the others reused a parse).</summary>
    public long Parses => Interlocked.Read(ref _parses);

    /// <summary>Reads and parses one document (null when absent), reusing the previous parse of the same bytes.</summary>
    public async Task<Versioned<T>?> GetAsync(IStateStore store, string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var item = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return item is null ? null : new Versioned<T>(Parse(item), item.ETag);
    }

    /// <summary>The value <paramref name="item"/>'s bytes hold: the kept one when they are the bytes it was parsed from.</summary>
    public T Parse(StateItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        var json = item.Value.Span;
        if (_entries.TryGetValue(item.Key, out var kept) && json.SequenceEqual(kept.Json))
        {
            return kept.Value;
        }

        Interlocked.Increment(ref _parses);
        var value = JsonSerializer.Deserialize(json, type) ?? throw new InvalidDataException($"State document '{item.Key}' is empty.");
        // A copy: the adapter's buffer is not this cache's to keep.
        Keep(item.Key, new Entry(json.ToArray(), value));
        return value;
    }

    private void Keep(string key, Entry entry)
    {
        var added = false;
        _entries.AddOrUpdate(key, _ => { added = true; return entry; }, (_, _) => { added = false; return entry; });
        if (!added || Interlocked.Increment(ref _count) <= Capacity)
        {
            return;
        }

        // Over the bound: drop others (whichever the enumeration meets first) until back within it.
        foreach (var other in _entries.Keys)
        {
            if (Volatile.Read(ref _count) <= Capacity)
            {
                break;
            }

            if (!string.Equals(other, key, StringComparison.Ordinal) && _entries.TryRemove(other, out _))
            {
                Interlocked.Decrement(ref _count);
            }
        }
    }

    private sealed record Entry(byte[] Json, T Value);
}
