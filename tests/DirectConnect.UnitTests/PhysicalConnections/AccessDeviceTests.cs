using DirectConnect.Platform.Errors;
using DirectConnect.PhysicalConnections.Domain;

namespace DirectConnect.UnitTests.PhysicalConnections;

public sealed class AccessDeviceTests
{
    private static AccessDevice Device(params DevicePort[] ports) => new()
    {
        Id = "dxdev-1", Region = "cn-north-1", LocationId = "loc-a", Name = "asw-1", Ports = ports,
        CreateTime = DateTimeOffset.UnixEpoch, UpdateTime = DateTimeOffset.UnixEpoch, ETag = "e",
    };

    [Fact]
    public void TheLowestFreePortOfTheSpeedIsChosen()
    {
        var device = Device(new("xe-0/0/0", PortSpeed.Speed10G, "dxpc-x"), new("ge-0/0/1", PortSpeed.Speed1G), new("xe-0/0/2", PortSpeed.Speed10G), new("xe-0/0/3", PortSpeed.Speed10G));
        Assert.Equal("xe-0/0/2", device.LowestFreePort(PortSpeed.Speed10G)?.Name);
        Assert.Equal("ge-0/0/1", device.LowestFreePort(PortSpeed.Speed1G)?.Name);
        Assert.Null(device.LowestFreePort(PortSpeed.Speed100G));
    }

    [Fact]
    public void AllocatingAndReleasingMovesOnePort()
    {
        var device = Device(new("xe-0/0/0", PortSpeed.Speed10G), new("xe-0/0/1", PortSpeed.Speed10G));
        var held = device.Allocate("xe-0/0/0", "dxpc-a", DateTimeOffset.UnixEpoch, "e2");
        Assert.Equal(["dxpc-a"], held.Holders);
        Assert.Throws<InvalidOperationException>(() => held.Allocate("xe-0/0/0", "dxpc-b", DateTimeOffset.UnixEpoch, "e3"));
        var full = held.Allocate("xe-0/0/1", "dxpc-b", DateTimeOffset.UnixEpoch, "e3");
        Assert.False(full.HasFreePort(PortSpeed.Speed10G));
        var released = full.Release("dxpc-a", DateTimeOffset.UnixEpoch, "e4");
        Assert.Equal(["dxpc-b"], released.Holders);
        Assert.Equal("xe-0/0/0", released.LowestFreePort(PortSpeed.Speed10G)?.Name);
    }

    [Fact]
    public void ADeletedDeviceOffersNoPort() =>
        Assert.Null((Device(new DevicePort("xe-0/0/0", PortSpeed.Speed10G)) with { State = AccessDeviceState.Deleted }).LowestFreePort(PortSpeed.Speed10G));

    [Fact]
    public void ValidationNamesEveryBadPort()
    {
        var validation = new RequestValidation();
        AccessDevice.Validate(validation, "access_device.", "asw", "", "", [("xe-0/0/0", PortSpeed.Speed10G), ("xe-0/0/0", null), ("", PortSpeed.Speed1G)]);
        Assert.Equal(["access_device.ports[1].name", "access_device.ports[1].speed", "access_device.ports[2].name"], validation.Violations.Select(v => v.Field));

        var none = new RequestValidation();
        AccessDevice.Validate(none, "access_device.", "asw", "", "", []);
        Assert.Equal(["access_device.ports"], none.Violations.Select(v => v.Field));
    }
}
