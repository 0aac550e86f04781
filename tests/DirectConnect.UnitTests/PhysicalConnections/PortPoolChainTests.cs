using System.Text;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Coordination.Sqlite;
using DirectConnect.PhysicalConnections.Application;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.UnitTests.PhysicalConnections;

/// <summary>
/// The pool's devices with room, cut into a head and segments, on a real SQLite state store: the order is kept
/// whatever order devices come and go in, no document holds more than <see cref="PortPool.SegmentSize"/> devices once
/// written, writers racing on one pool lose nothing, and a head written before segments existed is cut on its first write.
/// </summary>
public sealed class PortPoolChainTests : IDisposable
{
    private const string Location = "dxloc-000000000001";
    private const PortSpeed Speed = PortSpeed.Speed10G;
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
    private readonly string _database = Path.Combine(Path.GetTempPath(), $"dc-pool-{Guid.NewGuid():N}.db");
    private readonly ServiceProvider _services;

    public PortPoolChainTests()
    {
        var services = new ServiceCollection();
        services.AddSqliteCoordination(options => options.DatabasePath = _database);
        services.AddSingleton<InventoryStore>();
        _services = services.BuildServiceProvider();
    }

    private IStateStore State => _services.GetRequiredService<IStateStore>();

    private InventoryStore Inventory => _services.GetRequiredService<InventoryStore>();

    [Theory]
    [InlineData(7)]
    [InlineData(2026)]
    public async Task DevicesComingAndGoingInAnyOrderStayListedLowestFirstInDocumentsOfAtMostSixteen(int seed)
    {
        var random = new Random(seed);
        // Some share a time, so the id decides; some come "back" before the others (a port freed on an older device).
        var devices = Enumerable.Range(0, 70).Select(i => new PoolDevice($"dxdev-{i:D12}", T0.AddSeconds(random.Next(40)))).ToArray();
        var listed = new List<PoolDevice>();
        foreach (var device in devices.OrderBy(_ => random.Next()))
        {
            await StepAsync(chain => chain.AddRoomAsync(device, CancellationToken.None));
            listed.Add(device);
            await AssertChainAsync(listed);
        }

        await StepAsync(chain => chain.AddRoomAsync(devices[3], CancellationToken.None)); // listed once only
        await AssertChainAsync(listed);
        foreach (var device in devices.OrderBy(_ => random.Next()))
        {
            await StepAsync(chain => chain.RemoveRoomAsync(device, CancellationToken.None));
            listed.Remove(device);
            await AssertChainAsync(listed);
        }
    }

    [Fact]
    public async Task TakingFromTheFrontGoesThroughEveryDeviceInOrderReadingOnlyTheHeadAndTheNextSegment()
    {
        var devices = Enumerable.Range(0, 40).Select(i => new PoolDevice($"dxdev-{i:D12}", T0.AddSeconds(i))).ToArray();
        foreach (var device in devices)
        {
            await StepAsync(chain => chain.AddRoomAsync(device, CancellationToken.None));
        }

        var taken = new List<string>();
        while ((await Inventory.GetPoolAsync(Location, Speed, CancellationToken.None)).Pool.FreeDevices is [var lowest, ..])
        {
            taken.Add(lowest.DeviceId);
            await StepAsync(chain => chain.RemoveRoomAsync(lowest, CancellationToken.None));
        }

        Assert.Equal(devices.Select(d => d.DeviceId), taken);
        var (head, _) = await Inventory.GetPoolAsync(Location, Speed, CancellationToken.None);
        Assert.Null(head.Next);
        Assert.Null(head.Last);
    }

    [Fact]
    public async Task WritersRacingOnOnePoolLoseNoDeviceAndKeepTheOrder()
    {
        // 8 writers at once, each adding its 24 devices and taking every other one off again, retrying lost races.
        var expected = new List<PoolDevice>();
        await Task.WhenAll(Enumerable.Range(0, 8).Select(writer => Task.Run(async () =>
        {
            var mine = Enumerable.Range(0, 24).Select(i => new PoolDevice($"dxdev-{writer:D2}{i:D10}", T0.AddSeconds((i * 8) + writer))).ToArray();
            foreach (var device in mine)
            {
                await StepAsync(chain => chain.AddRoomAsync(device, CancellationToken.None));
            }

            foreach (var device in mine.Where((_, i) => i % 2 == 0))
            {
                await StepAsync(chain => chain.RemoveRoomAsync(device, CancellationToken.None));
            }

            lock (expected)
            {
                expected.AddRange(mine.Where((_, i) => i % 2 == 1));
            }
        })));

        await AssertChainAsync(expected);
    }

