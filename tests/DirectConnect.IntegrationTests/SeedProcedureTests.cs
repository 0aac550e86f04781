using System.Net;
using System.Text.Json.Nodes;
using DirectConnect.Contracts.V1;
using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>The seed procedure end to end through the gateway, and the rules of border gateways and virtual interfaces.</summary>
public sealed class SeedProcedureTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private readonly Seed _seed = new(system.Channel, system.As);

    private static string NewAccount() => "seed-" + Guid.NewGuid().ToString("N")[..10];

    private async Task<PhysicalConnection> AvailableLineAsync(string account)
    {
        var location = await system.AddLocationAsync();
        await system.AddDeviceAsync(location, ports: 1);
        return await _seed.Lines.AvailableAsync(account, location);
    }

    [Fact]
    public async Task TheSeedProcedureRunsFromLineToRouterConfiguration()
    {
        var account = NewAccount();
        var line = await AvailableLineAsync(account);
        var vpc = await _seed.RegisterVpcAsync(account, "10.0.0.0/16");

        var gateway = await _seed.AttachedAsync(account, (await _seed.AvailableGatewayAsync(account)).Id, vpc.Id);
        Assert.Equal(BorderGateway.Types.State.Available, gateway.State);
        Assert.Equal(64512, gateway.Asn);
        var attached = Assert.Single(gateway.VpcAttachments);
        Assert.Equal((vpc.Id, BorderGateway.Types.VpcAttachment.Types.State.Attached), (attached.VpcId, attached.State));

        var later = await _seed.RegisterVpcAsync(account, "10.1.0.0/16");
        await Seed.EventuallyAsync(() => _seed.GetGatewayAsync(account, gateway.Id),
            g => g.VpcAttachments.Any(a => a.VpcId == later.Id && a.State == BorderGateway.Types.VpcAttachment.Types.State.Attached),
            "attached the VPC registered later");

        var request = Seed.Interface(line, gateway, vlan: 100);
        request.Bgp.AuthKey = "s3cr3t-md5-key";
        var created = await _seed.CreateInterfaceAsync(account, request);
        Assert.StartsWith("dxvif-", created.Id, StringComparison.Ordinal);
        Assert.Equal("", created.Bgp.AuthKey);
        Assert.True(created.Bgp.AuthKeySet);
        Assert.Equal(gateway.Asn, created.Bgp.CloudAsn);

        var available = await Seed.EventuallyAsync(() => _seed.GetInterfaceAsync(account, created.Id),
            v => v.State == VirtualInterface.Types.State.Available, "became AVAILABLE");
        Assert.Equal(VirtualInterface.Types.BgpStatus.Down, available.BgpStatus);
        Assert.Equal("", available.Bgp.AuthKey);
        Assert.Contains(created.Id, (await _seed.Lines.GetAsync(line.Id)).VirtualInterfaceIds);
        Assert.Contains(created.Id, (await _seed.GetGatewayAsync(account, gateway.Id)).VirtualInterfaceIds);

        var frr = await _seed.Interfaces.GetRouterConfigurationAsync(
            new GetRouterConfigurationRequest { Region = Seed.Region, Id = created.Id, Vendor = RouterVendor.Frr }, _seed.Customer(account));
        foreach (var expected in new[] { "100", "169.254.0.2", "169.254.0.1", "65001", "64512", "192.168.0.0/24", "password REPLACE-WITH-BGP-MD5-KEY" })
        {
            Assert.Contains(expected, frr.Content, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("s3cr3t-md5-key", frr.Content, StringComparison.Ordinal); // write-only, even here

        using var http = system.Rest(account, "customer");
        var response = await http.GetAsync($"/v1/regions/{Seed.Region}/virtualInterfaces/{created.Id}/routerConfiguration?vendor=ROUTER_VENDOR_JUNIPER_JUNOS");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("vlan-id 100", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["content"]!.GetValue<string>(), StringComparison.Ordinal);
        var rest = JsonNode.Parse(await http.GetStringAsync($"/v1/regions/{Seed.Region}/virtualInterfaces/{created.Id}"))!;
        Assert.True(rest["bgp"]!["authKey"] is null || rest["bgp"]!["authKey"]!.GetValue<string>().Length == 0);
    }

    [Fact]
    public async Task DeletesGoInTheAllowedOrderAndTheRefusedOnesNameTheInterface()
    {
        var account = NewAccount();
        var line = await AvailableLineAsync(account);
        var gateway = await _seed.AvailableGatewayAsync(account);
        var vif = await _seed.CreateInterfaceAsync(account, Seed.Interface(line, gateway, vlan: 200));

        var lineRefused = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _seed.Lines.DeleteAsync(line));
        Assert.Equal("PHYSICAL_CONNECTION_IN_USE", lineRefused.Reason());
        Assert.Equal([vif.Id], lineRefused.Detail<PreconditionFailure>().Violations.Select(v => v.Subject));
        var gatewayRefused = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, async () =>
            await _seed.Gateways.DeleteBorderGatewayAsync(new DeleteBorderGatewayRequest { Region = Seed.Region, Id = gateway.Id }, _seed.Customer(account)));
        Assert.Equal("BORDER_GATEWAY_IN_USE", gatewayRefused.Reason());

        Assert.Equal(VirtualInterface.Types.State.Deleted, (await _seed.DeleteInterfaceAsync(account, vif.Id)).State);
        await Seed.EventuallyAsync(() => _seed.Lines.GetAsync(line.Id), c => c.VirtualInterfaceIds.Count == 0, "released the line");
        await Seed.EventuallyAsync(() => _seed.GetGatewayAsync(account, gateway.Id), g => g.VirtualInterfaceIds.Count == 0, "released the gateway");

        Assert.Equal(BorderGateway.Types.State.Deleted,
            (await _seed.Gateways.DeleteBorderGatewayAsync(new DeleteBorderGatewayRequest { Region = Seed.Region, Id = gateway.Id }, _seed.Customer(account))).State);
        Assert.Equal(PhysicalConnection.Types.State.Deleted, (await _seed.Lines.DeleteAsync(line)).State);
    }

    [Fact]
    public async Task EveryStaticRuleBrokenAtOnceIsNamedInOneInvalidArgument()
    {
        var account = NewAccount();
        var vif = new VirtualInterface
        {
            Name = "",
            Description = new string('d', 300),
            Type = (VirtualInterfaceType)7,
            PhysicalConnectionId = "pc-1",
            BorderGatewayId = "",
            Vlan = 4095,
            BandwidthMbps = 0,
            Bgp = new BgpPeering { CustomerAsn = 23456, CloudAddress = "169.254.1.0/30", CustomerAddress = "169.254.1.2/29", AuthKey = "has space" },
            IdcPrefixes = { "192.168.1.1/24", "10.0.0.0/8", "10.1.0.0/16" },
        };
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => _seed.CreateInterfaceAsync(account, vif));
        var fields = status.Detail<BadRequest>().FieldViolations.Select(v => v.Field).ToArray();
        Assert.Equal(
            [
                "virtual_interface.type", "virtual_interface.name", "virtual_interface.description", "virtual_interface.physical_connection_id",
                "virtual_interface.border_gateway_id", "virtual_interface.vlan", "virtual_interface.bandwidth_mbps", "virtual_interface.bgp.customer_asn",
                "virtual_interface.bgp.cloud_address", "virtual_interface.bgp.customer_address", "virtual_interface.bgp.auth_key",
                "virtual_interface.idc_prefixes[0]", "virtual_interface.idc_prefixes[2]",
            ],
            fields);
        Assert.DoesNotContain("has space", status.ToString(), StringComparison.Ordinal); // the key is never echoed
        Assert.Empty((await _seed.Interfaces.ListVirtualInterfacesAsync(new ListVirtualInterfacesRequest { Region = Seed.Region, ShowDeleted = true }, _seed.Customer(account))).VirtualInterfaces);
    }

    [Theory]
    [InlineData("169.254.1.1/30", "169.254.1.1/30", "virtual_interface.bgp.customer_address")] // not distinct
    [InlineData("169.254.1.1/30", "169.254.1.6/30", "virtual_interface.bgp.customer_address")] // other subnet
    [InlineData("169.254.1.1/30", "169.254.1.3/30", "virtual_interface.bgp.customer_address")] // broadcast
    [InlineData("169.254.1.1/29", "169.254.1.2/29", "virtual_interface.bgp.cloud_address")]   // not /30 or /31
    [InlineData("169.254.1.0/31", "169.254.1.1/31", null)]                                     // a /31 uses both
    public async Task PeerAddressesShareAUsableSubnet(string cloud, string customer, string? badField)
    {
        var account = NewAccount();
        var line = await AvailableLineAsync(account);
        var gateway = await _seed.AvailableGatewayAsync(account);
        var vif = Seed.Interface(line, gateway, vlan: 300);
        vif.Bgp.CloudAddress = cloud;
        vif.Bgp.CustomerAddress = customer;
        if (badField is null)
        {
            Assert.Equal(VirtualInterface.Types.State.Configuring, (await _seed.CreateInterfaceAsync(account, vif)).State);
            return;
        }

        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => _seed.CreateInterfaceAsync(account, vif));
        Assert.Contains(badField, status.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task RulesThatNeedTheLineAndTheGatewayAreNamedToo()
    {
        var account = NewAccount();
        var line = await AvailableLineAsync(account);
        var gateway = await _seed.AvailableGatewayAsync(account, asn: 64600);
        var vif = Seed.Interface(line, gateway, vlan: 10);
        vif.BandwidthMbps = line.BandwidthMbps + 1;
        vif.Bgp.CustomerAsn = 64600;
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => _seed.CreateInterfaceAsync(account, vif));
        Assert.Equal(["virtual_interface.bandwidth_mbps", "virtual_interface.bgp.customer_asn"], status.Detail<BadRequest>().FieldViolations.Select(v => v.Field));

        var stranger = NewAccount();
        var foreign = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => _seed.CreateInterfaceAsync(stranger, Seed.Interface(line, gateway, vlan: 11)));
        Assert.Equal(["virtual_interface.physical_connection_id", "virtual_interface.border_gateway_id"], foreign.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task AVlanIsUsedOnceOnALineAndIsFreeAgainAfterDeletion()
    {
        var account = NewAccount();
        var line = await AvailableLineAsync(account);
        var gateway = await _seed.AvailableGatewayAsync(account);
        var first = await _seed.CreateInterfaceAsync(account, Seed.Interface(line, gateway, vlan: 42, idcPrefix: "192.168.1.0/24"));

        var clash = await RpcAssert.FailsWith(StatusCode.AlreadyExists, () => _seed.CreateInterfaceAsync(account, Seed.Interface(line, gateway, vlan: 42, idcPrefix: "192.168.2.0/24", subnet: 1)));
        Assert.Equal("VLAN_IN_USE", clash.Reason());
        Assert.Equal(["virtual_interface.vlan"], clash.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
        Assert.Equal([first.Id], (await _seed.Lines.GetAsync(line.Id)).VirtualInterfaceIds); // the loser's reservation is not left behind
        await Seed.EventuallyAsync(() => _seed.GetGatewayAsync(account, gateway.Id), g => g.VirtualInterfaceIds.SequenceEqual([first.Id]), "released the loser's gateway reservation");

        await _seed.DeleteInterfaceAsync(account, first.Id);
        await Seed.EventuallyAsync(() => _seed.Lines.GetAsync(line.Id), c => c.VirtualInterfaceIds.Count == 0, "released the VLAN");
        await _seed.CreateInterfaceAsync(account, Seed.Interface(line, gateway, vlan: 42, idcPrefix: "192.168.3.0/24"));
    }

    [Fact]
    public async Task IdcPrefixesAndVpcCidrsThroughOneGatewayNeverOverlap()
    {
        var account = NewAccount();
        var line = await AvailableLineAsync(account);
        var vpc = await _seed.RegisterVpcAsync(account, "10.0.0.0/16");
        var gateway = await _seed.AttachedAsync(account, (await _seed.AvailableGatewayAsync(account)).Id, vpc.Id);

        var overlap = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => _seed.CreateInterfaceAsync(account, Seed.Interface(line, gateway, vlan: 5, idcPrefix: "10.0.8.0/24")));
        Assert.Equal("CIDR_OVERLAP", overlap.Reason());
        var violation = Assert.Single(overlap.Detail<BadRequest>().FieldViolations);
        Assert.Equal("virtual_interface.idc_prefixes[0]", violation.Field);
        Assert.Contains("10.0.8.0/24", violation.Description, StringComparison.Ordinal);
        Assert.Contains("10.0.0.0/16", violation.Description, StringComparison.Ordinal);
        // The refused creation's reservation on the line is rolled back (through the deletion event).
        await Seed.EventuallyAsync(() => _seed.Lines.GetAsync(line.Id), c => c.VirtualInterfaceIds.Count == 0, "rolled back the refused creation");

        await _seed.CreateInterfaceAsync(account, Seed.Interface(line, gateway, vlan: 6, idcPrefix: "172.16.0.0/16"));
        var clashing = await _seed.RegisterVpcAsync(account, "172.16.4.0/22");
        var refused = await Seed.EventuallyAsync(() => _seed.GetGatewayAsync(account, gateway.Id),
            g => g.VpcAttachments.Any(a => a.VpcId == clashing.Id), "recorded the clashing VPC");
        var attachment = refused.VpcAttachments.Single(a => a.VpcId == clashing.Id);
        Assert.Equal(BorderGateway.Types.VpcAttachment.Types.State.Refused, attachment.State);
        Assert.Contains("172.16.0.0/16", attachment.Reason, StringComparison.Ordinal);

        await _seed.Vpcs.DeregisterVpcAsync(new DeregisterVpcRequest { Region = Seed.Region, Id = vpc.Id }, _seed.Operator);
        await Seed.EventuallyAsync(() => _seed.GetGatewayAsync(account, gateway.Id), g => g.VpcAttachments.All(a => a.VpcId != vpc.Id), "detached the deregistered VPC");
    }

    [Fact]
    public async Task AnInterfaceCanBeRenamedAndResizedWithinItsLine()
    {
        var account = NewAccount();
        var line = await AvailableLineAsync(account);
        var gateway = await _seed.AvailableGatewayAsync(account);
        var vif = await _seed.CreateInterfaceAsync(account, Seed.Interface(line, gateway, vlan: 12));
        var update = new UpdateVirtualInterfaceRequest
        {
            Region = Seed.Region, Id = vif.Id, VirtualInterface = new VirtualInterface { Name = "renamed", BandwidthMbps = line.BandwidthMbps },
            UpdateMask = Google.Protobuf.WellKnownTypes.FieldMask.FromString("name,bandwidth_mbps"),
        };
        var updated = await _seed.Interfaces.UpdateVirtualInterfaceAsync(update, _seed.Customer(account));
        Assert.Equal(("renamed", line.BandwidthMbps, vif.Vlan), (updated.Name, updated.BandwidthMbps, updated.Vlan));

        update.VirtualInterface.BandwidthMbps = line.BandwidthMbps + 1;
        var tooMuch = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () => await _seed.Interfaces.UpdateVirtualInterfaceAsync(update, _seed.Customer(account)));
        Assert.Equal(["virtual_interface.bandwidth_mbps"], tooMuch.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
        update.UpdateMask = Google.Protobuf.WellKnownTypes.FieldMask.FromString("vlan");
        var fixedField = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () => await _seed.Interfaces.UpdateVirtualInterfaceAsync(update, _seed.Customer(account)));
        Assert.Equal(["update_mask"], fixedField.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
    }

    [Fact]
    public async Task ABorderGatewayNeedsANameAndAUsableAsn()
    {
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () => await _seed.Gateways.CreateBorderGatewayAsync(new CreateBorderGatewayRequest
        {
            Region = Seed.Region, BorderGateway = new BorderGateway { Name = "", Description = new string('d', 300), Asn = 23456 },
        }, _seed.Customer(NewAccount())));
        Assert.Equal(["border_gateway.name", "border_gateway.description", "border_gateway.asn"], status.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
        await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () => await _seed.Gateways.CreateBorderGatewayAsync(new CreateBorderGatewayRequest
        {
            Region = Seed.Region, BorderGateway = new BorderGateway { Name = "x", Asn = 4294967295 },
        }, _seed.Customer(NewAccount())));
    }

    [Fact]
    public async Task AnotherAccountsGatewayAndInterfaceAreNotFound()
    {
        var account = NewAccount();
        var line = await AvailableLineAsync(account);
        var gateway = await _seed.AvailableGatewayAsync(account);
        var vif = await _seed.CreateInterfaceAsync(account, Seed.Interface(line, gateway, vlan: 13));
        var stranger = NewAccount();
        await RpcAssert.FailsWith(StatusCode.NotFound, () => _seed.GetGatewayAsync(stranger, gateway.Id));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => _seed.GetInterfaceAsync(stranger, vif.Id));
        await RpcAssert.FailsWith(StatusCode.NotFound, () => _seed.DeleteInterfaceAsync(stranger, vif.Id));
        Assert.Equal(vif.Id, (await _seed.GetInterfaceAsync(account, vif.Id)).Id);
    }

    [Fact]
    public async Task AnInterfaceNeedsAnAvailableLine()
    {
        var account = NewAccount();
        var location = await system.AddLocationAsync();
        var ordered = await _seed.Lines.OrderAsync(account, location);
        var gateway = await _seed.AvailableGatewayAsync(account);
        var status = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _seed.CreateInterfaceAsync(account, Seed.Interface(ordered, gateway, vlan: 9)));
        Assert.Equal("STATE_APPLYING", status.Detail<ErrorInfo>().Metadata["currentState"]);
    }

    [Fact]
    public async Task ARetriedCreateWithTheSameRequestIdMakesOneInterface()
    {
        var account = NewAccount();
        var line = await AvailableLineAsync(account);
        var gateway = await _seed.AvailableGatewayAsync(account);
        var request = new CreateVirtualInterfaceRequest { Region = Seed.Region, VirtualInterface = Seed.Interface(line, gateway, vlan: 77), RequestId = Guid.NewGuid().ToString() };
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ => await _seed.Interfaces.CreateVirtualInterfaceAsync(request, _seed.Customer(account))));
        Assert.Single(results.Select(r => r.Id).Distinct());
        Assert.Single((await _seed.Interfaces.ListVirtualInterfacesAsync(new ListVirtualInterfacesRequest { Region = Seed.Region }, _seed.Customer(account))).VirtualInterfaces);
        await Seed.EventuallyAsync(() => _seed.Lines.GetAsync(line.Id), c => c.VirtualInterfaceIds.SequenceEqual([results[0].Id]), "kept only the winner's reservation");
    }
}
