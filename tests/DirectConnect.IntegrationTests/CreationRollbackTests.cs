using DirectConnect.Contracts.V1;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// A creation that is rolled back — here the gateway refuses the IDC prefix after the line was
/// already reserved — releases what it took, and the change feed says only what happened: the
/// line's reservations changed, and no virtual interface was deleted, since none existed.
/// </summary>
public sealed class CreationRollbackTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    [Fact]
    public async Task ARolledBackCreationReleasesTheLineAndIsNotReportedAsADeletion()
    {
        var account = "rollback-" + Guid.NewGuid().ToString("N")[..8];
        var seed = new Seed(system.Channel, system.As);
        var customer = seed.Customer(account);
        await system.AddDeviceAsync(system.DefaultLocationId, ports: 1);
        var line = await seed.Lines.AvailableAsync(account, system.DefaultLocationId);
        var vpc = await seed.RegisterVpcAsync(account, "10.50.0.0/16");
        var gateway = await seed.AttachedAsync(account, (await seed.AvailableGatewayAsync(account)).Id, vpc.Id);

        var request = new CreateVirtualInterfaceRequest
        {
            Region = Seed.Region, RequestId = Guid.NewGuid().ToString(),
            VirtualInterface = Seed.Interface(line, gateway, vlan: 42, idcPrefix: "10.50.1.0/24"), // overlaps the VPC: the gateway refuses it
        };
        var refused = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () => await seed.Interfaces.CreateVirtualInterfaceAsync(request, customer));
        Assert.Equal("CIDR_OVERLAP", refused.Reason());
        Assert.Equal(["virtual_interface.idc_prefixes[0]"], refused.Detail<Google.Rpc.BadRequest>().FieldViolations.Select(v => v.Field));

        // The line had been reserved before the gateway refused: it is released, and its VLAN is free again.
        await Seed.EventuallyAsync(() => seed.Lines.GetAsync(line.Id), l => l.VirtualInterfaceIds.Count == 0, "released the rolled-back creation's reservation");
        var fine = await seed.CreateInterfaceAsync(account, Seed.Interface(line, gateway, vlan: 42, idcPrefix: "192.168.42.0/24"));

        var every = await seed.Interfaces.ListVirtualInterfacesAsync(new ListVirtualInterfacesRequest { Region = Seed.Region, ShowDeleted = true }, customer);
        Assert.Equal([fine.Id], every.VirtualInterfaces.Select(v => v.Id));
        var feed = await Feed.ReadAsync(system.Channel, customer, TimeSpan.FromSeconds(2));
        Assert.Contains(feed, c => c.ResourceId == line.Id && c.ChangeType == Change.Types.ChangeType.Updated); // the line's reservations did change
        Assert.All(feed.Where(c => c.ResourceType == "virtualInterface"), c => Assert.Equal(fine.Id, c.ResourceId)); // only the interface that exists
        Assert.Empty(Feed.DeletionsOfInterfacesThatNeverExisted(feed, every.VirtualInterfaces));
    }
}
