using DirectConnect.Contracts.V1;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The system as a real process, killed with SIGKILL at random points while virtual interfaces
/// are being created and deleted, then restarted: once the reconciler and the event log have
/// caught up, the invariants of DOMAIN.md hold.
/// </summary>
public sealed class CrashTests : IAsyncLifetime
{
    private static readonly string[] FastRecovery =
    [
        "--DirectConnect:VirtualInterfaces:AbandonAfter=00:00:02",
        "--DirectConnect:VirtualInterfaces:ReconcileInterval=00:00:01",
        "--DirectConnect:Coordination:LeaseDuration=00:00:02",
    ];

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dc-crash-" + Guid.NewGuid().ToString("N"));
    private GatewayProcess? _process;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDirectory);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_process is not null)
        {
            await _process.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Theory]
    [InlineData(7)]
    [InlineData(4242)]
    public async Task KilledWhileInterfacesComeAndGoTheSystemRecoversWithTheInvariantsIntact(int seed)
    {
        var random = new Random(seed);
        const string account = "crash";
        _process = await GatewayProcess.StartAsync(_dataDirectory, FastRecovery);
        var setup = Seed(_process);
        var location = (await new LocationService.LocationServiceClient(_process.Channel).CreateLocationAsync(
            new CreateLocationRequest { Region = IntegrationTests.Seed.Region, Location = new Location { Code = "CRASH-1", Name = "crash" } }, setup.Operator)).Id;
        var device = new AccessDevice { LocationId = location, Name = "asw" };
        device.Ports.AddRange(Enumerable.Range(0, 8).Select(i => new AccessDevice.Types.Port { Name = $"xe-0/0/{i}", Speed = PortSpeed._10G }));
        await new AccessDeviceService.AccessDeviceServiceClient(_process.Channel).CreateAccessDeviceAsync(
            new CreateAccessDeviceRequest { Region = IntegrationTests.Seed.Region, AccessDevice = device }, setup.Operator);
        var lines = new[] { await setup.Lines.AvailableAsync(account, location), await setup.Lines.AvailableAsync(account, location) };
        var gateways = new[] { await setup.AvailableGatewayAsync(account), await setup.AvailableGatewayAsync(account) };

        var created = 0;
        for (var round = 0; round < 3; round++)
        {
            var seedOfRound = Seed(_process);
            using var stop = new CancellationTokenSource();
            var known = new List<string>();
            var firstCreated = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var workers = Enumerable.Range(0, 6).Select(w => Task.Run(async () =>
            {
                var local = new Random(seed * 31 + round * 7 + w);
                for (var n = 0; !stop.IsCancellationRequested; n++)
                {
                    try
                    {
                        if (local.Next(3) > 0 || known.Count == 0)
                        {
                            var vif = IntegrationTests.Seed.Interface(lines[local.Next(2)], gateways[local.Next(2)], local.Next(1, 40),
                                idcPrefix: $"100.{64 + round}.{w * 40 + n % 40}.0/24", subnet: w * 40 + n % 40);
                            var made = await seedOfRound.CreateInterfaceAsync(account, vif);
                            Interlocked.Increment(ref created);
                            firstCreated.TrySetResult();
                            lock (known)
                            {
                                known.Add(made.Id);
                            }
                        }
                        else
                        {
                            string victim;
                            lock (known)
                            {
                                victim = known[local.Next(known.Count)];
                            }

                            await seedOfRound.DeleteInterfaceAsync(account, victim);
                        }
                    }
                    catch (RpcException)
                    {
                        // Refusals, and every call cut off by the kill: what matters is the state afterwards.
                    }
                }
            })).ToArray();

            // Kill mid-flow: once this round has done something (a loaded machine may take a while to
            // create the first interface), then at a random moment while creates and deletes go on.
            await Task.WhenAny(firstCreated.Task, Task.Delay(TimeSpan.FromSeconds(30)));
            await Task.Delay(random.Next(0, 1200));
            _process.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            await _process.DisposeAsync();
            _process = await GatewayProcess.StartAsync(_dataDirectory, FastRecovery);
        }

        Assert.True(created > 0, "no interface was created before the kills: the test exercised nothing");
        await Invariants.HoldAsync(Seed(_process), account, TimeSpan.FromSeconds(60));
    }

    private Seed Seed(GatewayProcess process) => new(process.Channel, (a, r) => Tokens.CallAs(_dataDirectory, a, r));
}
