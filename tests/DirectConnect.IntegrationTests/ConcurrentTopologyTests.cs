using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Coordination;
using DirectConnect.VirtualInterfaces.Application;
using InternalV1 = DirectConnect.Contracts.Internal.V1;
using CreationIntent = DirectConnect.VirtualInterfaces.Domain.CreationIntent;
using DirectConnect.VirtualInterfaces.Storage;
using Grpc.Core;
using static DirectConnect.IntegrationTests.SharedLists;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.IntegrationTests;

/// <summary>An embedded system with room for many lines and gateways per account, for the randomized tests.</summary>
public sealed class RoomyEmbeddedSystem : EmbeddedSystem
{
    /// <inheritdoc />
    protected override IEnumerable<string> ExtraArguments =>
    [
        "--DirectConnect:PhysicalConnections:QuotaPerAccountPerRegion=1000",
        "--DirectConnect:BorderGateways:QuotaPerAccountPerRegion=1000",
        "--DirectConnect:VirtualInterfaces:AbandonAfter=00:00:01",
        "--DirectConnect:VirtualInterfaces:QuotaPerAccountPerRegion=1000",
    ];
}

/// <summary>
/// Randomized, concurrent creates and deletes of lines, gateways and virtual interfaces; after
/// each run the invariants of DOMAIN.md hold. The seed is in the test name, so a failure can be
/// replayed (the interleaving cannot, which is the point of running several).
/// </summary>
public sealed class ConcurrentTopologyTests(RoomyEmbeddedSystem system) : IClassFixture<RoomyEmbeddedSystem>
{
    private readonly Seed _seed = new(system.Channel, system.As);

    private static readonly StatusCode[] Expected =
    [
        StatusCode.FailedPrecondition, // e.g. delete while in use, create on a deleted line
        StatusCode.AlreadyExists,      // VLAN in use
        StatusCode.NotFound,           // deleted meanwhile
        StatusCode.InvalidArgument,    // a referenced line or gateway vanished between the checks
        StatusCode.Aborted,            // lost a race
    ];

