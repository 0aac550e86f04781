using DirectConnect.PhysicalConnections.Domain;

namespace DirectConnect.UnitTests.PhysicalConnections;

public sealed class PortPoolTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void DevicesAreOrderedByWhenTheyWereAddedThenById()
    {
        PoolDevice[] devices = [new("dxdev-c", T0.AddMinutes(1)), new("dxdev-b", T0.AddMinutes(1)), new("dxdev-a", T0.AddMinutes(2)), new("dxdev-z", T0)];
        Assert.Equal(["dxdev-z", "dxdev-b", "dxdev-c", "dxdev-a"], devices.Order(Comparer<PoolDevice>.Create(PoolDevice.Compare)).Select(d => d.DeviceId));
    }

    [Fact]
    public void AConnectionTakesAPortAtOnceOnlyWhenOneIsFreeAndNobodyWaits()
    {
        var empty = PortPool.Empty("loc-a", PortSpeed.Speed1G);
        Assert.False(empty.CanAllocateAtOnce);
        var withRoom = empty with { FreeDevices = [new PoolDevice("dxdev-a", T0)] };
        Assert.True(withRoom.CanAllocateAtOnce);
        Assert.False(withRoom.WithWaiter("dxpc-1").CanAllocateAtOnce); // earlier payers go first
    }

    [Fact]
    public void WaitersQueueInPaymentOrderOnce()
    {
        var pool = PortPool.Empty("loc-a", PortSpeed.Speed1G).WithWaiter("dxpc-1").WithWaiter("dxpc-2").WithWaiter("dxpc-1").WithWaiter("dxpc-3");
        Assert.Equal(["dxpc-1", "dxpc-2", "dxpc-3"], pool.Waiters);
        Assert.Equal(["dxpc-1", "dxpc-3"], pool.WithoutWaiter("dxpc-2").Waiters);
    }
}
