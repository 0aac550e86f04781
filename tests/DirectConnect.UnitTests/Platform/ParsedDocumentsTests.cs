using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DirectConnect.Platform.Coordination;

namespace DirectConnect.UnitTests.Platform;

/// <summary>
/// A document read again with the same bytes is not parsed again, and any other bytes are: every read goes to the store,
/// whatever the ETag says, and the value always is what the bytes read hold.
/// </summary>
public sealed class ParsedDocumentsTests
{
    private sealed record Doc(string Name, int[] Values);

    private static readonly JsonTypeInfo<Doc> Type = (JsonTypeInfo<Doc>)JsonSerializerOptions.Web.GetTypeInfo(typeof(Doc));

    /// <summary>A store of fixed items, counting its reads.</summary>
    private sealed class Store : IStateStore
    {
        public Dictionary<string, StateItem> Items { get; } = [];

        public int Reads { get; private set; }

        public void Put(string key, string json, string etag) => Items[key] = new StateItem(key, Encoding.UTF8.GetBytes(json), etag);

        public Task<StateItem?> GetAsync(string key, CancellationToken cancellationToken = default)
        {
            Reads++;
            return Task.FromResult(Items.GetValueOrDefault(key));
        }

        public Task<IReadOnlyDictionary<string, StateItem>> GetBulkAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public Task<bool> TryExecuteTransactionAsync(IReadOnlyList<StateOperation> operations, IReadOnlyList<OutgoingEvent> events,
            CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    [Fact]
    public async Task TheSameBytesReadAgainAreTheSameValueWithoutAParse()
    {
        var store = new Store();
        store.Put("docs/a", """{"name":"a","values":[1,2]}""", "1");
        var parsed = new ParsedDocuments<Doc>(Type);

        var first = await parsed.GetAsync(store, "docs/a");
        var second = await parsed.GetAsync(store, "docs/a");

        Assert.Equal("a", first!.Value.Name);
        Assert.Same(first.Value, second!.Value);
        Assert.Equal("1", second.StoreETag);
        Assert.Equal(1, parsed.Parses);
        Assert.Equal(2, store.Reads); // every read still goes to the store
    }

    [Fact]
    public async Task OtherBytesAreParsedEvenUnderTheSameETag()
    {
        var store = new Store();
        store.Put("docs/a", """{"name":"a","values":[1]}""", "1");
        var parsed = new ParsedDocuments<Doc>(Type);
        await parsed.GetAsync(store, "docs/a");

        // Deleted and written again: a store may version the new row as it did the old one. The bytes decide.
        store.Put("docs/a", """{"name":"renamed","values":[1]}""", "1");
        var read = await parsed.GetAsync(store, "docs/a");
        Assert.Equal("renamed", read!.Value.Name);

        // One byte different, same length.
        store.Put("docs/a", """{"name":"renamed","values":[2]}""", "2");
        var changed = await parsed.GetAsync(store, "docs/a");
        Assert.Equal(2, Assert.Single(changed!.Value.Values));
        Assert.Equal(3, parsed.Parses);

        store.Items.Remove("docs/a");
        Assert.Null(await parsed.GetAsync(store, "docs/a"));
    }

    [Fact]
    public async Task NoMoreThanTheCapacityIsKeptAndADroppedDocumentIsParsedAgain()
    {
        var store = new Store();
        for (var i = 0; i < 10; i++)
        {
            store.Put($"docs/{i}", $$"""{"name":"d{{i}}","values":[{{i}}]}""", "1");
        }

        var parsed = new ParsedDocuments<Doc>(Type, capacity: 3);
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal($"d{i}", (await parsed.GetAsync(store, $"docs/{i}"))!.Value.Name);
            Assert.True(parsed.Count <= 3, $"{parsed.Count} kept after {i + 1} documents");
        }

        // Each document is read correctly whether or not it was kept.
        var parses = parsed.Parses;
        for (var i = 0; i < 10; i++)
        {
            Assert.Equal($"d{i}", (await parsed.GetAsync(store, $"docs/{i}"))!.Value.Name);
        }

        Assert.InRange(parsed.Parses - parses, 7, 10);
    }

    [Fact]
    public void AKeptValueDoesNotChangeWhenTheAdaptersBufferDoes()
    {
        var bytes = Encoding.UTF8.GetBytes("""{"name":"a","values":[1]}""");
        var parsed = new ParsedDocuments<Doc>(Type);
        Assert.Equal("a", parsed.Parse(new StateItem("docs/a", bytes, "1")).Name);

        // The adapter reuses its buffer for another document: the cache compared against its own copy.
        var other = Encoding.UTF8.GetBytes("""{"name":"b","values":[1]}""");
        other.CopyTo(bytes, 0);
        Assert.Equal("b", parsed.Parse(new StateItem("docs/a", bytes, "1")).Name);
    }
}
