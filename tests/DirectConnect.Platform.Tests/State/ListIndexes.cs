using System.Globalization;
using System.Text.Json;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Paging;
using DirectConnect.Platform.Tests.Infrastructure;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.State;

/// <summary>
/// List indexes (<see cref="ListIndex"/>) on each adapter: positions that never move, a head that stays small however
/// long the list grows, appends that race without losing or doubling an id, and round-1 whole-list documents read and
/// converted in place.
/// </summary>
public abstract class ListIndexesKeepPositionsAndStaySmall(CoordinationAdapter adapter) : ConformanceTest(adapter)
{
    private const string Key = "things-by-region/cn-test-1";

    [Fact]
    public async Task SevenHundredAppendsSealTwoSegmentsAndEveryIdKeepsItsPosition()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        var ids = Ids("a", 700);
        foreach (var id in ids)
        {
            Assert.True(await AppendAsync(store, id));
        }

        var view = await store.ReadListIndexAsync(Key);
        Assert.Equal(700, view.End);
        Assert.Equal(ids, await view.ReadAllAsync());
        // Across a segment boundary, and from the sealed segments into the open tail.
        Assert.Equal([(256L, ids[256]), (257L, ids[257])], (await view.ReadAsync(255, 2)).Select(e => (e.Position, e.Id)));
        Assert.Equal([(511L, ids[511]), (512L, ids[512]), (513L, ids[513])], (await view.ReadAsync(510, 3)).Select(e => (e.Position, e.Id)));
        Assert.Empty(await view.ReadAsync(699, 10));

