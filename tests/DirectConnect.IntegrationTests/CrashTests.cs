using DirectConnect.Contracts.V1;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The system as a real process, SIGKILLed 20 times while workers create and delete virtual
/// interfaces, lines, gateways and routes — some creations hedged (one request id sent twice at
/// once), and every creation whose answer the kill swallowed retried with its request id after the
/// restart, some at once and some after AbandonAfter. Once settled: the invariants of DOMAIN.md hold,
/// every interface a creation was answered with is listed, the change feed reports no deletion of an
/// interface that never existed, and once every interface is deleted every line and gateway can be
/// deleted and every port is free.
/// </summary>
public sealed class CrashTests(Xunit.Abstractions.ITestOutputHelper output) : IAsyncLifetime
{
    private const string Account = "crash";
    private const int Kills = 20;
    private static readonly TimeSpan AbandonAfter = TimeSpan.FromSeconds(2);

    private static readonly string[] FastRecovery =
    [
        $"--DirectConnect:VirtualInterfaces:AbandonAfter={AbandonAfter}",
        "--DirectConnect:VirtualInterfaces:ReconcileInterval=00:00:01",
        "--DirectConnect:VirtualInterfaces:ReleaseAgainAfter=00:00:02",
        "--DirectConnect:VirtualInterfaces:QuotaPerAccountPerRegion=1000",
        "--DirectConnect:PhysicalConnections:QuotaPerAccountPerRegion=100",
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

    [Fact]
    public async Task KilledTwentyTimesWhileEverythingComesAndGoesTheSystemRecoversWithTheInvariantsIntact()
    {
        var random = new Random(4242);
        _process = await GatewayProcess.StartAsync(_dataDirectory, FastRecovery);
        var setup = Seed(_process);
        var location = (await new LocationService.LocationServiceClient(_process.Channel).CreateLocationAsync(
            new CreateLocationRequest { Region = IntegrationTests.Seed.Region, Location = new Location { Code = "CRASH-1", Name = "crash" } }, setup.Operator)).Id;
        var device = new AccessDevice { LocationId = location, Name = "asw" };
        device.Ports.AddRange(Enumerable.Range(0, 16).Select(i => new AccessDevice.Types.Port { Name = $"xe-0/0/{i}", Speed = PortSpeed._10G }));
        var deviceId = (await new AccessDeviceService.AccessDeviceServiceClient(_process.Channel).CreateAccessDeviceAsync(
            new CreateAccessDeviceRequest { Region = IntegrationTests.Seed.Region, AccessDevice = device }, setup.Operator)).Id;
        var world = new World(location);
        for (var i = 0; i < 3; i++)
        {
            world.Lines.Add((await setup.Lines.AvailableAsync(Account, location)).Id);
            world.Gateways.Add((await setup.AvailableGatewayAsync(Account)).Id);
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (var round = 0; round < Kills; round++)
        {
            var seed = Seed(_process);
            using var stop = new CancellationTokenSource();
            var firstDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var workers = Enumerable.Range(0, 5).Select(w => Task.Run(() => world.WorkAsync(seed, new Random(round * 31 + w), firstDone, stop.Token))).ToArray();

            // Creations whose answer an earlier kill swallowed are retried with their own request ids beside the
            // workers: right after the restart, or (every fourth round) once AbandonAfter has passed, so the
            // reconciler has rolled the dead attempt back first.
            var unanswered = world.TakeUnanswered();
            if (round % 4 == 3 && unanswered.Length > 0)
            {
                await Task.Delay(AbandonAfter + TimeSpan.FromSeconds(1));
            }

            var retries = Task.WhenAll(unanswered.Select(r => world.RetryAsync(seed, r)));
            if (round % 4 == 3)
            {
                await retries;
            }

            // Kill mid-flow: once this round has done something, then at a random moment.
            await Task.WhenAny(firstDone.Task, Task.Delay(TimeSpan.FromSeconds(30)));
            await Task.Delay(random.Next(0, 800));
            _process.Kill();
            await stop.CancelAsync();
            await Task.WhenAll(workers);
            await retries;
            await _process.DisposeAsync();
            _process = await GatewayProcess.StartAsync(_dataDirectory, FastRecovery);
            output.WriteLine($"round {round}: {world.Created} created, {world.Hedged} hedged, {world.Retried} retried after a kill ({watch.Elapsed})");
        }

        var final = Seed(_process);
        foreach (var request in world.TakeUnanswered())
        {
            await world.RetryAsync(final, request);
        }

        Assert.True(world.Created >= 20, $"only {world.Created} interfaces were created: the test exercised too little");
        Assert.True(world.Hedged >= 10, $"only {world.Hedged} hedged creations");
        Assert.True(world.Retried >= 5, $"only {world.Retried} creations were retried after a kill");
        await Invariants.HoldAsync(final, Account, TimeSpan.FromSeconds(60));

        var customer = final.Customer(Account);
        // Every page: a fast run creates more interfaces than one page holds (1,000), and an interface
        // past the first page is not one that never existed.
        var every = await Invariants.InterfacesAsync(final, Account);
        var listed = every.Select(v => v.Id).ToHashSet(StringComparer.Ordinal);
        Assert.All(world.AnsweredIds, id => Assert.True(listed.Contains(id), $"{id} was created and answered, but is not listed"));
        var feed = await Feed.ReadAsync(_process.Channel, customer, TimeSpan.FromSeconds(2));
        output.WriteLine($"{every.Count} interfaces listed ({world.AnsweredIds.Count} creations answered), {feed.Count} changes in the feed");
        Assert.Empty(Feed.DeletionsOfInterfacesThatNeverExisted(feed, every));

        // Once every interface is gone, nothing holds anything: every line and gateway can go, and every port is free.
        foreach (var vif in every.Where(v => v.State != VirtualInterface.Types.State.Deleted))
        {
            await final.DeleteInterfaceAsync(Account, vif.Id);
        }

        var lines = await final.Lines.Client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = IntegrationTests.Seed.Region, PageSize = 1000 }, customer);
        foreach (var line in lines.PhysicalConnections)
        {
            await EventuallyDeletedAsync(() => final.Lines.DeleteAsync(line), $"line {line.Id}");
        }

        var gateways = await final.Gateways.ListBorderGatewaysAsync(new ListBorderGatewaysRequest { Region = IntegrationTests.Seed.Region, PageSize = 1000 }, customer);
        foreach (var gateway in gateways.BorderGateways)
        {
            await EventuallyDeletedAsync(async () => await final.Gateways.DeleteBorderGatewayAsync(
                new DeleteBorderGatewayRequest { Region = IntegrationTests.Seed.Region, Id = gateway.Id }, customer), $"gateway {gateway.Id}");
        }

        var ports = (await new AccessDeviceService.AccessDeviceServiceClient(_process.Channel).GetAccessDeviceAsync(
            new GetAccessDeviceRequest { Region = IntegrationTests.Seed.Region, Id = deviceId }, final.Operator)).Ports;
        Assert.All(ports, p => Assert.True(p.AllocatedPhysicalConnectionId.Length == 0, $"port {p.Name} is still held by {p.AllocatedPhysicalConnectionId}"));
    }

