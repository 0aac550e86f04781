using DirectConnect.PhysicalConnections.Domain;

namespace DirectConnect.UnitTests.PhysicalConnections;

public sealed class PhysicalConnectionTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 27, 12, 0, 0, TimeSpan.Zero);

    private static PhysicalConnection Ordered() => PhysicalConnection.Order("dxpc-0123456789ab", "acme", "cn-north-1",
        new PhysicalConnectionSpec("line", "", "loc-bj01", PortSpeed.Speed1G, 500, "Carrier", ""), "acme", Noon, "e1");

    [Fact]
    public void AnOrderedConnectionIsApplyingWithOneHistoryEntry()
    {
        var connection = Ordered();
        Assert.Equal(PhysicalConnectionState.Applying, connection.State);
        Assert.Equal([new StateTransition(PhysicalConnectionState.Applying, Noon, "acme", "ordered")], connection.History);
        Assert.Equal(Noon, connection.CreateTime);
        Assert.Equal(Noon, connection.UpdateTime);
        Assert.Null(connection.Port);
        Assert.False(connection.IsDeleted);
    }

    [Fact]
    public void EnteringAStateAppendsToTheHistoryAndChangesTheETag()
    {
        var later = Noon.AddMinutes(5);
        var deleted = Ordered().Enter(PhysicalConnectionState.Deleted, "acme", "deleted", later, "e2");
        Assert.True(deleted.IsDeleted);
        Assert.Equal(2, deleted.History.Count);
        Assert.Equal(new StateTransition(PhysicalConnectionState.Deleted, later, "acme", "deleted"), deleted.History[^1]);
        Assert.Equal("e2", deleted.ETag);
        Assert.Equal(Noon, deleted.CreateTime);
        Assert.Equal(later, deleted.UpdateTime);
    }

    [Fact]
    public void DeletingReleasesThePortIntoTheHistory()
    {
        var later = Noon.AddMinutes(5);
        var port = new PortAssignment("dxdev-0123456789ab", "xe-0/0/3");
        var holder = Ordered().WithPort(port, Noon, "e2");

        var deleted = holder.Delete("acme", later, "e3");
        Assert.True(deleted.IsDeleted);
        Assert.Null(deleted.Port);
        Assert.False(deleted.WaitingForPort);
        Assert.Equal("deleted; released port dxdev-0123456789ab xe-0/0/3", deleted.StateReason);
        Assert.Equal(new StateTransition(PhysicalConnectionState.Deleted, later, "acme", deleted.StateReason, port), deleted.History[^1]);

        var waiter = Ordered() with { WaitingForPort = true };
        var withdrawn = waiter.Delete("acme", later, "e4");
        Assert.False(withdrawn.WaitingForPort);
        Assert.Equal(new StateTransition(PhysicalConnectionState.Deleted, later, "acme", "deleted"), withdrawn.History[^1]);
    }

    [Fact]
    public void DescribingChangesOnlyWhatIsGiven()
    {
        var renamed = Ordered().Describe("new name", null, Noon.AddHours(1), "e3");
        Assert.Equal("new name", renamed.Name);
        Assert.Equal("", renamed.Description);
        Assert.Equal(PhysicalConnectionState.Applying, renamed.State);
        Assert.Single(renamed.History);
    }

    [Theory]
    [InlineData(PortSpeed.Speed1G, 1_000)]
    [InlineData(PortSpeed.Speed10G, 10_000)]
    [InlineData(PortSpeed.Speed100G, 100_000)]
    public void PortSpeedsConvertToMegabits(PortSpeed speed, int mbps) => Assert.Equal(mbps, speed.Mbps());
}
