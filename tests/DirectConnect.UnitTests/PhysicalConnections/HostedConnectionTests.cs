using DirectConnect.Platform.Errors;
using DirectConnect.PhysicalConnections.Domain;

namespace DirectConnect.UnitTests.PhysicalConnections;

/// <summary>
/// Hosted connections in the domain: a partner's 1 Gbit/s line hosts sub-rate shares on VLANs it shares with its own
/// virtual interfaces, never more bandwidth than it has, and a decline or delete frees the share at once.
/// </summary>
public sealed class HostedConnectionTests
{
    private static readonly DateTimeOffset Noon = new(2026, 12, 4, 12, 0, 0, TimeSpan.Zero);

    private static PhysicalConnection Line(PhysicalConnectionState state = PhysicalConnectionState.Available) =>
        PhysicalConnection.Order("dxpc-0123456789ab", "partner-a", "cn-north-1",
            new PhysicalConnectionSpec("interconnect", "", "loc-bj01", PortSpeed.Speed1G, 1000, "Carrier", ""), "partner-a", Noon, "e1")
        with { State = state };

    private static HostedConnection Allocated(PhysicalConnection line, string id, int vlan, int mbps) =>
        HostedConnection.Allocate(id, line, "Partner A", "acme", vlan, mbps, "partner:partner-a", Noon, "h1");

    [Fact]
    public void AnAllocatedConnectionAwaitsTheCustomerAndNamesBothSidesAndTheLine()
    {
        var hosted = Allocated(Line(), "dxhc-000000000001", 101, 200);
        Assert.Equal("acme", hosted.AccountId);
        Assert.Equal("partner-a", hosted.PartnerAccountId);
        Assert.Equal("dxpc-0123456789ab", hosted.PhysicalConnectionId);
        Assert.Equal("loc-bj01", hosted.LocationId);
        Assert.Equal(HostedConnectionState.PendingAcceptance, hosted.State);
        Assert.True(hosted.HoldsLine);
        Assert.Equal(new HostedHold("dxhc-000000000001", 101, 200), hosted.Hold);
        Assert.Equal([new HostedConnectionTransition(HostedConnectionState.PendingAcceptance, Noon, "partner:partner-a", "allocated")], hosted.History);
    }

    [Fact]
    public void OnlyAPendingConnectionIsAcceptedOrDeclinedAndADeclinedOrDeletedOneHoldsNothing()
    {
        var pending = Allocated(Line(), "dxhc-000000000001", 101, 200);
        Assert.True(pending.Allows(HostedConnectionOperation.Accept));
        Assert.True(pending.Allows(HostedConnectionOperation.Decline));

        var accepted = pending.Enter(HostedConnectionState.Available, "customer:acme", "accepted", Noon.AddMinutes(1), "h2");
        Assert.False(accepted.Allows(HostedConnectionOperation.Accept));
        Assert.False(accepted.Allows(HostedConnectionOperation.Decline));
        Assert.True(accepted.Allows(HostedConnectionOperation.Delete));
        Assert.True(accepted.HoldsLine);
        Assert.Equal(2, accepted.History.Count);

        var declined = pending.Enter(HostedConnectionState.Declined, "customer:acme", "declined", Noon.AddMinutes(1), "h3");
        Assert.False(declined.HoldsLine);
        Assert.False(declined.Allows(HostedConnectionOperation.Accept));
        Assert.True(declined.Allows(HostedConnectionOperation.Delete));

        var deleted = accepted.Enter(HostedConnectionState.Deleted, "partner:partner-a", "deleted", Noon.AddMinutes(2), "h4");
        Assert.False(deleted.HoldsLine);
        Assert.False(deleted.Allows(HostedConnectionOperation.Delete));
    }

    [Fact]
    public void ALineHostsUpToItsBandwidthOnVlansItSharesWithItsOwnInterfaces()
    {
        var line = Line().WithReservation(new VlanReservation("dxvif-00000000000a", 100), Noon, "e2");
        Assert.Null(HostedCapacity.Refusal(line, 101, 500));
        line = line.WithHostedHold(Allocated(line, "dxhc-000000000001", 101, 500).Hold, Noon, "e3")
            .WithHostedHold(Allocated(line, "dxhc-000000000002", 102, 400).Hold, Noon, "e4");
        Assert.Equal(900, line.HostedBandwidthMbps);

        // The VLAN of the line's own interface, and of another hosted connection, are taken.
        Assert.Equal(new HostingRefusal.VlanInUse("dxvif-00000000000a"), HostedCapacity.Refusal(line, 100, 50));
        Assert.Equal(new HostingRefusal.VlanInUse("dxhc-000000000001"), HostedCapacity.Refusal(line, 101, 50));
        // 900 of 1,000 Mbit/s are hosted: 100 more fits exactly, 200 does not.
        Assert.Null(HostedCapacity.Refusal(line, 103, 100));
        Assert.Equal(new HostingRefusal.CapacityExceeded(900, 1000), HostedCapacity.Refusal(line, 103, 200));
        Assert.Equal(["dxvif-00000000000a", "dxhc-000000000001", "dxhc-000000000002"], line.Dependants);

        // Declining or deleting frees the VLAN and the bandwidth at once.
        var freed = line.WithoutHostedHold("dxhc-000000000001", Noon, "e5");
        Assert.Equal(400, freed.HostedBandwidthMbps);
        Assert.Null(HostedCapacity.Refusal(freed, 101, 500));
        Assert.Same(freed, freed.WithoutHostedHold("dxhc-000000000001", Noon, "e6"));
    }

    [Fact]
    public void OnlyAnAvailableLineHostsAndTheSameHoldTwiceIsOneHold()
    {
        Assert.Equal(new HostingRefusal.LineNotAvailable(PhysicalConnectionState.UnderConstruction),
            HostedCapacity.Refusal(Line(PhysicalConnectionState.UnderConstruction), 101, 50));
        var line = Line();
        var hold = Allocated(line, "dxhc-000000000001", 101, 50).Hold;
        var once = line.WithHostedHold(hold, Noon, "e2");
        Assert.Same(once, once.WithHostedHold(hold, Noon, "e3"));
        Assert.Single(once.HostedHolds);
    }

    [Fact]
    public void AnAllocationNamesEveryBadField()
    {
        var validation = new RequestValidation();
        HostedBandwidth.Validate(validation, "hosted_connection.", "partner-a", "partner-a", 4095, 150);
        var error = Assert.Throws<DomainException>(validation.ThrowIfInvalid);
        Assert.Equal(["hosted_connection.vlan", "hosted_connection.bandwidth_mbps", "hosted_connection.account_id"],
            error.FieldViolations.Select(v => v.Field));

        var fine = new RequestValidation();
        foreach (var step in HostedBandwidth.StepsMbps)
        {
            HostedBandwidth.Validate(fine, "", "acme", "partner-a", 1, step);
        }

        fine.ThrowIfInvalid();
        Assert.Equal(50, HostedBandwidth.StepsMbps[0]);
        Assert.Equal(10_000, HostedBandwidth.StepsMbps[^1]);
    }
}
