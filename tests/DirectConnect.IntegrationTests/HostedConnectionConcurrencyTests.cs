using System.Collections.Concurrent;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Coordination;
using DirectConnect.VirtualInterfaces.Application;
using DirectConnect.VirtualInterfaces.Storage;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using CreationIntent = DirectConnect.VirtualInterfaces.Domain.CreationIntent;
using InternalV1 = DirectConnect.Contracts.Internal.V1;
using static DirectConnect.IntegrationTests.SharedLists;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Randomized, concurrent operations across a partner's lines, the hosted connections on them and the customers'
/// interfaces on those, by the partner and four customers through the public API; some allocations are sent twice at
/// once under one request id (never two allocations, never a copy refused by its twin). Afterwards no line hosts more bandwidth than it has, no VLAN is held twice on a line, and
/// nothing references a deleted owner: every hosted hold is a live hosted connection on a live line, every interface on a
/// hosted connection is held by an accepted one and every hold by a live interface. The seed is in the test name.
/// </summary>
public sealed class HostedConnectionConcurrencyTests(RoomyEmbeddedSystem system, Xunit.Abstractions.ITestOutputHelper output) : IClassFixture<RoomyEmbeddedSystem>
{
    private static readonly int[] Steps = [50, 100, 200, 300, 400, 500];

    private static readonly StatusCode[] Expected =
    [
        StatusCode.FailedPrecondition, // wrong state, in use
        StatusCode.AlreadyExists,      // VLAN in use
        StatusCode.NotFound,           // deleted meanwhile
        StatusCode.InvalidArgument,    // a referenced hosted connection vanished between the checks
        StatusCode.ResourceExhausted,  // the line's bandwidth
        StatusCode.Aborted,            // lost a race
    ];

    private readonly Hosting _hosting = new(system);
    private readonly Seed _seed = new(system.Channel, system.As);

