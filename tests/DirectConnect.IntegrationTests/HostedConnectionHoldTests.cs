using DirectConnect.Platform.Errors;
using Grpc.Core;
using DirectConnect.PhysicalConnections.Application;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;
using Microsoft.Extensions.DependencyInjection;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Issue 18, work in progress: hosted connections' holds on a partner's real line, through the application service on the
/// embedded system's store (no API yet). A line hosts up to its bandwidth on VLANs it shares with its own interfaces;
/// racing allocations never exceed it nor share a VLAN; a decline or delete frees the share at once.
/// </summary>
public sealed class HostedConnectionHoldTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private readonly Lifecycle _steps = new(system.Channel, system.As);

    private HostedConnections Hosted => system.Services.GetRequiredService<HostedConnections>();

    private static string NewAccount(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..10]}";

    private async Task<V1.PhysicalConnection> PartnerLineAsync(string partner)
    {
        var location = await system.AddLocationAsync();
        await system.AddDeviceAsync(location, ports: 1, V1.PortSpeed._1G);
        return await _steps.AvailableAsync(partner, location, V1.PortSpeed._1G); // 1,000 Mbit/s
    }

    private Task<HostedConnection> AllocateAsync(string partner, V1.PhysicalConnection line, string customer, int vlan, int mbps) =>
        Hosted.AllocateAsync(partner, Lifecycle.Region, line.Id, customer, vlan, mbps, $"partner:{partner}", null, CancellationToken.None);

    [Fact]
    public async Task ALineHostsUpToItsBandwidthAndADeclineOrDeleteFreesTheShareAtOnce()
    {
        var partner = NewAccount("partner");
        var customer = NewAccount("acme");
        var line = await PartnerLineAsync(partner);

        var first = await AllocateAsync(partner, line, customer, 101, 500);
        var second = await AllocateAsync(partner, line, customer, 102, 400);
        Assert.Equal(HostedConnectionState.PendingAcceptance, first.State);

        var over = await Assert.ThrowsAsync<DomainException>(() => AllocateAsync(partner, line, customer, 103, 200));
        Assert.Equal(("HOSTED_CAPACITY_EXCEEDED", ErrorCode.ResourceExhausted), (over.Reason, over.Code));
        Assert.Contains("100 of its 1000 Mbit/s left", over.Message, StringComparison.Ordinal);
        var clash = await Assert.ThrowsAsync<DomainException>(() => AllocateAsync(partner, line, customer, 101, 50));
        Assert.Equal(("VLAN_IN_USE", first.Id), (clash.Reason, clash.Metadata["holder"]));
        // Another account's line is not found, even to a partner.
        var stranger = await Assert.ThrowsAsync<DomainException>(() => AllocateAsync(NewAccount("other"), line, customer, 110, 50));
        Assert.Equal(ErrorCode.NotFound, stranger.Code);

        // The customer declines the first: its VLAN and 500 Mbit/s are free at once.
        var declined = await Hosted.DeclineAsync(customer, Lifecycle.Region, first.Id, first.ETag, $"customer:{customer}", null, CancellationToken.None);
        Assert.Equal(HostedConnectionState.Declined, declined.State);
        var reused = await AllocateAsync(partner, line, customer, 101, 500);

        // The partner may not accept for the customer; the customer accepts; the partner deletes, which frees the share too.
        Assert.Equal(ErrorCode.NotFound, (await Assert.ThrowsAsync<DomainException>(() =>
            Hosted.AcceptAsync(partner, Lifecycle.Region, second.Id, "", $"partner:{partner}", null, CancellationToken.None))).Code);
        var accepted = await Hosted.AcceptAsync(customer, Lifecycle.Region, second.Id, "", $"customer:{customer}", null, CancellationToken.None);
        Assert.Equal(HostedConnectionState.Available, accepted.State);
        await Hosted.DeleteAsync(partner, Lifecycle.Region, accepted.Id, accepted.ETag, $"partner:{partner}", null, CancellationToken.None);
        await AllocateAsync(partner, line, customer, 102, 400);

        var stored = (await system.Services.GetRequiredService<PhysicalConnectionStore>().GetAsync(line.Id, CancellationToken.None))!.Value;
        Assert.Equal(900, stored.HostedBandwidthMbps);

        // The partner cannot delete a line that carries hosted connections: each is named.
        var inUse = await RpcAssert.FailsWith(Grpc.Core.StatusCode.FailedPrecondition, () => _steps.DeleteAsync(line));
        Assert.Equal("PHYSICAL_CONNECTION_IN_USE", inUse.Reason());
        Assert.Equal(stored.HostedHolds.Select(h => h.HostedConnectionId).Order(StringComparer.Ordinal),
            inUse.Detail<Google.Rpc.PreconditionFailure>().Violations.Where(v => v.Type == "HOSTED_CONNECTION").Select(v => v.Subject).Order(StringComparer.Ordinal));
        Assert.Equal([reused.Id], stored.HostedHolds.Where(h => h.Vlan == 101).Select(h => h.HostedConnectionId));
    }

    [Fact]
    public async Task RacingAllocationsNeverExceedTheLineNorShareAVlan()
    {
        var partner = NewAccount("partner");
        var line = await PartnerLineAsync(partner);

        // Ten allocations of 200 Mbit/s at once on 1,000: five fit.
        var bandwidth = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => Outcome(() => AllocateAsync(partner, line, NewAccount("c"), 200 + i, 200))));
        Assert.Equal(5, bandwidth.Count(o => o is null));
        Assert.All(bandwidth.OfType<DomainException>(), e => Assert.Equal("HOSTED_CAPACITY_EXCEEDED", e.Reason));
        // The line is full: nothing more fits, on any VLAN.
        var vlan = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Outcome(() => AllocateAsync(partner, line, NewAccount("c"), 900, 50))));
        Assert.All(vlan.OfType<DomainException>(), e => Assert.Equal("HOSTED_CAPACITY_EXCEEDED", e.Reason));

        var stored = (await system.Services.GetRequiredService<PhysicalConnectionStore>().GetAsync(line.Id, CancellationToken.None))!.Value;
        Assert.Equal(1000, stored.HostedBandwidthMbps);
        Assert.Equal(5, stored.HostedHolds.Select(h => h.Vlan).Distinct().Count());
    }

    [Fact]
    public async Task RacingAllocationsOfOneVlanGiveItToOne()
    {
        var partner = NewAccount("partner");
        var line = await PartnerLineAsync(partner);
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => Outcome(() => AllocateAsync(partner, line, NewAccount("c"), 900, 50))));
        Assert.Equal(1, outcomes.Count(o => o is null));
        Assert.All(outcomes.OfType<DomainException>(), e => Assert.Equal("VLAN_IN_USE", e.Reason));
        var stored = (await system.Services.GetRequiredService<PhysicalConnectionStore>().GetAsync(line.Id, CancellationToken.None))!.Value;
        Assert.Equal(50, stored.HostedBandwidthMbps);
    }

    [Fact]
    public async Task ARegisteredPartnerOrdersLinesUnderItsOwnQuotaAndIsRegisteredOnce()
    {
        var partner = NewAccount("partner");
        var registry = system.Services.GetRequiredService<PartnerRegistry>();
        var registered = await registry.RegisterAsync(Lifecycle.Region, partner, "Example Carrier Partner", 12, null, CancellationToken.None);
        Assert.Equal(12, registered.ConnectionQuota);
        var again = await Assert.ThrowsAsync<DomainException>(() =>
            registry.RegisterAsync(Lifecycle.Region, partner, "again", 0, null, CancellationToken.None));
        Assert.Equal("PARTNER_ALREADY_REGISTERED", again.Reason);

        // A customer's quota is 10 lines in a region; this partner's is 12, counted the same way (at once, as orders batch).
        var location = await system.AddLocationAsync();
        var orders = await Task.WhenAll(Enumerable.Range(0, 14).Select(i => Outcome(() => _steps.OrderAsync(partner, location, name: $"ic-{i}"))));
        Assert.Equal(12, orders.Count(o => o is null));
        Assert.All(orders.OfType<DomainException>(), e => Assert.Equal("PHYSICAL_CONNECTION_QUOTA_EXCEEDED", e.Reason));
    }

    private static async Task<DomainException?> Outcome(Func<Task> allocate)
    {
        try
        {
            await Task.Run(allocate);
            return null;
        }
        catch (DomainException e)
        {
            return e;
        }
        catch (RpcException e) when (e.GetRpcStatus()?.Reason() == "PHYSICAL_CONNECTION_QUOTA_EXCEEDED")
        {
            Assert.Equal("12", e.GetRpcStatus()!.Detail<Google.Rpc.ErrorInfo>().Metadata["quota"]);
            return new DomainException(ErrorCode.ResourceExhausted, "PHYSICAL_CONNECTION_QUOTA_EXCEEDED", e.Status.Detail);
        }
    }
}
