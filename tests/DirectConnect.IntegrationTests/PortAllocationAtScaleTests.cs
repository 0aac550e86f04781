using System.Text;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Coordination;
using DirectConnect.PhysicalConnections.Storage;
using Microsoft.Extensions.DependencyInjection;
using DomainSpeed = DirectConnect.PhysicalConnections.Domain.PortSpeed;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Allocation at a location with more devices than one pool document holds (the pool's devices with room are cut into
/// segments of 16), through the gateway: many payers at once, the same payment twice at once, ports freed in the
/// middle, and a pool stored in the layout from before segments. No port is ever held twice, and ports are taken
/// device by device in the order the devices were added (ties by id), each device's lowest port first.
/// </summary>
public sealed class PortAllocationAtScaleTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private readonly Lifecycle _steps = new(system.Channel, system.As);

    [Fact]
    public async Task SixtyFourPayersAtOnceAtFiftyDevicesTakeTheLowestPortsInDeviceOrderAndAFreedPortGoesFirst()
    {
        var location = await system.AddLocationAsync();
        var devices = await AddDevicesAsync(location, count: 50, ports: 2);
        var order = Lowest(devices);

        var approved = await _steps.ApprovedAsync(64, location);
        var paid = await Task.WhenAll(approved.Select(c => _steps.PayAsync(c)));
        Assert.All(paid, c => Assert.False(c.WaitingForPort));
        Assert.Equal(order.Take(64).ToHashSet(), paid.Select(PortOf).ToHashSet());
        await _steps.AssertDevicesAgreeWithConnectionsAsync(devices.Select(d => d.Id), paid);

        // A port freed on the first device is the lowest again: the next payer gets it, at once (18 devices with room
        // are left, more than the pool's head holds, so the freed device must not go to the end).
        var onFirst = paid.First(c => PortOf(c) == order[1]);
        await _steps.DeleteAsync(onFirst);
        var next = await _steps.PayAsync((await _steps.ApprovedAsync(1, location))[0]);
        Assert.Equal(order[1], PortOf(next));

        // The rest of the ports, in order, to the end of the last device; then the next payer waits.
        var holders = paid.Where(c => c.Id != onFirst.Id).Append(next).ToList();
        foreach (var line in await _steps.ApprovedAsync(36, location))
        {
            var got = await _steps.PayAsync(line);
            Assert.Equal(order[holders.Count], PortOf(got));
            holders.Add(got);
        }

        Assert.True((await _steps.PayAsync((await _steps.ApprovedAsync(1, location))[0])).WaitingForPort);
        await _steps.AssertDevicesAgreeWithConnectionsAsync(devices.Select(d => d.Id), holders);
    }

    [Fact]
    public async Task TheSamePaymentSentFourTimesAtOnceAllocatesOnePort()
    {
        var location = await system.AddLocationAsync();
        var devices = await AddDevicesAsync(location, count: 20, ports: 1);
        var order = Lowest(devices);
        var line = (await _steps.ApprovedAsync(1, location))[0];

        var request = new RecordPhysicalConnectionPaymentRequest { Region = Lifecycle.Region, Id = line.Id, RequestId = Guid.NewGuid().ToString() };
        var answers = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ => await _steps.Client.RecordPhysicalConnectionPaymentAsync(request, _steps.Operator)));
        Assert.All(answers, a => Assert.Equal(order[0], PortOf(a)));
        await _steps.AssertDevicesAgreeWithConnectionsAsync(devices.Select(d => d.Id), [answers[0]]);

        // Only one port went: the next payer gets the second device's.
        Assert.Equal(order[1], PortOf(await _steps.PayAsync((await _steps.ApprovedAsync(1, location))[0])));
    }

    [Fact]
    public async Task APoolStoredAsOneDocumentAsBeforeSegmentsKeepsAllocatingInOrderAndIsCutByItsFirstWrite()
    {
        var location = await system.AddLocationAsync();
        var devices = await AddDevicesAsync(location, count: 40, ports: 1);
        var order = Lowest(devices);
        await RewriteAsBeforeSegmentsAsync(location);
        var inventory = system.Services.GetRequiredService<InventoryStore>();
        Assert.Equal(40, (await inventory.GetPoolAsync(location, DomainSpeed.Speed10G, CancellationToken.None)).Pool.FreeDevices.Count);

        // The first payment fills the first device, which writes the pool: that write cuts it.
        var first = await _steps.PayAsync((await _steps.ApprovedAsync(1, location))[0]);
        Assert.Equal(order[0], PortOf(first));
        var (head, _) = await inventory.GetPoolAsync(location, DomainSpeed.Speed10G, CancellationToken.None);
        Assert.InRange(head.FreeDevices.Count, 1, DirectConnect.PhysicalConnections.Domain.PortPool.SegmentSize);
        Assert.NotNull(head.Next);

        var paid = await Task.WhenAll((await _steps.ApprovedAsync(39, location)).Select(c => _steps.PayAsync(c)));
        Assert.Equal(order.Skip(1).ToHashSet(), paid.Select(PortOf).ToHashSet());
        Assert.True((await _steps.PayAsync((await _steps.ApprovedAsync(1, location))[0])).WaitingForPort);
        await _steps.AssertDevicesAgreeWithConnectionsAsync(devices.Select(d => d.Id), [first, .. paid]);
    }

    private static (string Device, string Port) PortOf(PhysicalConnection connection) =>
        connection.Port is { } port ? (port.AccessDeviceId, port.PortName) : throw new Xunit.Sdk.XunitException($"{connection.Id} has no port");

    /// <summary>Every port of <paramref name="devices"/> in allocation order: devices by when they were added (ties by id), ports lowest first.</summary>
    private static List<(string Device, string Port)> Lowest(IEnumerable<AccessDevice> devices) =>
        devices.OrderBy(d => d.CreateTime.ToDateTimeOffset()).ThenBy(d => d.Id, StringComparer.Ordinal)
            .SelectMany(d => d.Ports.Select(p => (d.Id, p.Name))).ToList();

    private async Task<List<AccessDevice>> AddDevicesAsync(string location, int count, int ports)
    {
        var devices = new List<AccessDevice>();
        for (var i = 0; i < count; i++)
        {
            devices.Add(await system.AddDeviceAsync(location, ports));
        }

        return devices;
    }

    /// <summary>
    /// Puts the pool of <paramref name="location"/> back into the layout from before segments: one document listing every
    /// device with room, without next or last; the segments go, as they did not exist then.
    /// </summary>
    private async Task RewriteAsBeforeSegmentsAsync(string location)
    {
        var inventory = system.Services.GetRequiredService<InventoryStore>();
        var (head, _) = await inventory.GetPoolAsync(location, DomainSpeed.Speed10G, CancellationToken.None);
        var operations = new List<StateOperation>();
        var all = head.FreeDevices.ToList();
        for (var next = head.Next; next is not null;)
        {
            var segment = (await inventory.GetPoolSegmentAsync(location, DomainSpeed.Speed10G, next, CancellationToken.None))!;
            all.AddRange(segment.Value.Devices);
            operations.Add(InventoryStore.DeletePoolSegment(segment.Value, segment.Unchanged));
            next = segment.Value.Next;
        }

        Assert.Equal(40, all.Count);
        var legacy = $$"""
            {"locationId":"{{location}}","speed":"Speed10G","freeDevices":[{{string.Join(",", all.Select(d =>
                $$"""{"deviceId":"{{d.DeviceId}}","addedAt":"{{d.AddedAt:O}}"}"""))}}],"waiters":[]}
            """;
        operations.Add(new UpsertState($"port-pools/{location}/Speed10G", Encoding.UTF8.GetBytes(legacy), ETagCondition.Any));
        Assert.True(await system.Services.GetRequiredService<IStateStore>().TryExecuteTransactionAsync(operations, []));
    }
}