    [Theory]
    [InlineData(7)]
    [InlineData(1812)]
    [InlineData(424242)]
    public async Task FiveHundredRandomConcurrentOperationsKeepTheHostingInvariants(int seed)
    {
        var random = new Random(seed);
        var partner = $"carrier-{seed}";
        await _hosting.RegisterAsync(partner, quota: 1000);
        var location = await system.AddLocationAsync();
        await system.AddDeviceAsync(location, ports: 64, PortSpeed._1G);
        var customers = Enumerable.Range(0, 4).Select(i => $"tenant-{seed}-{i}").ToArray();
        var gateways = new Dictionary<string, BorderGateway>();
        foreach (var customer in customers)
        {
            gateways[customer] = await _seed.AvailableGatewayAsync(customer);
        }

        var lines = new List<PhysicalConnection>();
        for (var i = 0; i < 3; i++)
        {
            lines.Add(await _hosting.Lines.AvailableAsync(partner, location, PortSpeed._1G));
        }

        var hosted = new List<HostedConnection>();
        var interfaces = new List<VirtualInterface>();
        var plan = Enumerable.Range(0, 500).Select(_ => (Kind: random.Next(100), Pick: random.Next(), Vlan: random.Next(1, 13), Mbps: Steps[random.Next(Steps.Length)]))
            .ToArray();
        var unexpected = new ConcurrentBag<string>();
        var refused = 0;
        var twins = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 16).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < plan.Length)
            {
                try
                {
                    await RunAsync(plan[n], n);
                }
                catch (RpcException exception) when (Expected.Contains(exception.StatusCode))
                {
                    Interlocked.Increment(ref refused);
                }
                catch (RpcException exception)
                {
                    unexpected.Add($"op {n} ({plan[n].Kind}): {exception.Status}");
                }
            }
        }));

        output.WriteLine($"seed {seed}: {hosted.Count} hosted connections allocated, {interfaces.Count} interfaces on them, {lines.Count} lines, {refused} refusals, {twins} allocations sent twice at once");
        Assert.True(unexpected.IsEmpty, string.Join('\n', unexpected));
        // The run must have done real work and met real contention, or it proves nothing.
        Assert.True(hosted.Count >= 40, $"only {hosted.Count} hosted connections were allocated");
        Assert.True(interfaces.Count >= 5, $"only {interfaces.Count} interfaces were created on hosted connections");
        Assert.True(refused >= 50, $"only {refused} operations were refused: too little contention");
        Assert.True(twins >= 5, $"only {twins} allocations were sent twice at once");
        await Invariants.SettleAsync(() => ProblemsAsync(partner, customers), TimeSpan.FromSeconds(30));

        async Task RunAsync((int Kind, int Pick, int Vlan, int Mbps) op, int n)
        {
            switch (op.Kind)
            {
                case < 30:
                    var line = Pick(lines, op.Pick);
                    var customer = customers[op.Pick % customers.Length];
                    if (op.Pick % 4 == 0)
                    {
                        // The same request twice at once: never two allocations, and never a copy refused by what its twin
                        // did (the twin's answer is its answer). A copy may still be refused by someone else's change that a
                        // later one undoes before its twin plans: refusals are not remembered (AIP-155), so that is allowed.
                        Interlocked.Increment(ref twins);
                        var requestId = Guid.NewGuid().ToString();
                        var both = await Task.WhenAll(Outcome(() => _hosting.AllocateAsync(partner, line.Id, customer, op.Vlan, op.Mbps, requestId)),
                            Outcome(() => _hosting.AllocateAsync(partner, line.Id, customer, op.Vlan, op.Mbps, requestId)));
                        var made = both.Select(b => b.Result?.Id).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
                        if (made.Count > 1)
                        {
                            unexpected.Add($"op {n}: one request id allocated twice: {string.Join(", ", made)}");
                        }
                        else if (made.Count == 1 && both.Any(b => b.Holder == made[0]))
                        {
                            unexpected.Add($"op {n}: a copy was refused for the VLAN its own twin took ({made[0]})");
                        }

                        if (both.FirstOrDefault(b => b.Result is not null)?.Result is { } first)
                        {
                            Add(hosted, first);
                        }

                        if (made.Count == 0 && both[0].Code is { } code)
                        {
                            throw new RpcException(new Status(code, "refused"));
                        }
                    }
                    else
                    {
                        Add(hosted, await _hosting.AllocateAsync(partner, line.Id, customer, op.Vlan, op.Mbps));
                    }

                    break;
                case < 45:
                    if (hosted.Count > 0)
                    {
                        var h = Pick(hosted, op.Pick);
                        await _hosting.Hosted.AcceptHostedConnectionAsync(new AcceptHostedConnectionRequest { Region = Hosting.Region, Id = h.Id },
                            _hosting.Customer(h.AccountId));
                    }

                    break;
                case < 50:
                    if (hosted.Count > 0)
                    {
                        var h = Pick(hosted, op.Pick);
                        await _hosting.DeclineAsync(h);
                    }

                    break;
                case < 62:
                    if (hosted.Count > 0)
                    {
                        var h = Pick(hosted, op.Pick);
                        await _hosting.DeleteAsync(h.Id, op.Pick % 2 == 0 ? _hosting.Partner(partner) : _hosting.Customer(h.AccountId));
                    }

                    break;
                case < 82:
                    if (hosted.Count > 0)
                    {
                        var h = Pick(hosted, op.Pick);
                        var vif = Seed.Interface(new PhysicalConnection(), gateways[h.AccountId], vlan: 0, idcPrefix: $"100.{64 + n / 256}.{n % 256}.0/24", subnet: n);
                        vif.PhysicalConnectionId = "";
                        vif.HostedConnectionId = h.Id;
                        vif.BandwidthMbps = 50;
                        Add(interfaces, await _seed.CreateInterfaceAsync(h.AccountId, vif));
                    }

                    break;
                case < 92:
                    if (interfaces.Count > 0)
                    {
                        var vif = Pick(interfaces, op.Pick);
                        await _seed.DeleteInterfaceAsync(vif.AccountId, vif.Id);
                    }

                    break;
                case < 96:
                    Add(lines, await _hosting.Lines.AvailableAsync(partner, location, PortSpeed._1G));
                    break;
                default:
                    await _hosting.Lines.Client.DeletePhysicalConnectionAsync(
                        new DeletePhysicalConnectionRequest { Region = Hosting.Region, Id = Pick(lines, op.Pick).Id }, _hosting.Partner(partner));
                    break;
            }
        }
    }

    [Fact]
    public async Task ACreationOnAHostedConnectionThatDiedAfterReservingIsRolledBackByTheReconciler()
    {
        var (partner, line) = await _hosting.PartnerWithLineAsync();
        var customer = Hosting.NewAccount("orphan");
        var gateway = await _seed.AvailableGatewayAsync(customer);
        var hosted = await _hosting.AcceptAsync(await _hosting.AllocateAsync(partner, line.Id, customer, 900, 100));

        // Stage the crash: an open intent and both reservations, but no interface.
        var id = "dxvif-0rphan" + Guid.NewGuid().ToString("N")[..6];
        var state = system.Services.GetRequiredService<IStateStore>();
        var store = system.Services.GetRequiredService<VirtualInterfaceStore>();
        var (intents, unchanged) = await store.GetIntentIndexAsync(CancellationToken.None);
        var intent = new CreationIntent(id, customer, Seed.Region, "", gateway.Id, DateTimeOffset.UtcNow.AddMinutes(-5)) { HostedConnectionId = hosted.Id };
        Assert.True(await state.TryExecuteTransactionAsync(
            [VirtualInterfaceStore.PutIntent(intent, ETagCondition.MustNotExist), VirtualInterfaceStore.PutIntentIndex(intents.With(id), unchanged)], []));
        var service = system.AsService("virtual-interfaces");
        await new InternalV1.PhysicalConnectionReservationService.PhysicalConnectionReservationServiceClient(system.InternalChannel).ReserveHostedConnectionAsync(
            new InternalV1.ReserveHostedConnectionRequest { Region = Seed.Region, Id = hosted.Id, AccountId = customer, VirtualInterfaceId = id, Vlan = 900 }, service);
        await new InternalV1.BorderGatewayReservationService.BorderGatewayReservationServiceClient(system.InternalChannel).ReserveBorderGatewayAsync(
            new InternalV1.ReserveBorderGatewayRequest { Region = Seed.Region, Id = gateway.Id, AccountId = customer, VirtualInterfaceId = id, IdcPrefixes = { "198.18.9.0/24" } },
            service);
        Assert.Equal([id], (await _hosting.GetAsync(hosted.Id, _hosting.Customer(customer))).VirtualInterfaceIds);
        var inUse = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, () => _hosting.DeleteAsync(hosted.Id, _hosting.Customer(customer)));
        Assert.Equal("HOSTED_CONNECTION_IN_USE", inUse.Reason());

        Assert.True(await system.Services.GetRequiredService<IntentReconciler>().ReconcileOnceAsync(CancellationToken.None) >= 1);

        await Seed.EventuallyAsync(() => _hosting.GetAsync(hosted.Id, _hosting.Customer(customer)), h => h.VirtualInterfaceIds.Count == 0,
            "released the orphan's hosted connection reservation");
        await Seed.EventuallyAsync(() => _seed.GetGatewayAsync(customer, gateway.Id), g => !g.VirtualInterfaceIds.Contains(id), "released the orphan's gateway reservation");
        Assert.Equal(HostedConnection.Types.State.Deleted, (await _hosting.DeleteAsync(hosted.Id, _hosting.Customer(customer))).State); // nothing holds it any more
        Assert.Null(await store.GetIntentAsync(id, CancellationToken.None));
    }

    /// <summary>One copy's answer: the allocation, or the refusal's code and, for VLAN_IN_USE, the VLAN's holder.</summary>
    private sealed record Answer(HostedConnection? Result, StatusCode? Code, string? Holder = null);

    private static async Task<Answer> Outcome(Func<Task<HostedConnection>> call)
    {
        try
        {
            return new Answer(await call(), null);
        }
        catch (RpcException exception)
        {
            var info = exception.GetRpcStatus()?.Details.Select(d => d.TryUnpack<Google.Rpc.ErrorInfo>(out var i) ? i : null).FirstOrDefault(i => i is not null);
            return new Answer(null, exception.StatusCode, info?.Metadata.GetValueOrDefault("holder"));
        }
    }

    /// <summary>What is wrong, read through the public API as the partner and the customers see it.</summary>
    private async Task<List<string>> ProblemsAsync(string partner, IReadOnlyList<string> customers)
    {
        var partnerCall = _hosting.Partner(partner);
        var lines = (await Invariants.AllAsync(async token =>
        {
            var page = await _hosting.Lines.Client.ListPhysicalConnectionsAsync(
                new ListPhysicalConnectionsRequest { Region = Hosting.Region, ShowDeleted = true, PageSize = 1000, PageToken = token }, partnerCall);
            return (page.PhysicalConnections, page.NextPageToken);
        })).ToDictionary(l => l.Id);
        var allocated = (await _hosting.ListAsync(partnerCall, showDeleted: true)).ToDictionary(h => h.Id);
        var problems = new List<string>();

        foreach (var line in lines.Values)
        {
            var holding = allocated.Values.Where(h => h.PhysicalConnectionId == line.Id && h.State is HostedConnection.Types.State.PendingAcceptance
                or HostedConnection.Types.State.Available).ToList();
            if (line.State == PhysicalConnection.Types.State.Deleted && (holding.Count > 0 || line.HostedConnectionIds.Count > 0))
            {
                problems.Add($"deleted line {line.Id} still hosts {string.Join(", ", holding.Select(h => h.Id).Concat(line.HostedConnectionIds).Distinct())}");
            }

            if (holding.Sum(h => h.BandwidthMbps) > line.BandwidthMbps)
            {
                problems.Add($"{line.Id} hosts {holding.Sum(h => h.BandwidthMbps)} Mbit/s on {line.BandwidthMbps}");
            }

            problems.AddRange(holding.GroupBy(h => h.Vlan).Where(g => g.Count() > 1)
                .Select(g => $"VLAN {g.Key} held {g.Count()} times on {line.Id}: {string.Join(", ", g.Select(h => h.Id))}"));
            if (!holding.Select(h => h.Id).Order(StringComparer.Ordinal).SequenceEqual(line.HostedConnectionIds.Order(StringComparer.Ordinal)))
            {
                problems.Add($"{line.Id} names hosted connections [{string.Join(", ", line.HostedConnectionIds)}], holding ones are [{string.Join(", ", holding.Select(h => h.Id))}]");
            }
        }

        foreach (var customer in customers)
        {
            var customerCall = _hosting.Customer(customer);
            var held = (await _hosting.ListAsync(customerCall, showDeleted: true)).ToDictionary(h => h.Id);
            var vifs = (await Invariants.InterfacesAsync(_seed, customer)).Where(v => v.HostedConnectionId.Length > 0).ToList();
            var live = vifs.Where(v => v.State != VirtualInterface.Types.State.Deleted).ToDictionary(v => v.Id);
            foreach (var vif in live.Values)
            {
                if (!held.TryGetValue(vif.HostedConnectionId, out var h) || h.State != HostedConnection.Types.State.Available)
                {
                    problems.Add($"{vif.Id} runs over {vif.HostedConnectionId}, which is {h?.State.ToString() ?? "missing"}");
                }
                else if (!h.VirtualInterfaceIds.Contains(vif.Id))
                {
                    problems.Add($"{vif.Id} holds no reservation on {h.Id}");
                }
                else if (vif.Vlan != h.Vlan)
                {
                    problems.Add($"{vif.Id} uses VLAN {vif.Vlan} on {h.Id}, whose VLAN is {h.Vlan}");
                }
            }

            foreach (var h in held.Values)
            {
                problems.AddRange(h.VirtualInterfaceIds.Where(v => !live.ContainsKey(v)).Select(v => $"{h.Id} is held for {v}, which is not a live interface"));
                if (h.VirtualInterfaceIds.Count > 1)
                {
                    problems.Add($"{h.Id} carries {h.VirtualInterfaceIds.Count} interfaces on one VLAN");
                }

                if (!allocated.TryGetValue(h.Id, out var seenByPartner) || seenByPartner.State != h.State)
                {
                    problems.Add($"{h.Id} is {h.State} to its customer and {seenByPartner?.State.ToString() ?? "missing"} to its partner");
                }
            }
        }

        return problems;
    }
}
