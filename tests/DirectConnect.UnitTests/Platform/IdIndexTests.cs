using DirectConnect.Platform.Coordination;

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
    public void PagingStartsAfterTheLastIdAndStopsForAnUnknownOne()
    {
        var index = new IdIndex(["a", "b", "c"]);
        Assert.Equal(["a", "b", "c"], index.After(null));
        Assert.Equal(["c"], index.After("b"));
        Assert.Empty(index.After("c"));
        Assert.Empty(index.After("zzz"));
    }
}
