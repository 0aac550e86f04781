using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Paging;

namespace DirectConnect.UnitTests.Platform;

public sealed class IdIndexTests
{
    [Fact]
    public void IdsKeepCreationOrderAndAreNotDuplicated()
    {
        var index = IdIndex.Empty.With("a").With("b").With("a").With("c");
        Assert.Equal(["a", "b", "c"], index.Ids);
        Assert.Equal(["a", "c"], index.Without("b").Ids);
    }

    [Fact]
    public async Task PagingStartsAfterTheLastIdAndStopsForAnUnknownOne()
    {
        var index = new IdIndex(["a", "b", "c"]);
        async Task<IReadOnlyList<string>> PageAsync(string token) => (await IndexPager.PageAsync(index,
            PageRequest.Parse(new RequestValidation(), 2, token, "q"), ids => Task.FromResult(ids), _ => true, id => id)).Items;

        Assert.Equal(["a", "b"], await PageAsync(""));
        Assert.Equal(["c"], await PageAsync(PageToken.Encode("b", "q")));
        Assert.Empty(await PageAsync(PageToken.Encode("c", "q")));
        Assert.Empty(await PageAsync(PageToken.Encode("zzz", "q")));
    }

    [Fact]
    public async Task AnIdListedTwiceDoesNotBreakThePage()
    {
        var page = await IndexPager.PageAsync(new IdIndex(["a", "b", "a", "c"]), PageRequest.Parse(new RequestValidation(), 3, "", "q"),
            ids => Task.FromResult(ids), _ => true, id => id);
        Assert.Equal(["a", "b", "a"], page.Items);
        Assert.NotEmpty(page.NextPageToken);
    }
}