    /// <summary>Releases travel by events: a delete refused as in use is tried again until they have arrived (bounded).</summary>
    private static async Task EventuallyDeletedAsync(Func<Task> delete, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                await delete();
                return;
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.FailedPrecondition && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }
        }
    }

    private Seed Seed(GatewayProcess process) => new(process.Channel, (a, r) => Tokens.CallAs(_dataDirectory, a, r));

    /// <summary>What the workers share: the live resources they know of, and the creations whose answer was lost.</summary>
    private sealed class World(string location)
    {
        private readonly List<CreateVirtualInterfaceRequest> _unanswered = [];
        private readonly HashSet<string> _answered = new(StringComparer.Ordinal);
        private int _next;
        private int _created;
        private int _hedged;
        private int _retried;

        public List<string> Lines { get; } = [];

        public List<string> Gateways { get; } = [];

        public List<string> Interfaces { get; } = [];

        public List<(string Gateway, string Route)> Routes { get; } = [];

        public int Created => _created;

        /// <summary>Every interface a creation was answered with (deleted since or not).</summary>
        public IReadOnlyCollection<string> AnsweredIds
        {
            get
            {
                lock (_answered)
                {
                    return [.. _answered];
                }
            }
        }

        public int Hedged => _hedged;

        public int Retried => _retried;

        public CreateVirtualInterfaceRequest[] TakeUnanswered()
        {
            lock (_unanswered)
            {
                var taken = _unanswered.ToArray();
                _unanswered.Clear();
                return taken;
            }
        }

        public async Task RetryAsync(Seed seed, CreateVirtualInterfaceRequest request)
        {
            try
            {
                var vif = await seed.Interfaces.CreateVirtualInterfaceAsync(request, seed.Customer(Account));
                Interlocked.Increment(ref _retried);
                Answered(vif.Id);
                Remember(Interfaces, vif.Id);
            }
            catch (RpcException exception) when (IsAnswer(exception))
            {
                // A refusal (the VLAN was taken meanwhile, the line deleted…) is an answer too.
                Interlocked.Increment(ref _retried);
            }
            catch (RpcException)
            {
                // Cut off by the next kill: retried after the next restart.
                lock (_unanswered)
                {
                    _unanswered.Add(request);
                }
            }
        }

        public async Task WorkAsync(Seed seed, Random random, TaskCompletionSource firstDone, CancellationToken stop)
        {
            var customer = seed.Customer(Account);
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var roll = random.Next(100);
                    if (roll < 30)
                    {
                        await CreateAsync(seed, random, copies: 1);
                    }
                    else if (roll < 45)
                    {
                        await CreateAsync(seed, random, copies: 2);
                    }
                    else if (roll < 60 && Pick(Interfaces, random) is { } victim)
                    {
                        await seed.DeleteInterfaceAsync(Account, victim);
                        Forget(Interfaces, victim);
                    }
                    else if (roll < 70 && Pick(Gateways, random) is { } gateway && Pick(Interfaces, random) is { } target)
                    {
                        var n = Interlocked.Increment(ref _next);
                        var route = await seed.Routes.CreateBorderGatewayRouteAsync(new CreateBorderGatewayRouteRequest
                        {
                            Region = IntegrationTests.Seed.Region, BorderGatewayId = gateway,
                            Route = new Route { Destination = Prefix(n), NextHop = new NextHop { Type = NextHopType.VirtualInterface, Id = target } },
                        }, customer);
                        lock (Routes)
                        {
                            Routes.Add((gateway, route.Id));
                        }
                    }
                    else if (roll < 75 && PickRoute(random) is { } doomed)
                    {
                        await seed.Routes.DeleteBorderGatewayRouteAsync(new DeleteBorderGatewayRouteRequest
                        {
                            Region = IntegrationTests.Seed.Region, BorderGatewayId = doomed.Gateway, RouteId = doomed.Route,
                        }, customer);
                    }
                    else if (roll < 82)
                    {
                        Remember(Gateways, (await seed.AvailableGatewayAsync(Account)).Id);
                    }
                    else if (roll < 86 && Pick(Gateways, random) is { } oldGateway)
                    {
                        await seed.Gateways.DeleteBorderGatewayAsync(new DeleteBorderGatewayRequest { Region = IntegrationTests.Seed.Region, Id = oldGateway }, customer);
                        Forget(Gateways, oldGateway);
                    }
                    else if (roll < 92)
                    {
                        Remember(Lines, (await seed.Lines.AvailableAsync(Account, location)).Id);
                    }
                    else if (Pick(Lines, random) is { } oldLine)
                    {
                        await seed.Lines.DeleteAsync(await seed.Lines.GetAsync(oldLine));
                        Forget(Lines, oldLine);
                    }

                    firstDone.TrySetResult();
                }
                catch (RpcException)
                {
                    // Refusals, and every call cut off by the kill: what matters is the state afterwards.
                }
                catch (Xunit.Sdk.XunitException)
                {
                    // A helper that waits for a state gave up (the process died under it).
                }
            }
        }

        private async Task CreateAsync(Seed seed, Random random, int copies)
        {
            var n = Interlocked.Increment(ref _next);
            var line = Pick(Lines, random);
            var gateway = Pick(Gateways, random);
            if (line is null || gateway is null)
            {
                return;
            }

            var vif = new VirtualInterface
            {
                Name = $"vif-{n}", PhysicalConnectionId = line, BorderGatewayId = gateway, Vlan = random.Next(1, 300), BandwidthMbps = 100,
                Bgp = new BgpPeering { CustomerAsn = 65001, CloudAddress = $"169.254.{n / 64 % 256}.{n % 64 * 4 + 1}/30", CustomerAddress = $"169.254.{n / 64 % 256}.{n % 64 * 4 + 2}/30" },
                IdcPrefixes = { Prefix(n) },
            };
            var request = new CreateVirtualInterfaceRequest { Region = IntegrationTests.Seed.Region, RequestId = Guid.NewGuid().ToString(), VirtualInterface = vif };
            if (copies > 1)
            {
                Interlocked.Increment(ref _hedged);
            }

            var answers = await Task.WhenAll(Enumerable.Range(0, copies).Select(async _ =>
            {
                try
                {
                    return (Id: (await seed.Interfaces.CreateVirtualInterfaceAsync(request, seed.Customer(Account))).Id, Error: (RpcException?)null);
                }
                catch (RpcException exception)
                {
                    return (Id: (string?)null, Error: exception);
                }
            }));
            var ids = answers.Where(a => a.Id is not null).Select(a => a.Id!).Distinct().ToArray();
            Assert.True(ids.Length <= 1, $"one request id answered with several interfaces: {string.Join(", ", ids)}");
            if (ids.Length == 1)
            {
                Interlocked.Increment(ref _created);
                Answered(ids[0]);
                Remember(Interfaces, ids[0]);
            }
            else if (answers.All(a => !IsAnswer(a.Error!)))
            {
                lock (_unanswered)
                {
                    _unanswered.Add(request);
                }
            }
        }

        private void Answered(string id)
        {
            lock (_answered)
            {
                _answered.Add(id);
            }
        }

        private (string Gateway, string Route)? PickRoute(Random random)
        {
            lock (Routes)
            {
                if (Routes.Count == 0)
                {
                    return null;
                }

                var picked = Routes[random.Next(Routes.Count)];
                Routes.Remove(picked);
                return picked;
            }
        }

        // A kill cuts calls off as UNAVAILABLE, INTERNAL (a reset stream) or CANCELLED; anything else is the system's answer.
        private static bool IsAnswer(RpcException exception) =>
            exception.StatusCode is not (StatusCode.Unavailable or StatusCode.Internal or StatusCode.Cancelled or StatusCode.Unknown or StatusCode.DeadlineExceeded);

        private static string Prefix(int n) => $"100.{64 + (n / 256 % 64)}.{n % 256}.0/24";

        private static string? Pick(List<string> items, Random random)
        {
            lock (items)
            {
                return items.Count == 0 ? null : items[random.Next(items.Count)];
            }
        }

        private static void Remember(List<string> items, string id)
        {
            lock (items)
            {
                if (!items.Contains(id))
                {
                    items.Add(id);
                }
            }
        }

        private static void Forget(List<string> items, string id)
        {
            lock (items)
            {
                items.Remove(id);
            }
        }
    }
}