    [Fact]
    public async Task AHeadThatListsEveryDeviceAsBeforeSegmentsIsStillAPoolAndItsFirstWriteCutsIt()
    {
        // The layout before segments: one document with every device with room, no next or last.
        var devices = Enumerable.Range(0, 40).Select(i => new PoolDevice($"dxdev-{i:D12}", T0.AddSeconds(i))).ToList();
        var legacy = $$"""
            {"locationId":"{{Location}}","speed":"Speed10G","freeDevices":[{{string.Join(",", devices.Select(d =>
                $$"""{"deviceId":"{{d.DeviceId}}","addedAt":"{{d.AddedAt:O}}"}"""))}}],"waiters":[]}
            """;
        Assert.True(await State.TryExecuteTransactionAsync(
            [new UpsertState($"port-pools/{Location}/{Speed}", Encoding.UTF8.GetBytes(legacy), ETagCondition.MustNotExist)], []));
        var (read, _) = await Inventory.GetPoolAsync(Location, Speed, CancellationToken.None);
        Assert.Equal(devices, read.FreeDevices);
        Assert.True(read.CanAllocateAtOnce);

        // A write that changes nothing about the devices (a waiter comes and goes) cuts it all the same.
        await StepAsync(chain =>
        {
            chain.AddWaiter("dxpc-000000000001");
            return Task.CompletedTask;
        });
        await AssertChainAsync(devices);
        await StepAsync(chain => chain.RemoveRoomAsync(devices[0], CancellationToken.None));
        devices.RemoveAt(0);
        await AssertChainAsync(devices);
        Assert.Equal(["dxpc-000000000001"], (await Inventory.GetPoolAsync(Location, Speed, CancellationToken.None)).Pool.Waiters);
    }

    public void Dispose()
    {
        _services.Dispose();
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _database, _database + "-wal", _database + "-shm" })
        {
            File.Delete(file);
        }
    }

    /// <summary>One planning step as the allocator takes it: fresh reads, a change, ETag-guarded writes; a lost race plans again.</summary>
    private async Task StepAsync(Func<PortPoolChain, Task> change)
    {
        for (var attempt = 0; attempt < 1000; attempt++)
        {
            try
            {
                var chain = await PortPoolChain.ReadAsync(Inventory, Location, Speed, CancellationToken.None);
                await change(chain);
                if (await State.TryExecuteTransactionAsync(chain.Operations(), []))
                {
                    return;
                }
            }
            catch (StaleReadException)
            {
            }

            await Task.Delay(Random.Shared.Next(1, 4));
        }

        Assert.Fail("a pool step lost 1000 races in a row");
    }

    /// <summary>The stored chain lists exactly <paramref name="expected"/>, lowest first, in non-empty documents of at most 16, and its last-segment pointer is right.</summary>
    private async Task AssertChainAsync(IReadOnlyCollection<PoolDevice> expected)
    {
        var (head, _) = await Inventory.GetPoolAsync(Location, Speed, CancellationToken.None);
        var documents = new List<IReadOnlyList<PoolDevice>> { head.FreeDevices };
        string? last = null;
        for (var next = head.Next; next is not null;)
        {
            var segment = (await Inventory.GetPoolSegmentAsync(Location, Speed, next, CancellationToken.None))?.Value;
            Assert.NotNull(segment);
            documents.Add(segment.Devices);
            last = next;
            next = segment.Next;
            Assert.True(documents.Count <= 100, "the chain loops");
        }

        Assert.Equal(expected.Order(Comparer<PoolDevice>.Create(PoolDevice.Compare)), documents.SelectMany(d => d));
        Assert.All(documents, d => Assert.InRange(d.Count, 0, PortPool.SegmentSize));
        Assert.All(documents.Skip(1), d => Assert.NotEmpty(d));
        Assert.Equal(last, head.Last);
    }
}
