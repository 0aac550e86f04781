using DirectConnect.Contracts.V1;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>Physical connections through the gateway with a real gRPC client.</summary>
public sealed class PhysicalConnectionsOverGrpcTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private const string Region = "cn-north-1";
    private readonly PhysicalConnectionService.PhysicalConnectionServiceClient _client = new(system.Channel);

    private PhysicalConnection Order(string name = "idc-beijing-1") => new()
    {
        Name = name,
        Description = "primary line from the Beijing IDC",
        LocationId = system.DefaultLocationId,
        PortSpeed = PortSpeed._10G,
        BandwidthMbps = 5000,
        Provider = "China Telecom",
    };

    private static string NewAccount() => "acct-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task ACreatedConnectionCanBeReadListedUpdatedAndDeleted()
    {
        var account = NewAccount();
        var caller = system.As(account, "customer");

        var created = await _client.CreatePhysicalConnectionAsync(
            new CreatePhysicalConnectionRequest { Region = Region, PhysicalConnection = Order() }, caller);
        Assert.StartsWith("dxpc-", created.Id, StringComparison.Ordinal);
        Assert.Equal(account, created.AccountId);
        Assert.Equal(Region, created.Region);
        Assert.Equal(PhysicalConnection.Types.State.Applying, created.State);
        Assert.NotEmpty(created.Etag);
        Assert.Single(created.History);

        var read = await _client.GetPhysicalConnectionAsync(new GetPhysicalConnectionRequest { Region = Region, Id = created.Id }, caller);
        Assert.Equal(created, read);

        var listed = await _client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Region }, caller);
        Assert.Equal([created.Id], listed.PhysicalConnections.Select(c => c.Id));

        var updated = await _client.UpdatePhysicalConnectionAsync(new UpdatePhysicalConnectionRequest
        {
            Region = Region,
            Id = created.Id,
            PhysicalConnection = new PhysicalConnection { Name = "renamed" },
            UpdateMask = FieldMask.FromString("name"),
            Etag = created.Etag,
        }, caller);
        Assert.Equal("renamed", updated.Name);
        Assert.Equal(created.Description, updated.Description);
        Assert.NotEqual(created.Etag, updated.Etag);

        var deleted = await _client.DeletePhysicalConnectionAsync(
            new DeletePhysicalConnectionRequest { Region = Region, Id = created.Id, Etag = updated.Etag }, caller);
        Assert.Equal(PhysicalConnection.Types.State.Deleted, deleted.State);

        var afterDelete = await _client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Region }, caller);
        Assert.Empty(afterDelete.PhysicalConnections);
        var withDeleted = await _client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Region, ShowDeleted = true }, caller);
        Assert.Equal([created.Id], withDeleted.PhysicalConnections.Select(c => c.Id));
    }

    [Fact]
    public async Task ListingWalksEveryConnectionOnceAcrossPagesInCreationOrder()
    {
        var caller = system.As(NewAccount(), "customer");
        var ids = new List<string>();
        for (var i = 0; i < 7; i++)
        {
            ids.Add((await _client.CreatePhysicalConnectionAsync(
                new CreatePhysicalConnectionRequest { Region = Region, PhysicalConnection = Order($"line-{i}") }, caller)).Id);
        }

        var seen = new List<string>();
        var pages = 0;
        var token = "";
        do
        {
            var page = await _client.ListPhysicalConnectionsAsync(
                new ListPhysicalConnectionsRequest { Region = Region, PageSize = 3, PageToken = token }, caller);
            Assert.True(page.PhysicalConnections.Count <= 3);
            seen.AddRange(page.PhysicalConnections.Select(c => c.Id));
            token = page.NextPageToken;
            pages++;
        }
        while (token.Length > 0 && pages < 10);

        Assert.Equal(ids, seen);
        Assert.Equal(3, pages);
    }

    [Fact]
    public async Task APageTokenFromAnotherQueryIsRefused()
    {
        var caller = system.As(NewAccount(), "customer");
        for (var i = 0; i < 2; i++)
        {
            await _client.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest { Region = Region, PhysicalConnection = Order() }, caller);
        }

        var first = await _client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Region, PageSize = 1 }, caller);
        Assert.NotEmpty(first.NextPageToken);
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () => await _client.ListPhysicalConnectionsAsync(
            new ListPhysicalConnectionsRequest { Region = Region, PageSize = 1, PageToken = first.NextPageToken, ShowDeleted = true }, caller));
        Assert.Contains(status.Detail<BadRequest>().FieldViolations, v => v.Field == "page_token");
    }

    [Fact]
    public async Task AnUpdateWithAStaleETagIsAbortedAndChangesNothing()
    {
        var caller = system.As(NewAccount(), "customer");
        var created = await _client.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest { Region = Region, PhysicalConnection = Order() }, caller);
        var first = await _client.UpdatePhysicalConnectionAsync(new UpdatePhysicalConnectionRequest
        {
            Region = Region, Id = created.Id, Etag = created.Etag,
            PhysicalConnection = new PhysicalConnection { Description = "first" }, UpdateMask = FieldMask.FromString("description"),
        }, caller);

        var status = await RpcAssert.FailsWith(StatusCode.Aborted, async () => await _client.UpdatePhysicalConnectionAsync(new UpdatePhysicalConnectionRequest
        {
            Region = Region, Id = created.Id, Etag = created.Etag,
            PhysicalConnection = new PhysicalConnection { Description = "second" }, UpdateMask = FieldMask.FromString("description"),
        }, caller));
        Assert.Equal("ETAG_MISMATCH", status.Reason());

        var staleDelete = await RpcAssert.FailsWith(StatusCode.Aborted, async () => await _client.DeletePhysicalConnectionAsync(
            new DeletePhysicalConnectionRequest { Region = Region, Id = created.Id, Etag = created.Etag }, caller));
        Assert.Equal("ETAG_MISMATCH", staleDelete.Reason());

        var read = await _client.GetPhysicalConnectionAsync(new GetPhysicalConnectionRequest { Region = Region, Id = created.Id }, caller);
        Assert.Equal("first", read.Description);
        Assert.Equal(first.Etag, read.Etag);
        Assert.Equal(PhysicalConnection.Types.State.Applying, read.State);
    }

    [Fact]
    public async Task AnotherAccountGetsNotFoundForEveryMethodAndSeesNothingInItsList()
    {
        var owner = system.As(NewAccount(), "customer");
        var stranger = system.As(NewAccount(), "customer");
        var created = await _client.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest { Region = Region, PhysicalConnection = Order() }, owner);

        var get = await RpcAssert.FailsWith(StatusCode.NotFound, async () =>
            await _client.GetPhysicalConnectionAsync(new GetPhysicalConnectionRequest { Region = Region, Id = created.Id }, stranger));
        Assert.Equal(created.Id, get.Detail<ResourceInfo>().ResourceName);
        await RpcAssert.FailsWith(StatusCode.NotFound, async () => await _client.UpdatePhysicalConnectionAsync(new UpdatePhysicalConnectionRequest
        {
            Region = Region, Id = created.Id, PhysicalConnection = new PhysicalConnection { Name = "hijacked" },
        }, stranger));
        await RpcAssert.FailsWith(StatusCode.NotFound, async () =>
            await _client.DeletePhysicalConnectionAsync(new DeletePhysicalConnectionRequest { Region = Region, Id = created.Id }, stranger));
        Assert.Empty((await _client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Region }, stranger)).PhysicalConnections);

        var untouched = await _client.GetPhysicalConnectionAsync(new GetPhysicalConnectionRequest { Region = Region, Id = created.Id }, owner);
        Assert.Equal(created, untouched);
    }

    [Fact]
    public async Task AConnectionIsNotFoundThroughAnotherRegion()
    {
        var caller = system.As(NewAccount(), "customer");
        var created = await _client.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest { Region = Region, PhysicalConnection = Order() }, caller);
        await RpcAssert.FailsWith(StatusCode.NotFound, async () =>
            await _client.GetPhysicalConnectionAsync(new GetPhysicalConnectionRequest { Region = "cn-east-2", Id = created.Id }, caller));
    }

    [Fact]
    public async Task ARequestWithSeveralBadFieldsNamesEveryOneAndCreatesNothing()
    {
        var caller = system.As(NewAccount(), "customer");
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () => await _client.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest
        {
            Region = "mars-1",
            RequestId = "not a valid id!",
            PhysicalConnection = new PhysicalConnection
            {
                Name = "",
                Description = new string('d', 300),
                LocationId = "BJ/01",
                PortSpeed = PortSpeed._1G,
                BandwidthMbps = 5000,
                Provider = "",
            },
        }, caller));

        Assert.Equal("INVALID_ARGUMENT", status.Reason());
        var fields = status.Detail<BadRequest>().FieldViolations.Select(v => v.Field).ToHashSet();
        Assert.Equal(
            new HashSet<string>
            {
                "region", "request_id", "physical_connection.name", "physical_connection.description",
                "physical_connection.location_id", "physical_connection.bandwidth_mbps", "physical_connection.provider",
            },
            fields);
        Assert.Empty((await _client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Region, ShowDeleted = true }, caller)).PhysicalConnections);
    }

    [Fact]
    public async Task AMissingPortSpeedAndAnUnknownOneAreBothInvalid()
    {
        var caller = system.As(NewAccount(), "customer");
        var missing = Order();
        missing.PortSpeed = PortSpeed.Unspecified;
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () =>
            await _client.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest { Region = Region, PhysicalConnection = missing }, caller));
        Assert.Contains(status.Detail<BadRequest>().FieldViolations, v => v.Field == "physical_connection.port_speed");

        var unknown = Order();
        unknown.PortSpeed = (PortSpeed)42;
        status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () =>
            await _client.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest { Region = Region, PhysicalConnection = unknown }, caller));
        Assert.Contains(status.Detail<BadRequest>().FieldViolations, v => v.Field == "physical_connection.port_speed");
    }

    [Fact]
    public async Task ARetriedCreateWithTheSameRequestIdMakesOneResource()
    {
        var caller = system.As(NewAccount(), "customer");
        var request = new CreatePhysicalConnectionRequest { Region = Region, PhysicalConnection = Order(), RequestId = Guid.NewGuid().ToString() };

        var first = await _client.CreatePhysicalConnectionAsync(request, caller);
        var retry = await _client.CreatePhysicalConnectionAsync(request, caller);
        Assert.Equal(first, retry);

        var listed = await _client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Region }, caller);
        Assert.Equal([first.Id], listed.PhysicalConnections.Select(c => c.Id));
    }

    [Fact]
    public async Task ConcurrentRetriesWithOneRequestIdMakeOneResource()
    {
        var caller = system.As(NewAccount(), "customer");
        var request = new CreatePhysicalConnectionRequest { Region = Region, PhysicalConnection = Order(), RequestId = Guid.NewGuid().ToString() };

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
            await _client.CreatePhysicalConnectionAsync(request, caller)));

        Assert.Single(results.Select(r => r.Id).Distinct());
        var listed = await _client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Region }, caller);
        Assert.Single(listed.PhysicalConnections);
    }

    [Fact]
    public async Task ConcurrentCreatesOfOneAccountAreAllKeptInItsList()
    {
        var caller = system.As(NewAccount(), "customer");
        var created = await Task.WhenAll(Enumerable.Range(0, 10).Select(async i =>
            (await _client.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest { Region = Region, PhysicalConnection = Order($"c{i}") }, caller)).Id));

        var listed = await _client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Region, PageSize = 100 }, caller);
        Assert.Equal(created.Order(StringComparer.Ordinal), listed.PhysicalConnections.Select(c => c.Id).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReusingARequestIdForADifferentRequestIsRefused()
    {
        var caller = system.As(NewAccount(), "customer");
        var requestId = Guid.NewGuid().ToString();
        await _client.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest { Region = Region, PhysicalConnection = Order("a"), RequestId = requestId }, caller);

        var status = await RpcAssert.FailsWith(StatusCode.AlreadyExists, async () => await _client.CreatePhysicalConnectionAsync(
            new CreatePhysicalConnectionRequest { Region = Region, PhysicalConnection = Order("b"), RequestId = requestId }, caller));
        Assert.Equal("REQUEST_ID_REUSED", status.Reason());
        Assert.Single((await _client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Region }, caller)).PhysicalConnections);
    }

    [Fact]
    public async Task UpdatingAFieldThatCannotBeUpdatedIsInvalid()
    {
        var caller = system.As(NewAccount(), "customer");
        var created = await _client.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest { Region = Region, PhysicalConnection = Order() }, caller);
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () => await _client.UpdatePhysicalConnectionAsync(new UpdatePhysicalConnectionRequest
        {
            Region = Region, Id = created.Id,
            PhysicalConnection = new PhysicalConnection { BandwidthMbps = 10 }, UpdateMask = FieldMask.FromString("bandwidth_mbps"),
        }, caller));
        Assert.Contains(status.Detail<BadRequest>().FieldViolations, v => v.Field == "update_mask" && v.Description.Contains("bandwidth_mbps", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ADeletedConnectionCannotBeDeletedAgain()
    {
        var caller = system.As(NewAccount(), "customer");
        var created = await _client.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest { Region = Region, PhysicalConnection = Order() }, caller);
        await _client.DeletePhysicalConnectionAsync(new DeletePhysicalConnectionRequest { Region = Region, Id = created.Id }, caller);
        var status = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, async () =>
            await _client.DeletePhysicalConnectionAsync(new DeletePhysicalConnectionRequest { Region = Region, Id = created.Id }, caller));
        Assert.Equal("STATE_DELETED", status.Detail<ErrorInfo>().Metadata["currentState"]);
    }

    [Fact]
    public async Task ACallWithoutATokenIsUnauthenticated()
    {
        await RpcAssert.FailsWithoutStatus(StatusCode.Unauthenticated, async () =>
            await _client.GetPhysicalConnectionAsync(new GetPhysicalConnectionRequest { Region = Region, Id = "dxpc-000000000000" }));
    }
}
