using DirectConnect.Contracts.V1;
using InternalV1 = DirectConnect.Contracts.Internal.V1;
using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>The lifecycle, port allocation, reservations, quota and LOA through the gateway.</summary>
public sealed class PhysicalConnectionLifecycleTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private readonly Lifecycle _steps = new(system.Channel, system.As);

    private static string NewAccount() => "acct-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task ALineGoesFromApplicationToAvailableWithEveryStepInItsHistory()
    {
        var location = await system.AddLocationAsync();
        var device = await system.AddDeviceAsync(location, ports: 2);
        var account = NewAccount();

        var ordered = await _steps.OrderAsync(account, location);
        var approved = await _steps.ApproveAsync(ordered);
        Assert.Equal(PhysicalConnection.Types.State.PendingPayment, approved.State);

        var paid = await _steps.PayAsync(approved);
        Assert.Equal(PhysicalConnection.Types.State.UnderConstruction, paid.State);
        Assert.False(paid.WaitingForPort);
        Assert.Equal(device.Id, paid.Port.AccessDeviceId);
        Assert.Equal("xe-0/0/0", paid.Port.PortName); // lowest port first
        Assert.NotNull(paid.PaymentTime);

        var built = await _steps.BuildAsync(paid);
        Assert.Equal(PhysicalConnection.Types.State.AwaitingConfirmation, built.State);
        var available = await _steps.ConfirmAsync(built);
        Assert.Equal(PhysicalConnection.Types.State.Available, available.State);

        Assert.Equal(
            [
                PhysicalConnection.Types.State.Applying, PhysicalConnection.Types.State.PendingPayment,
                PhysicalConnection.Types.State.UnderConstruction, PhysicalConnection.Types.State.AwaitingConfirmation,
                PhysicalConnection.Types.State.Available,
            ],
            available.History.Select(h => h.State));
        Assert.Equal($"customer:{account}", available.History[0].Actor);
        Assert.Equal("operator:ops", available.History[1].Actor);
        Assert.Equal($"customer:{account}", available.History[4].Actor);
        Assert.True(available.History.Zip(available.History.Skip(1)).All(p => p.First.Time <= p.Second.Time));

        var devices = new AccessDeviceService.AccessDeviceServiceClient(system.Channel);
        var held = await devices.GetAccessDeviceAsync(new GetAccessDeviceRequest { Region = Lifecycle.Region, Id = device.Id }, _steps.Operator);
        Assert.Equal(available.Id, held.Ports[0].AllocatedPhysicalConnectionId);
        Assert.Equal("", held.Ports[1].AllocatedPhysicalConnectionId);
    }

    [Fact]
    public async Task OperatorsFindApplicationsOfEveryAccountToReview()
    {
        var location = await system.AddLocationAsync();
        var first = await _steps.OrderAsync(NewAccount(), location);
        var second = await _steps.OrderAsync(NewAccount(), location);
        await _steps.ApproveAsync(second);

        var applying = new List<string>();
        var token = "";
        do
        {
            var page = await _steps.Client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest
            {
                Region = Lifecycle.Region, State = PhysicalConnection.Types.State.Applying, PageSize = 1000, PageToken = token,
            }, _steps.Operator);
            applying.AddRange(page.PhysicalConnections.Select(c => c.Id));
            token = page.NextPageToken;
        }
        while (token.Length > 0);

        Assert.Contains(first.Id, applying);
        Assert.DoesNotContain(second.Id, applying);
        var customerView = await _steps.Client.ListPhysicalConnectionsAsync(
            new ListPhysicalConnectionsRequest { Region = Lifecycle.Region }, _steps.Customer(first.AccountId));
        Assert.Equal([first.Id], customerView.PhysicalConnections.Select(c => c.Id));
    }

    [Fact]
    public async Task AMethodCalledInTheWrongStateIsAFailedPreconditionNamingTheState()
    {
        var location = await system.AddLocationAsync();
        var ordered = await _steps.OrderAsync(NewAccount(), location);

        var confirm = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _steps.ConfirmAsync(ordered));
        Assert.Equal("INVALID_STATE", confirm.Reason());
        Assert.Equal("STATE_APPLYING", confirm.Detail<ErrorInfo>().Metadata["currentState"]);
        await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _steps.PayAsync(ordered));
        await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _steps.BuildAsync(ordered));

        var approved = await _steps.ApproveAsync(ordered);
        var again = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _steps.ApproveAsync(approved));
        Assert.Equal("STATE_PENDING_PAYMENT", again.Detail<ErrorInfo>().Metadata["currentState"]);
        Assert.Equal(PhysicalConnection.Types.State.PendingPayment, (await _steps.GetAsync(ordered.Id)).State);
    }

    [Fact]
    public async Task CustomersCannotCallOperatorMethodsNorOperatorsConfirmForACustomer()
    {
        var location = await system.AddLocationAsync();
        await system.AddDeviceAsync(location, ports: 1);
        var account = NewAccount();
        var ordered = await _steps.OrderAsync(account, location);
        var customer = _steps.Customer(account);

        await RpcAssert.FailsWith(StatusCode.PermissionDenied, async () =>
            await _steps.Client.ApprovePhysicalConnectionAsync(new ApprovePhysicalConnectionRequest { Region = Lifecycle.Region, Id = ordered.Id }, customer));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, async () =>
            await _steps.Client.RejectPhysicalConnectionAsync(new RejectPhysicalConnectionRequest { Region = Lifecycle.Region, Id = ordered.Id, Reason = "no" }, customer));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, async () =>
            await _steps.Client.RecordPhysicalConnectionPaymentAsync(new RecordPhysicalConnectionPaymentRequest { Region = Lifecycle.Region, Id = ordered.Id }, customer));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, async () =>
            await _steps.Client.CompletePhysicalConnectionConstructionAsync(new CompletePhysicalConnectionConstructionRequest { Region = Lifecycle.Region, Id = ordered.Id }, customer));
        var locations = new LocationService.LocationServiceClient(system.Channel);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, async () =>
            await locations.CreateLocationAsync(new CreateLocationRequest { Region = Lifecycle.Region, Location = new Location { Code = "X-1", Name = "x" } }, customer));
        var devices = new AccessDeviceService.AccessDeviceServiceClient(system.Channel);
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, async () =>
            await devices.ListAccessDevicesAsync(new ListAccessDevicesRequest { Region = Lifecycle.Region }, customer));

        var built = await _steps.BuildAsync(await _steps.PayAsync(await _steps.ApproveAsync(ordered)));
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, async () =>
            await _steps.Client.ConfirmPhysicalConnectionAsync(new ConfirmPhysicalConnectionRequest { Region = Lifecycle.Region, Id = built.Id }, _steps.Operator));
        await RpcAssert.FailsWith(StatusCode.NotFound, async () =>
            await _steps.Client.ConfirmPhysicalConnectionAsync(new ConfirmPhysicalConnectionRequest { Region = Lifecycle.Region, Id = built.Id }, _steps.Customer(NewAccount())));
        Assert.Equal(PhysicalConnection.Types.State.AwaitingConfirmation, (await _steps.GetAsync(built.Id)).State);
    }

    [Fact]
    public async Task ARejectionNeedsAReasonKeepsItAndFreesTheQuota()
    {
        var location = await system.AddLocationAsync();
        var account = NewAccount();
        var ordered = await _steps.OrderAsync(account, location);

        var missing = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () =>
            await _steps.Client.RejectPhysicalConnectionAsync(new RejectPhysicalConnectionRequest { Region = Lifecycle.Region, Id = ordered.Id }, _steps.Operator));
        Assert.Contains(missing.Detail<BadRequest>().FieldViolations, v => v.Field == "reason");

        var rejected = await _steps.Client.RejectPhysicalConnectionAsync(
            new RejectPhysicalConnectionRequest { Region = Lifecycle.Region, Id = ordered.Id, Reason = "no capacity at this site" }, _steps.Operator);
        Assert.Equal(PhysicalConnection.Types.State.Rejected, rejected.State);
        Assert.Equal("no capacity at this site", rejected.StateReason);
        Assert.Equal("no capacity at this site", rejected.History[^1].Reason);

        for (var i = 0; i < 10; i++)
        {
            await _steps.OrderAsync(account, location);
        }
    }

    [Fact]
    public async Task TheEleventhConnectionOfAnAccountInARegionExceedsTheQuota()
    {
        var location = await system.AddLocationAsync();
        var account = NewAccount();
        var orders = new List<PhysicalConnection>();
        for (var i = 0; i < 10; i++)
        {
            orders.Add(await _steps.OrderAsync(account, location));
        }

        var status = await RpcAssert.FailsWith(StatusCode.ResourceExhausted, () => _steps.OrderAsync(account, location));
        Assert.Equal("PHYSICAL_CONNECTION_QUOTA_EXCEEDED", status.Reason());
        Assert.Contains(account, status.Detail<QuotaFailure>().Violations.Single().Subject, StringComparison.Ordinal);
        await _steps.OrderAsync(NewAccount(), location); // another account is not affected

        await _steps.DeleteAsync(orders[0]);
        await _steps.OrderAsync(account, location);
    }

    [Fact]
    public async Task OrdersRacingForAnAccountsLastSlotsGetExactlyTheQuotaAndARepeatedRequestIdMakesOneConnection()
    {
        // Creates in a region are committed in batches (group commit): 24 at once, 6 of them one request repeated.
        var location = await system.AddLocationAsync();
        var account = NewAccount();
        var first = await _steps.OrderAsync(account, location); // 9 of the quota's 10 slots left
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 24).Select(i => Task.Run(async () =>
        {
            var request = new CreatePhysicalConnectionRequest
            {
                Region = Lifecycle.Region,
                RequestId = i < 6 ? "order-repeated" : "",
                PhysicalConnection = new PhysicalConnection
                {
                    Name = i < 6 ? "repeated" : $"line-{i}", LocationId = location, PortSpeed = PortSpeed._10G, BandwidthMbps = 1000, Provider = "China Telecom",
                },
            };
            try
            {
                return (Repeat: i < 6, Made: await _steps.Client.CreatePhysicalConnectionAsync(request, _steps.Customer(account)), Refused: (RpcException?)null);
            }
            catch (RpcException e)
            {
                return (Repeat: i < 6, Made: (PhysicalConnection?)null, Refused: e);
            }
        })));

        // Every refusal is the quota's, and exactly the free slots were filled.
        Assert.All(outcomes.Where(o => o.Refused is not null), o =>
        {
            Assert.Equal(StatusCode.ResourceExhausted, o.Refused!.StatusCode);
            Assert.Equal("PHYSICAL_CONNECTION_QUOTA_EXCEEDED", o.Refused.GetRpcStatus()?.Reason());
        });
        var made = outcomes.Where(o => o.Made is not null).Select(o => o.Made!.Id).Distinct().ToArray();
        Assert.Equal(9, made.Length);
        // The repeated request is one connection or none: each of its calls got the same answer.
        var repeats = outcomes.Where(o => o.Repeat).ToArray();
        Assert.True(repeats.All(o => o.Refused is not null) || (repeats.All(o => o.Made is not null) && repeats.Select(o => o.Made!.Id).Distinct().Count() == 1),
            string.Join(", ", repeats.Select(o => o.Made?.Id ?? o.Refused!.Status.Detail)));

        // The account's list and the operator's region list show each connection once.
        var listed = new List<string>();
        var token = "";
        do
        {
            var page = await _steps.Client.ListPhysicalConnectionsAsync(
                new ListPhysicalConnectionsRequest { Region = Lifecycle.Region, PageSize = 4, PageToken = token }, _steps.Customer(account));
            listed.AddRange(page.PhysicalConnections.Select(c => c.Id));
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        Assert.Equal(made.Append(first.Id).Order(StringComparer.Ordinal), listed.Order(StringComparer.Ordinal));
        var regional = new List<string>();
        do
        {
            var page = await _steps.Client.ListPhysicalConnectionsAsync(
                new ListPhysicalConnectionsRequest { Region = Lifecycle.Region, PageSize = 100, PageToken = token }, _steps.Operator);
            regional.AddRange(page.PhysicalConnections.Select(c => c.Id));
            token = page.NextPageToken;
        }
        while (token.Length > 0);
        Assert.Equal(regional.Count, regional.Distinct().Count());
        Assert.Equal(10, regional.Count(listed.Contains));
    }

    [Fact]
    public async Task AConnectionWithoutAFreePortWaitsVisiblyAndIsServedWhenADeviceIsAdded()
    {
        var location = await system.AddLocationAsync();
        var paid = await _steps.PayAsync(await _steps.ApproveAsync(await _steps.OrderAsync(NewAccount(), location)));
        Assert.Equal(PhysicalConnection.Types.State.UnderConstruction, paid.State);
        Assert.True(paid.WaitingForPort);
        Assert.Null(paid.Port);
        var notYet = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _steps.BuildAsync(paid));
        Assert.Equal("PORT_NOT_ALLOCATED", notYet.Reason());

        var device = await system.AddDeviceAsync(location, ports: 1);
        var served = await _steps.EventuallyAsync(paid.Id, c => c.Port is not null, "got a port");
        Assert.False(served.WaitingForPort);
        Assert.Equal(device.Id, served.Port.AccessDeviceId);
        Assert.Equal(PhysicalConnection.Types.State.AwaitingConfirmation, (await _steps.BuildAsync(served)).State);
    }

    [Fact]
    public async Task PortsOfTheWrongSpeedOrAnotherLocationAreNotAllocated()
    {
        var location = await system.AddLocationAsync();
        var elsewhere = await system.AddLocationAsync();
        await system.AddDeviceAsync(location, ports: 4, speed: PortSpeed._1G);
        await system.AddDeviceAsync(elsewhere, ports: 4, speed: PortSpeed._10G);
        var paid = await _steps.PayAsync(await _steps.ApproveAsync(await _steps.OrderAsync(NewAccount(), location, PortSpeed._10G)));
        Assert.True(paid.WaitingForPort);

        var match = await system.AddDeviceAsync(location, ports: 1, speed: PortSpeed._10G);
        Assert.Equal(match.Id, (await _steps.EventuallyAsync(paid.Id, c => c.Port is not null, "got a port")).Port.AccessDeviceId);
    }

    [Fact]
    public async Task SixtyFourPayersAgainstThirtyTwoPortsGetDistinctPortsAndTheRestWaitThenAreServedInPaymentOrder()
    {
        var location = await system.AddLocationAsync();
        var devices = new List<AccessDevice>();
        for (var i = 0; i < 4; i++)
        {
            devices.Add(await system.AddDeviceAsync(location, ports: 8));
        }

        var approved = await _steps.ApprovedAsync(64, location);
        var paid = await Task.WhenAll(approved.Select(c => _steps.PayAsync(c)));

        var holders = paid.Where(c => c.Port is not null).ToArray();
        var waiters = paid.Where(c => c.WaitingForPort).ToArray();
        Assert.Equal(32, holders.Length);
        Assert.Equal(32, waiters.Length);
        Assert.Equal(32, holders.Select(c => (c.Port.AccessDeviceId, c.Port.PortName)).Distinct().Count());
        await _steps.AssertDevicesAgreeWithConnectionsAsync(devices.Select(d => d.Id), holders);

        // Free one port at a time: each goes to the earliest-paid connection still waiting.
        var queue = waiters.OrderBy(c => c.PaymentTime.ToDateTimeOffset()).ToList();
        foreach (var holder in holders)
        {
            var freedPort = holder.Port;
            await _steps.DeleteAsync(holder);
            var next = queue[0];
            queue.RemoveAt(0);
            var served = await _steps.EventuallyAsync(next.Id, c => c.Port is not null, "got the freed port");
            Assert.Equal((freedPort.AccessDeviceId, freedPort.PortName), (served.Port.AccessDeviceId, served.Port.PortName));
            foreach (var later in queue.Take(3))
            {
                Assert.True((await _steps.GetAsync(later.Id)).WaitingForPort, $"{later.Id} paid later but was served before {next.Id}");
            }
        }
    }

    [Fact]
    public async Task DeleteIsRefusedWhileAVirtualInterfaceHoldsAReservationAndFreesThePortAfterItIsDeleted()
    {
        var location = await system.AddLocationAsync();
        var device = await system.AddDeviceAsync(location, ports: 1);
        var seed = new Seed(system.Channel, system.As);
        var connection = await _steps.AvailableAsync(NewAccount(), location);
        var gateway = await seed.AvailableGatewayAsync(connection.AccountId);
        var vif = await seed.CreateInterfaceAsync(connection.AccountId, Seed.Interface(connection, gateway, vlan: 100));
        Assert.Equal([vif.Id], (await _steps.GetAsync(connection.Id)).VirtualInterfaceIds);

        var refused = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _steps.DeleteAsync(connection));
        Assert.Equal("PHYSICAL_CONNECTION_IN_USE", refused.Reason());
        Assert.Equal([vif.Id], refused.Detail<PreconditionFailure>().Violations.Select(v => v.Subject));

        await seed.DeleteInterfaceAsync(connection.AccountId, vif.Id);
        await Seed.EventuallyAsync(() => _steps.GetAsync(connection.Id), c => c.VirtualInterfaceIds.Count == 0, "released the deleted interface's reservation");
        var deleted = await _steps.DeleteAsync(connection);
        Assert.Equal(PhysicalConnection.Types.State.Deleted, deleted.State);
        var devices = new AccessDeviceService.AccessDeviceServiceClient(system.Channel);
        var freed = await devices.GetAccessDeviceAsync(new GetAccessDeviceRequest { Region = Lifecycle.Region, Id = device.Id }, _steps.Operator);
        Assert.Equal("", freed.Ports.Single().AllocatedPhysicalConnectionId);

        var next = await _steps.PayAsync(await _steps.ApproveAsync(await _steps.OrderAsync(NewAccount(), location)));
        Assert.Equal(device.Id, next.Port.AccessDeviceId); // free at once, no waiting
    }

    [Fact]
    public async Task ADeletedConnectionHoldsNoPortItsHistoryNamesThePortAndOnlyTheNextHolderClaimsIt()
    {
        var location = await system.AddLocationAsync();
        var device = await system.AddDeviceAsync(location, ports: 1);
        var first = await _steps.PayAsync(await _steps.ApproveAsync(await _steps.OrderAsync(NewAccount(), location)));
        var port = new PortAssignment { AccessDeviceId = device.Id, PortName = "xe-0/0/0" };
        Assert.Equal(port, first.Port);

        var deleted = await _steps.DeleteAsync(first);
        Assert.Null(deleted.Port);
        var read = await _steps.GetAsync(first.Id);
        Assert.Equal(PhysicalConnection.Types.State.Deleted, read.State);
        Assert.Null(read.Port);
        var deletion = read.History[^1];
        Assert.Equal(PhysicalConnection.Types.State.Deleted, deletion.State);
        Assert.Equal(port, deletion.ReleasedPort);
        Assert.Equal($"deleted; released port {device.Id} xe-0/0/0", deletion.Reason);
        Assert.All(read.History.SkipLast(1), t => Assert.Null(t.ReleasedPort));

        var next = await _steps.PayAsync(await _steps.ApproveAsync(await _steps.OrderAsync(NewAccount(), location)));
        Assert.Equal(port, next.Port);
        var claimants = new List<string>();
        var request = new ListPhysicalConnectionsRequest { Region = Lifecycle.Region, ShowDeleted = true, PageSize = 1000 };
        do
        {
            var page = await _steps.Client.ListPhysicalConnectionsAsync(request, _steps.Operator);
            claimants.AddRange(page.PhysicalConnections.Where(c => port.Equals(c.Port)).Select(c => c.Id));
            request.PageToken = page.NextPageToken;
        }
        while (request.PageToken.Length > 0);
        Assert.Equal([next.Id], claimants);
    }

    [Fact]
    public async Task AReservationNeedsAnAvailableConnection()
    {
        var location = await system.AddLocationAsync();
        var ordered = await _steps.OrderAsync(NewAccount(), location);
        var reservations = new InternalV1.PhysicalConnectionReservationService.PhysicalConnectionReservationServiceClient(system.InternalChannel);
        var status = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, async () => await reservations.ReservePhysicalConnectionAsync(
            new InternalV1.ReservePhysicalConnectionRequest { Region = Lifecycle.Region, Id = ordered.Id, AccountId = ordered.AccountId, VirtualInterfaceId = "dxvif-0000000000b2", Vlan = 7 },
            system.AsService("virtual-interfaces")));
        Assert.Equal("STATE_APPLYING", status.Detail<ErrorInfo>().Metadata["currentState"]);
    }

    [Fact]
    public async Task AnAccessDeviceCanBeDeletedOnlyWhileNoneOfItsPortsIsHeld()
    {
        var location = await system.AddLocationAsync();
        var device = await system.AddDeviceAsync(location, ports: 2);
        var devices = new AccessDeviceService.AccessDeviceServiceClient(system.Channel);
        var paid = await _steps.PayAsync(await _steps.ApproveAsync(await _steps.OrderAsync(NewAccount(), location)));

        var refused = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, async () =>
            await devices.DeleteAccessDeviceAsync(new DeleteAccessDeviceRequest { Region = Lifecycle.Region, Id = device.Id }, _steps.Operator));
        Assert.Equal("ACCESS_DEVICE_IN_USE", refused.Reason());
        Assert.Equal([paid.Id], refused.Detail<PreconditionFailure>().Violations.Select(v => v.Subject));

        await _steps.DeleteAsync(paid);
        var deleted = await devices.DeleteAccessDeviceAsync(new DeleteAccessDeviceRequest { Region = Lifecycle.Region, Id = device.Id }, _steps.Operator);
        Assert.Equal(AccessDevice.Types.State.Deleted, deleted.State);

        var waiting = await _steps.PayAsync(await _steps.ApproveAsync(await _steps.OrderAsync(NewAccount(), location)));
        Assert.True(waiting.WaitingForPort); // a deleted device's ports are not allocated
    }

    [Fact]
    public async Task BadInventoryInputNamesEveryBadField()
    {
        var devices = new AccessDeviceService.AccessDeviceServiceClient(system.Channel);
        var device = new AccessDevice { LocationId = "nowhere", Name = "" };
        device.Ports.Add(new AccessDevice.Types.Port { Name = "xe-0/0/0", Speed = PortSpeed._10G });
        device.Ports.Add(new AccessDevice.Types.Port { Name = "xe-0/0/0", Speed = PortSpeed.Unspecified });
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () =>
            await devices.CreateAccessDeviceAsync(new CreateAccessDeviceRequest { Region = Lifecycle.Region, AccessDevice = device }, _steps.Operator));
        Assert.Equal(
            ["access_device.location_id", "access_device.name", "access_device.ports[1].name", "access_device.ports[1].speed"],
            status.Detail<BadRequest>().FieldViolations.Select(v => v.Field));

        var locations = new LocationService.LocationServiceClient(system.Channel);
        var duplicate = await RpcAssert.FailsWith(StatusCode.AlreadyExists, async () => await locations.CreateLocationAsync(
            new CreateLocationRequest { Region = Lifecycle.Region, Location = new Location { Code = "BJ-YZ-01", Name = "again" } }, _steps.Operator));
        Assert.Equal("LOCATION_CODE_TAKEN", duplicate.Reason());

        var unknownLocation = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => _steps.OrderAsync(NewAccount(), "loc-000000000000"));
        Assert.Contains(unknownLocation.Detail<BadRequest>().FieldViolations, v => v.Field == "physical_connection.location_id");
    }
}
