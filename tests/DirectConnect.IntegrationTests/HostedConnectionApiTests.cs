using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DirectConnect.Contracts.V1;
using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Partners and hosted connections over the public API, on the embedded system: a line hosts up to its bandwidth on VLANs
/// it shares with its own interfaces; racing allocations never exceed it nor share a VLAN; a decline or delete frees the
/// share at once; partners are registered by operators and order lines under their own quota; each side sees only what
/// is its own, over gRPC and REST.
/// </summary>
public sealed class HostedConnectionApiTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private readonly Hosting _steps = new(system);

    [Fact]
    public async Task ALineHostsUpToItsBandwidthAndADeclineOrDeleteFreesTheShareAtOnce()
    {
        var (partner, line) = await _steps.PartnerWithLineAsync();
        var customer = Hosting.NewAccount("acme");

        var first = await _steps.AllocateAsync(partner, line.Id, customer, 101, 500);
        var second = await _steps.AllocateAsync(partner, line.Id, customer, 102, 400);
        Assert.Equal(HostedConnection.Types.State.PendingAcceptance, first.State);
        Assert.StartsWith("dxhc-", first.Id, StringComparison.Ordinal);
        Assert.Equal((customer, partner, line.Id, line.LocationId), (first.AccountId, first.PartnerAccountId, first.PhysicalConnectionId, first.LocationId));

        // 100 Mbit/s are left: 200 is refused with a QuotaFailure naming the line.
        var over = await RpcAssert.FailsWith(StatusCode.ResourceExhausted, () => _steps.AllocateAsync(partner, line.Id, customer, 103, 200));
        Assert.Equal("HOSTED_CAPACITY_EXCEEDED", over.Reason());
        Assert.Contains("100 of its 1000 Mbit/s left", over.Message, StringComparison.Ordinal);
        Assert.Equal($"physical-connection:{line.Id}", Assert.Single(over.Detail<QuotaFailure>().Violations).Subject);
        // A VLAN held on the line is refused, naming the field and the holder.
        var clash = await RpcAssert.FailsWith(StatusCode.AlreadyExists, () => _steps.AllocateAsync(partner, line.Id, customer, 101, 50));
        Assert.Equal(("VLAN_IN_USE", first.Id), (clash.Reason(), clash.Detail<ErrorInfo>().Metadata["holder"]));
        Assert.Equal("hosted_connection.vlan", Assert.Single(clash.Detail<BadRequest>().FieldViolations).Field);

        // The line names what it hosts.
        Assert.Equal([first.Id, second.Id], (await _steps.Lines.GetAsync(line.Id)).HostedConnectionIds);

        // The customer declines the first: its VLAN and 500 Mbit/s are free at once.
        var declined = await _steps.DeclineAsync(first);
        Assert.Equal(HostedConnection.Types.State.Declined, declined.State);
        var reused = await _steps.AllocateAsync(partner, line.Id, customer, 101, 500);

        // Only the customer accepts: the partner and an operator see it but may not answer for the customer.
        foreach (var notTheCustomer in new[] { _steps.Partner(partner), _steps.Operator })
        {
            var denied = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => _steps.AcceptAsync(second, notTheCustomer));
            Assert.Equal("ROLE_REQUIRED", denied.Reason());
        }

        var accepted = await _steps.AcceptAsync(second);
        Assert.Equal(HostedConnection.Types.State.Available, accepted.State);
        var again = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _steps.AcceptAsync(accepted));
        Assert.Equal(("INVALID_STATE", "STATE_AVAILABLE"), (again.Reason(), again.Detail<ErrorInfo>().Metadata["currentState"]));

        // Either side deletes; the partner does here, which frees the share too.
        var deleted = await _steps.DeleteAsync(accepted.Id, _steps.Partner(partner));
        Assert.Equal(HostedConnection.Types.State.Deleted, deleted.State);
        var third = await _steps.AllocateAsync(partner, line.Id, customer, 102, 400);
        var hosting = await _steps.Lines.GetAsync(line.Id);
        Assert.Equal([reused.Id, third.Id], hosting.HostedConnectionIds);

        // The partner cannot delete a line that carries hosted connections: each is named.
        var inUse = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _steps.Lines.DeleteAsync(line));
        Assert.Equal("PHYSICAL_CONNECTION_IN_USE", inUse.Reason());
        Assert.Equal([reused.Id, third.Id],
            inUse.Detail<PreconditionFailure>().Violations.Where(v => v.Type == "HOSTED_CONNECTION").Select(v => v.Subject));

        // The customer deletes one, an operator the other; then the line goes.
        await _steps.DeleteAsync(reused.Id, _steps.Customer(customer));
        Assert.Equal(HostedConnection.Types.State.Deleted, (await _steps.DeleteAsync(third.Id, _steps.Operator)).State);

        Assert.Empty((await _steps.Lines.GetAsync(line.Id)).HostedConnectionIds);
        Assert.Equal(PhysicalConnection.Types.State.Deleted, (await _steps.Lines.DeleteAsync(line)).State);
    }

    [Fact]
    public async Task RacingAllocationsNeverExceedTheLineNorShareAVlan()
    {
        var (partner, line) = await _steps.PartnerWithLineAsync();

        // Ten allocations of 200 Mbit/s at once on 1,000: five fit.
        var bandwidth = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Outcome(() => _steps.AllocateAsync(partner, line.Id, Hosting.NewAccount("c"), 200 + i, 200))));
        Assert.Equal(5, bandwidth.Count(o => o is null));
        Assert.All(bandwidth.OfType<Google.Rpc.Status>(), e => Assert.Equal("HOSTED_CAPACITY_EXCEEDED", e.Reason()));

        // Ten of one VLAN at once on another line: one gets it, the same request twice at once is one allocation.
        var other = await _steps.LineAsync(partner);
        var requestId = Guid.NewGuid().ToString();
        var vlan = await Task.WhenAll(Enumerable.Range(0, 10).Select(i =>
            Outcome(() => _steps.AllocateAsync(partner, other.Id, "same-customer", 900, 50, i < 4 ? requestId : ""))));
        Assert.All(vlan.OfType<Google.Rpc.Status>(), e => Assert.Equal("VLAN_IN_USE", e.Reason()));

        var lines = new[] { await _steps.Lines.GetAsync(line.Id), await _steps.Lines.GetAsync(other.Id) };
        var listed = await _steps.ListAsync(_steps.Partner(partner));
        Assert.Equal(5, lines[0].HostedConnectionIds.Count);
        Assert.Single(lines[1].HostedConnectionIds);
        Assert.Equal(lines.SelectMany(l => l.HostedConnectionIds).Order(StringComparer.Ordinal), listed.Select(h => h.Id).Order(StringComparer.Ordinal));
        Assert.Equal(1000, listed.Where(h => h.PhysicalConnectionId == line.Id).Sum(h => h.BandwidthMbps));
        Assert.Equal(listed.Count, listed.Select(h => (h.PhysicalConnectionId, h.Vlan)).Distinct().Count());
    }

    [Fact]
    public async Task BadAllocationsNameEveryBadFieldAndChangeNothing()
    {
        var (partner, line) = await _steps.PartnerWithLineAsync();
        var bad = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => _steps.Hosted.AllocateHostedConnectionAsync(new AllocateHostedConnectionRequest
        {
            Region = Hosting.Region,
            HostedConnection = new HostedConnection { PhysicalConnectionId = "pc-1", AccountId = partner, Vlan = 4095, BandwidthMbps = 70 },
        }, _steps.Partner(partner)).ResponseAsync);
        Assert.Equal(
            ["hosted_connection.account_id", "hosted_connection.bandwidth_mbps", "hosted_connection.physical_connection_id", "hosted_connection.vlan"],
            bad.Detail<BadRequest>().FieldViolations.Select(v => v.Field).Order(StringComparer.Ordinal));
        Assert.Empty((await _steps.Lines.GetAsync(line.Id)).HostedConnectionIds);
        Assert.Empty(await _steps.ListAsync(_steps.Partner(partner), showDeleted: true));

        // Another account's line is not found, even to a registered partner; a line not AVAILABLE is refused by state.
        var (other, _) = await _steps.PartnerWithLineAsync();
        var notFound = await RpcAssert.FailsWith(StatusCode.NotFound, () => _steps.AllocateAsync(other, line.Id, "acme", 10, 50));
        Assert.Equal("RESOURCE_NOT_FOUND", notFound.Reason());
        var ordered = await _steps.Lines.OrderAsync(partner, system.DefaultLocationId, PortSpeed._1G);
        var notAvailable = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _steps.AllocateAsync(partner, ordered.Id, "acme", 10, 50));
        Assert.Equal("STATE_APPLYING", notAvailable.Detail<ErrorInfo>().Metadata["currentState"]);
    }

    [Fact]
    public async Task PartnersAreRegisteredByOperatorsAndOrderLinesUnderTheirOwnQuota()
    {
        var partner = Hosting.NewAccount("partner");
        // The role alone is not enough; a customer token is not a partner's.
        var unregistered = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _steps.AllocateAsync(partner, "dxpc-0123456789ab", "acme", 10, 50));
        Assert.Equal("PARTNER_NOT_REGISTERED", unregistered.Reason());
        var customerToken = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => _steps.Hosted.AllocateHostedConnectionAsync(
            new AllocateHostedConnectionRequest { Region = Hosting.Region }, _steps.Customer(partner)).ResponseAsync);
        Assert.Equal("ROLE_REQUIRED", customerToken.Reason());
        var notOperator = await RpcAssert.FailsWith(StatusCode.PermissionDenied, () => _steps.Partners.RegisterPartnerAsync(
            new RegisterPartnerRequest { Region = Hosting.Region, Partner = new Partner { AccountId = partner, Name = "self" } }, _steps.Partner(partner)).ResponseAsync);
        Assert.Equal("ROLE_REQUIRED", notOperator.Reason());

        var registered = await _steps.RegisterAsync(partner, quota: 12, name: "Example Carrier");
        Assert.Equal((partner, partner, 12, "Example Carrier"), (registered.Id, registered.AccountId, registered.ConnectionQuota, registered.Name));
        var twice = await RpcAssert.FailsWith(StatusCode.AlreadyExists, () => _steps.RegisterAsync(partner));
        Assert.Equal("PARTNER_ALREADY_REGISTERED", twice.Reason());
        Assert.Equal(registered, await _steps.Partners.GetPartnerAsync(new GetPartnerRequest { Region = Hosting.Region, Id = partner }, _steps.Partner(partner)));
        await RpcAssert.FailsWith(StatusCode.NotFound, () =>
            _steps.Partners.GetPartnerAsync(new GetPartnerRequest { Region = Hosting.Region, Id = partner }, _steps.Customer("acme")).ResponseAsync);

        // A customer's quota is 10 lines in a region; this partner's is 12, counted the same way (at once, as orders batch).
        var location = await system.AddLocationAsync();
        var orders = await Task.WhenAll(Enumerable.Range(0, 14).Select(i => Outcome(() => _steps.Lines.OrderAsync(partner, location, name: $"ic-{i}"))));
        Assert.Equal(12, orders.Count(o => o is null));
        Assert.All(orders.OfType<Google.Rpc.Status>(), e => Assert.Equal(("PHYSICAL_CONNECTION_QUOTA_EXCEEDED", "12"),
            (e.Reason(), e.Detail<ErrorInfo>().Metadata["quota"])));

        // Deleting the registration is refused while the partner holds lines, naming them; once they are gone it succeeds.
        var inUse = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => DeletePartnerAsync(partner));
        Assert.Equal("PARTNER_IN_USE", inUse.Reason());
        var held = inUse.Detail<PreconditionFailure>().Violations.Select(v => v.Subject).ToList();
        Assert.Equal(12, held.Count);
        foreach (var id in held)
        {
            await _steps.Lines.Client.DeletePhysicalConnectionAsync(new DeletePhysicalConnectionRequest { Region = Hosting.Region, Id = id }, _steps.Operator);
        }

        await DeletePartnerAsync(partner);
        await RpcAssert.FailsWith(StatusCode.NotFound, () => DeletePartnerAsync(partner));
        var gone = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _steps.AllocateAsync(partner, held[0], "acme", 10, 50));
        Assert.Equal("PARTNER_NOT_REGISTERED", gone.Reason());

        // Registered again (with the default quota this time), it is listed once.
        Assert.Equal(100, (await _steps.RegisterAsync(partner, name: "Example Carrier again")).ConnectionQuota);
        var listed = await ListPartnersAsync();
        Assert.Equal("Example Carrier again", Assert.Single(listed, p => p.Id == partner).Name);
    }

    [Fact]
    public async Task EachSideSeesOnlyWhatIsItsOwnOverGrpcAndRest()
    {
        var (partner, line) = await _steps.PartnerWithLineAsync();
        var customer = Hosting.NewAccount("acme");
        var stranger = Hosting.NewAccount("stranger");
        var hosted = await _steps.AllocateAsync(partner, line.Id, customer, 300, 100);

        // The customer sees the partner's name, and nothing else of the partner's.
        var seen = await _steps.GetAsync(hosted.Id, _steps.Customer(customer));
        Assert.Equal((Hosting.DefaultName, "", ""), (seen.PartnerName, seen.PhysicalConnectionId, seen.PartnerAccountId));
        var listed = await _steps.ListAsync(_steps.Customer(customer));
        Assert.Equal([hosted.Id], listed.Select(h => h.Id));
        // No answer to the customer carries the partner's account or line.
        foreach (var answer in new[] { seen.ToString(), string.Join("\n", listed) })
        {
            Assert.DoesNotContain(partner, answer, StringComparison.Ordinal);
            Assert.DoesNotContain(line.Id, answer, StringComparison.Ordinal);
        }

        await RpcAssert.FailsWith(StatusCode.NotFound, () => _steps.Lines.Client.GetPhysicalConnectionAsync(
            new GetPhysicalConnectionRequest { Region = Hosting.Region, Id = line.Id }, _steps.Customer(customer)).ResponseAsync);

        // The partner sees the customer's account and its line.
        var partnerView = await _steps.GetAsync(hosted.Id, _steps.Partner(partner));
        Assert.Equal((customer, line.Id, partner), (partnerView.AccountId, partnerView.PhysicalConnectionId, partnerView.PartnerAccountId));
        Assert.Equal([hosted.Id], (await _steps.ListAsync(_steps.Partner(partner), lineId: line.Id)).Select(h => h.Id));

        // Anyone else: not found, whatever they try; nothing listed.
        foreach (var outsider in new[] { _steps.Customer(stranger), _steps.Partner(stranger) })
        {
            await RpcAssert.FailsWith(StatusCode.NotFound, () => _steps.GetAsync(hosted.Id, outsider));
            await RpcAssert.FailsWith(StatusCode.NotFound, () => _steps.AcceptAsync(hosted, outsider));
            await RpcAssert.FailsWith(StatusCode.NotFound, () => _steps.DeleteAsync(hosted.Id, outsider));
            Assert.Empty(await _steps.ListAsync(outsider, showDeleted: true));
        }

        // The same over REST.
        var path = $"/v1/regions/{Hosting.Region}/hostedConnections/{hosted.Id}";
        using (var http = system.Rest(customer, "customer"))
        {
            var body = await http.GetStringAsync(path);
            using var json = JsonDocument.Parse(body);
            Assert.Equal(Hosting.DefaultName, json.RootElement.GetProperty("partnerName").GetString());
            foreach (var field in new[] { "physicalConnectionId", "partnerAccountId" })
            {
                Assert.Equal("", json.RootElement.TryGetProperty(field, out var value) ? value.GetString() : "");
            }

            Assert.DoesNotContain(partner, body, StringComparison.Ordinal);
            Assert.DoesNotContain(line.Id, body, StringComparison.Ordinal);
        }

        using (var http = system.Rest(partner, "partner"))
        {
            using var json = JsonDocument.Parse(await http.GetStringAsync(path));
            Assert.Equal((customer, line.Id), (json.RootElement.GetProperty("accountId").GetString(), json.RootElement.GetProperty("physicalConnectionId").GetString()));
        }

        using (var http = system.Rest(stranger, "customer"))
        {
            var response = await http.GetAsync(path);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
            var body = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(customer, body, StringComparison.Ordinal);
            Assert.DoesNotContain(partner, body, StringComparison.Ordinal);
            var accept = await http.PostAsJsonAsync($"{path}:accept", new { });
            Assert.Equal(HttpStatusCode.NotFound, accept.StatusCode);
        }

        // Accepted by its customer over REST.
        using (var http = system.Rest(customer, "customer"))
        {
            var accept = await http.PostAsJsonAsync($"{path}:accept", new { etag = hosted.Etag });
            Assert.Equal(HttpStatusCode.OK, accept.StatusCode);
            var accepted = await accept.Content.ReadAsStringAsync();
            Assert.Equal("STATE_AVAILABLE", JsonDocument.Parse(accepted).RootElement.GetProperty("state").GetString());
            var list = await http.GetStringAsync($"/v1/regions/{Hosting.Region}/hostedConnections");
            foreach (var answer in new[] { accepted, list })
            {
                Assert.DoesNotContain(partner, answer, StringComparison.Ordinal);
                Assert.DoesNotContain(line.Id, answer, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task BothSidesWatchEveryChangeOfTheHostedConnectionAndNobodyElseDoes()
    {
        var (partner, line) = await _steps.PartnerWithLineAsync();
        var customer = Hosting.NewAccount("acme");
        var hosted = await _steps.AllocateAsync(partner, line.Id, customer, 500, 50);
        await _steps.AcceptAsync(hosted);
        await _steps.DeleteAsync(hosted.Id, _steps.Customer(customer));
        string[] expected =
        [
            $"HostedConnectionAllocated hostedConnection/{hosted.Id} Created ->STATE_PENDING_ACCEPTANCE",
            $"HostedConnectionStateChanged hostedConnection/{hosted.Id} StateChanged STATE_PENDING_ACCEPTANCE->STATE_AVAILABLE",
            $"HostedConnectionStateChanged hostedConnection/{hosted.Id} Deleted STATE_AVAILABLE->STATE_DELETED",
        ];

        var customerFeed = await WatchUntilAsync(_steps.Customer(customer), c => c.ResourceId == hosted.Id && c.State == "STATE_DELETED");
        Assert.Equal(expected, customerFeed.Select(Describe));
        Assert.Equal([1L, 2L, 3L], customerFeed.Select(c => c.Position)); // the customer's feed holds nothing of the partner's line
        var partnerFeed = await WatchUntilAsync(_steps.Partner(partner), c => c.ResourceId == hosted.Id && c.State == "STATE_DELETED");
        Assert.Equal(expected, partnerFeed.Where(c => c.ResourceType == "hostedConnection").Select(Describe));
        Assert.Contains(partnerFeed, c => c.ResourceId == line.Id && c.EventType.EndsWith("PhysicalConnectionUpdated", StringComparison.Ordinal));

        // A stranger's feed, up to its own first change, shows none of it.
        var stranger = Hosting.NewAccount("stranger");
        var sentinel = await _steps.Lines.OrderAsync(stranger, system.DefaultLocationId);
        var strangerFeed = await WatchUntilAsync(_steps.Customer(stranger), c => c.ResourceId == sentinel.Id);
        Assert.Equal([sentinel.Id], strangerFeed.Select(c => c.ResourceId));
    }

    private static string Describe(Change change) =>
        $"{change.EventType.Replace("directconnect.events.v1.", "", StringComparison.Ordinal)} {change.ResourceType}/{change.ResourceId} {change.ChangeType} {change.PreviousState}->{change.State}";

    /// <summary>The account's feed from its start up to the first change <paramref name="last"/> accepts.</summary>
    private async Task<List<Change>> WatchUntilAsync(CallOptions options, Func<Change, bool> last)
    {
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a safety net against a hang, not an assertion about time
        using var call = new WatchService.WatchServiceClient(system.Channel).WatchChanges(new WatchChangesRequest { Region = Hosting.Region },
            options.WithCancellationToken(patience.Token));
        var seen = new List<Change>();
        while (await call.ResponseStream.MoveNext(patience.Token))
        {
            seen.Add(call.ResponseStream.Current);
            if (last(call.ResponseStream.Current))
            {
                return seen;
            }
        }

        throw new Xunit.Sdk.XunitException("The watch ended before the awaited change.");
    }

    private async Task<Partner> DeletePartnerAsync(string partner) =>
        await _steps.Partners.DeletePartnerAsync(new DeletePartnerRequest { Region = Hosting.Region, Id = partner }, _steps.Operator);

    private async Task<IReadOnlyList<Partner>> ListPartnersAsync()
    {
        var all = new List<Partner>();
        var token = "";
        do
        {
            var page = await _steps.Partners.ListPartnersAsync(new ListPartnersRequest { Region = Hosting.Region, PageToken = token, PageSize = 100 }, _steps.Operator);
            all.AddRange(page.Partners);
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        return all;
    }

    /// <summary>Null when the call succeeds, its status when it fails as the API refuses (never an unexpected failure).</summary>
    private static async Task<Google.Rpc.Status?> Outcome(Func<Task> call)
    {
        try
        {
            await Task.Run(call);
            return null;
        }
        catch (RpcException e) when (e.StatusCode is StatusCode.ResourceExhausted or StatusCode.AlreadyExists)
        {
            return e.GetRpcStatus() ?? throw new Xunit.Sdk.XunitException($"A refusal without status: {e}");
        }
    }
}