    [Theory]
    [InlineData(11)]
    [InlineData(2026)]
    [InlineData(31337)]
    public async Task FiveHundredRandomConcurrentOperationsKeepTheInvariants(int seed)
    {
        var random = new Random(seed);
        var account = $"chaos-{seed}";
        var location = await system.AddLocationAsync();
        await system.AddDeviceAsync(location, ports: 200);
        var lines = new List<PhysicalConnection>();
        var gateways = new List<BorderGateway>();
        var interfaces = new List<VirtualInterface>();
        for (var i = 0; i < 3; i++)
        {
            lines.Add(await _seed.Lines.AvailableAsync(account, location));
            gateways.Add(await _seed.AvailableGatewayAsync(account));
        }

        // Decide every operation up front from the seed; run them 16 at a time.
        var plan = Enumerable.Range(0, 500).Select(_ => random.Next(100)).ToArray();
        var vlans = Enumerable.Range(0, 500).Select(_ => random.Next(1, 16)).ToArray();
        var picks = Enumerable.Range(0, 500).Select(_ => random.Next()).ToArray();
        var unexpected = new List<string>();
        var refused = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < plan.Length)
            {
                try
                {
                    await RunAsync(plan[n], vlans[n], picks[n], n);
                }
                catch (RpcException exception) when (Expected.Contains(exception.StatusCode))
                {
                    Interlocked.Increment(ref refused);
                }
                catch (RpcException exception)
                {
                    lock (unexpected)
                    {
                        unexpected.Add($"op {n} ({plan[n]}): {exception.Status}");
                    }
                }
            }
        }));

        Assert.Empty(unexpected);
        // The run must have done real work and met real contention, or it proves nothing.
        Assert.True(interfaces.Count >= 30, $"only {interfaces.Count} interfaces were created");
        Assert.True(refused >= 20, $"only {refused} operations were refused: too little contention");
        await Invariants.HoldAsync(_seed, account, TimeSpan.FromSeconds(30));

        async Task RunAsync(int kind, int vlan, int pick, int n)
        {
            switch (kind)
            {
                case < 45:
                    var vif = Seed.Interface(Pick(lines, pick), Pick(gateways, pick / 7), vlan, idcPrefix: $"100.{64 + n / 256}.{n % 256}.0/24", subnet: n);
                    Add(interfaces, await _seed.CreateInterfaceAsync(account, vif));
                    break;
                case < 75:
                    if (interfaces.Count > 0)
                    {
                        await _seed.DeleteInterfaceAsync(account, Pick(interfaces, pick).Id);
                    }

                    break;
                case < 83:
                    Add(lines, await _seed.Lines.AvailableAsync(account, location));
                    break;
                case < 89:
                    await _seed.Lines.DeleteAsync(Pick(lines, pick));
                    break;
                case < 95:
                    Add(gateways, await _seed.AvailableGatewayAsync(account));
                    break;
                default:
                    await _seed.Gateways.DeleteBorderGatewayAsync(new DeleteBorderGatewayRequest { Region = Seed.Region, Id = Pick(gateways, pick).Id }, _seed.Customer(account));
                    break;
            }
        }
    }

    [Fact]
    public async Task ACreationThatDiedAfterReservingIsRolledBackByTheReconciler()
    {
        var account = "orphan-" + Guid.NewGuid().ToString("N")[..8];
        var location = await system.AddLocationAsync();
        await system.AddDeviceAsync(location, ports: 1);
        var line = await _seed.Lines.AvailableAsync(account, location);
        var gateway = await _seed.AvailableGatewayAsync(account);

        // Stage the crash: an open intent and both reservations, but no interface.
        var id = "dxvif-0rphan" + Guid.NewGuid().ToString("N")[..6];
        var state = system.Services.GetRequiredService<IStateStore>();
        var store = system.Services.GetRequiredService<VirtualInterfaceStore>();
        var (intents, unchanged) = await store.GetIntentIndexAsync(CancellationToken.None);
        Assert.True(await state.TryExecuteTransactionAsync(
            [
                VirtualInterfaceStore.PutIntent(new CreationIntent(id, account, Seed.Region, line.Id, gateway.Id, DateTimeOffset.UtcNow.AddMinutes(-5)), ETagCondition.MustNotExist),
                VirtualInterfaceStore.PutIntentIndex(intents.With(id), unchanged),
            ], []));
        // The reservations the dead creation took, as the VirtualInterfaces service takes them.
        var service = system.AsService("virtual-interfaces");
        await new InternalV1.PhysicalConnectionReservationService.PhysicalConnectionReservationServiceClient(system.InternalChannel).ReservePhysicalConnectionAsync(
            new InternalV1.ReservePhysicalConnectionRequest { Region = Seed.Region, Id = line.Id, AccountId = account, VirtualInterfaceId = id, Vlan = 99 }, service);
        await new InternalV1.BorderGatewayReservationService.BorderGatewayReservationServiceClient(system.InternalChannel).ReserveBorderGatewayAsync(
            new InternalV1.ReserveBorderGatewayRequest { Region = Seed.Region, Id = gateway.Id, AccountId = account, VirtualInterfaceId = id, IdcPrefixes = { "198.18.0.0/24" } }, service);
        Assert.Contains(id, (await _seed.Lines.GetAsync(line.Id)).VirtualInterfaceIds);

        Assert.True(await system.Services.GetRequiredService<IntentReconciler>().ReconcileOnceAsync(CancellationToken.None) >= 1);

        await Seed.EventuallyAsync(() => _seed.Lines.GetAsync(line.Id), c => !c.VirtualInterfaceIds.Contains(id), "released the orphan's line reservation");
        await Seed.EventuallyAsync(() => _seed.GetGatewayAsync(account, gateway.Id), g => !g.VirtualInterfaceIds.Contains(id), "released the orphan's gateway reservation");
        await _seed.Lines.DeleteAsync(line); // nothing holds it any more
        Assert.Null(await store.GetIntentAsync(id, CancellationToken.None));
    }
}
