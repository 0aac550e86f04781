using DirectConnect.Platform.Idempotency;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;

namespace DirectConnect.UnitTests.Platform;

public sealed class ResourceIdsTests
{
    [Fact]
    public void NewIdsAreWellFormedAndDistinct()
    {
        var ids = Enumerable.Range(0, 1000).Select(_ => ResourceIds.New("dxpc-")).ToArray();
        Assert.All(ids, id => Assert.True(ResourceIds.IsWellFormed(id, "dxpc-"), id));
        Assert.Equal(ids.Length, ids.Distinct().Count());
    }

    [Theory]
    [InlineData("dxpc-")]
    [InlineData("dxpc-ABC")]
    [InlineData("dxbgw-0123")]
    [InlineData("dxpc-01/23")]
    [InlineData("")]
    public void MalformedIdsAreRecognised(string id) => Assert.False(ResourceIds.IsWellFormed(id, "dxpc-"));

    [Theory]
    [InlineData("acme", true)]
    [InlineData("acct-42", true)]
    [InlineData("ACME", false)]
    [InlineData("a/b", false)]
    [InlineData("", false)]
    [InlineData("-lead", false)]
    public void AccountIdsAreLowerCaseSlugs(string account, bool valid) => Assert.Equal(valid, Caller.IsValidAccountId(account));

    [Theory]
    [InlineData("3f2b1c9e-0d4e-4a51-9b0f-6f0f2f6d1a10", true)]
    [InlineData("retry.1_a", true)]
    [InlineData("has space", false)]
    [InlineData("ü", false)]
    public void RequestIdsAreTokens(string requestId, bool valid) => Assert.Equal(valid, RequestId.IsValid(requestId));

    [Fact]
    public void ARequestIdOfMoreThan128CharactersIsRefused()
    {
        Assert.True(RequestId.IsValid(new string('a', 128)));
        Assert.False(RequestId.IsValid(new string('a', 129)));
    }
}