        // The head holds the next position and the 188 ids after the two sealed segments; the segments hold 256 each.
        var head = JsonDocument.Parse((await store.GetAsync(Key))!.Text()).RootElement;
        Assert.Equal(700, head.GetProperty("next").GetInt64());
        Assert.Equal(ids[512..], head.GetProperty("tail").EnumerateArray().Select(e => e.GetString()));
        Assert.False(head.TryGetProperty("ids", out _));
        Assert.NotNull(await store.GetAsync(ListIndex.SegmentKey(Key, 0)));
        Assert.NotNull(await store.GetAsync(ListIndex.SegmentKey(Key, 1)));
        Assert.Null(await store.GetAsync(ListIndex.SegmentKey(Key, 2)));
    }

    [Fact]
    public async Task OneAppendOfManyIdsSealsEverySegmentItFillsAndKeepsTheirOrder()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        var ids = Ids("g", 560);
        foreach (var id in ids[..250])
        {
            Assert.True(await AppendAsync(store, id));
        }

        // One transaction of 300 ids (a group commit's) fills segments 0 and 1 and leaves 38 in the tail; then 10 more.
        var append = await store.ReadForAppendAsync(Key);
        Assert.Equal(250, append.End);
        Assert.True(await store.TryExecuteTransactionAsync(append.Append(ids[250..550]), []));
        Assert.True(await store.TryExecuteTransactionAsync((await store.ReadForAppendAsync(Key)).Append(ids[550..]), []));
        // The head read before the batch is stale now: appending from it loses, as a second writer would.
        Assert.False(await store.TryExecuteTransactionAsync(append.Append(["late"]), []));

        var view = await store.ReadListIndexAsync(Key);
        Assert.Equal(560, view.End);
        Assert.Equal(ids, await view.ReadAllAsync());
        Assert.Equal([(255L, ids[255]), (256L, ids[256])], (await view.ReadAsync(254, 2)).Select(e => (e.Position, e.Id)));
        Assert.NotNull(await store.GetAsync(ListIndex.SegmentKey(Key, 1)));
        Assert.Null(await store.GetAsync(ListIndex.SegmentKey(Key, 2)));
        var head = JsonDocument.Parse((await store.GetAsync(Key))!.Text()).RootElement;
        Assert.Equal(ids[512..], head.GetProperty("tail").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task SixteenWritersAppendingAtOnceGiveEveryIdOnePositionWithNoGap()
    {
        const int Writers = 16;
        const int AppendsEach = 40; // 640: the race crosses two segment seals
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        using var start = new ManualResetEventSlim();
        var writers = Enumerable.Range(0, Writers).Select(w => Task.Factory.StartNew(async () =>
        {
            start.Wait(TimeSpan.FromSeconds(30));
            foreach (var id in Ids($"w{w}-", AppendsEach))
            {
                while (!await AppendAsync(store, id))
                {
                    // lost the race for the head: read it again
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()).ToArray();
        start.Set();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(120));

        var view = await store.ReadListIndexAsync(Key);
        var entries = await view.ReadAsync(-1, 10_000);
        Assert.Equal(Writers * AppendsEach, view.End);
        Assert.Equal(Enumerable.Range(0, Writers * AppendsEach).Select(p => (long)p), entries.Select(e => e.Position));
        Assert.Equal(Enumerable.Range(0, Writers).SelectMany(w => Ids($"w{w}-", AppendsEach)).Order(StringComparer.Ordinal),
            entries.Select(e => e.Id).Order(StringComparer.Ordinal));
        // Each writer's ids keep the order it appended them in.
        for (var w = 0; w < Writers; w++)
        {
            Assert.Equal(Ids($"w{w}-", AppendsEach), entries.Select(e => e.Id).Where(id => id.StartsWith($"w{w}-", StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task ARoundOneWholeListDocumentIsReadAtTheSamePositionsAndConvertedByTheNextAppend()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        var old = Ids("old", 600);
        Assert.True(await store.TrySaveAsync(Key, Bytes(JsonSerializer.Serialize(new { ids = old })), ETagCondition.MustNotExist));

        var before = await store.ReadListIndexAsync(Key);
        Assert.Equal(600, before.End);
        Assert.Equal([(300L, old[300])], (await before.ReadAsync(299, 1)).Select(e => (e.Position, e.Id)));
        // A page token issued on the old layout...
        var page = PageRequest.Parse(new RequestValidation(), 100, "", "q");
        var first = await IndexPager.PageAsync(before, page, LoadAsync, _ => true, id => id);
        Assert.Equal(old[..100], first.Items);

        Assert.True(await AppendAsync(store, "new"));

        // ...leads on from the same place once the document is converted.
        var after = await store.ReadListIndexAsync(Key);
        var second = await IndexPager.PageAsync(after, PageRequest.Parse(new RequestValidation(), 100, first.NextPageToken, "q"),
            LoadAsync, _ => true, id => id);
        Assert.Equal(old[100..200], second.Items);
        Assert.Equal([.. old, "new"], await after.ReadAllAsync());
        var head = JsonDocument.Parse((await store.GetAsync(Key))!.Text()).RootElement;
        Assert.Equal(601, head.GetProperty("next").GetInt64());
        Assert.Equal([.. old[512..], "new"], head.GetProperty("tail").EnumerateArray().Select(e => e.GetString()));
        Assert.False(head.TryGetProperty("ids", out _));
        Assert.NotNull(await store.GetAsync(ListIndex.SegmentKey(Key, 1)));
    }

    [Fact]
    public async Task PagesLeadOnPastAResourceThatIsGoneAndAcceptTokensThatNameAnId()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        var ids = Ids("x", 300);
        foreach (var id in ids)
        {
            Assert.True(await AppendAsync(store, id));
        }

        var view = await store.ReadListIndexAsync(Key);
        var gone = new HashSet<string>(StringComparer.Ordinal);
        Task<IReadOnlyList<string>> Load(IReadOnlyList<string> chunk) => Task.FromResult<IReadOnlyList<string>>(chunk.Where(id => !gone.Contains(id)).ToArray());

        // Even ids only, 40 a page: every even id once, in order, though each page reads past what it shows.
        var seen = new List<string>();
        var token = "";
        do
        {
            var page = await IndexPager.PageAsync(view, PageRequest.Parse(new RequestValidation(), 40, token, "q"), Load,
                id => int.Parse(id[1..], CultureInfo.InvariantCulture) % 2 == 0, id => id);
            seen.AddRange(page.Items);
            token = page.NextPageToken;
            // The resource a page ended on goes away before the next page is read.
            if (page.Items.Count > 0)
            {
                gone.Add(page.Items[^1]);
            }
        }
        while (token.Length > 0);
        Assert.Equal(ids.Where((_, i) => i % 2 == 0), seen);

        // A token from before positions names the last id, and the next page starts after it.
        var legacy = await IndexPager.PageAsync(view, PageRequest.Parse(new RequestValidation(), 3, PageToken.Encode(ids[250], "q"), "q"),
            LoadAsync, _ => true, id => id);
        Assert.Equal(ids[251..254], legacy.Items);
    }

    private static Task<IReadOnlyList<string>> LoadAsync(IReadOnlyList<string> ids) => Task.FromResult(ids);

    private static async Task<bool> AppendAsync(IStateStore store, string id)
    {
        var append = await store.ReadForAppendAsync(Key);
        return await store.TryExecuteTransactionAsync(append.Append(id), []);
    }

    private static string[] Ids(string prefix, int count) =>
        [.. Enumerable.Range(0, count).Select(i => string.Create(CultureInfo.InvariantCulture, $"{prefix}{i:D4}"))];
}

public sealed class ListIndexesKeepPositionsAndStaySmallOnSqlite() : ListIndexesKeepPositionsAndStaySmall(new SqliteAdapter());

public sealed class ListIndexesKeepPositionsAndStaySmallOnDapr() : ListIndexesKeepPositionsAndStaySmall(new DaprAdapter());
