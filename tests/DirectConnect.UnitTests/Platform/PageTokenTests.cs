using DirectConnect.Platform.Paging;

namespace DirectConnect.UnitTests.Platform;

public sealed class PageTokenTests
{
    [Fact]
    public void ATokenDecodesToItsPositionForTheSameQuery()
    {
        var token = PageToken.Encode("dxpc-0000000000aa", "acme|cn-north-1");
        Assert.True(PageToken.TryDecode(token, "acme|cn-north-1", out var lastId));
        Assert.Equal("dxpc-0000000000aa", lastId);
    }

    [Theory]
    [InlineData("other|cn-north-1")]
    [InlineData("acme|cn-east-2")]
    public void ATokenIsRefusedForAnotherQuery(string query) =>
        Assert.False(PageToken.TryDecode(PageToken.Encode("dxpc-0000000000aa", "acme|cn-north-1"), query, out _));

    [Theory]
    [InlineData("")]
    [InlineData("!!!")]
    [InlineData("bm90IGEgdG9rZW4")]
    public void GarbageIsNotAToken(string token) => Assert.False(PageToken.TryDecode(token, "q", out _));

    [Theory]
    [InlineData(0, 50)]
    [InlineData(1, 1)]
    [InlineData(1000, 1000)]
    [InlineData(5000, 1000)]
    [InlineData(-1, null)]
    public void PageSizesDefaultAndClamp(int requested, int? effective) => Assert.Equal(effective, PageToken.EffectiveSize(requested));
}
