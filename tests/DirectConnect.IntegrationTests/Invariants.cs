using DirectConnect.Contracts.V1;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The invariants of DOMAIN.md over one account, read through the public API: no live virtual
/// interface references a deleted line or gateway, no VLAN twice on a line, and every
/// reservation belongs to a live interface (and every live interface holds both of its). The
/// releases travel by events, so the check waits (bounded) for the system to settle.
/// </summary>
internal static class Invariants
{
    public static Task HoldAsync(Seed seed, string account, TimeSpan settle) => SettleAsync(() => ProblemsAsync(seed, account), settle);

    /// <summary>
    /// Waits (bounded by <paramref name="settle"/>) until <paramref name="problems"/> finds none; fails with the last ones
    /// found. Releases travel by events, so a check right after a run may see some still in flight.
    /// </summary>
    public static async Task SettleAsync(Func<Task<List<string>>> problemsNow, TimeSpan settle)
    {
        var deadline = DateTime.UtcNow + settle;
        while (true)
        {
            var problems = await problemsNow();
            if (problems.Count == 0)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new Xunit.Sdk.XunitException("Invariants broken:\n" + string.Join('\n', problems));
            }

            await Task.Delay(200);
        }
    }

    public static async Task<List<string>> ProblemsAsync(Seed seed, string account)
    {
        var caller = seed.Customer(account);
        var vifs = await InterfacesAsync(seed, account);
        var lines = (await AllAsync(async token =>
        {
            var page = await seed.Lines.Client.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Seed.Region, ShowDeleted = true, PageSize = 1000, PageToken = token }, caller);
            return (page.PhysicalConnections, page.NextPageToken);
        })).ToDictionary(c => c.Id);
        var gateways = (await AllAsync(async token =>
        {
            var page = await seed.Gateways.ListBorderGatewaysAsync(new ListBorderGatewaysRequest { Region = Seed.Region, ShowDeleted = true, PageSize = 1000, PageToken = token }, caller);
            return (page.BorderGateways, page.NextPageToken);
        })).ToDictionary(g => g.Id);

        var live = vifs.Where(v => v.State != VirtualInterface.Types.State.Deleted).ToArray();
        var liveIds = live.Select(v => v.Id).ToHashSet();
        var problems = new List<string>();
        foreach (var vif in live)
        {
            if (vif.HostedConnectionId.Length > 0)
            {
                // On a hosted connection: the partner's line is not the customer's to see (HostedConnectionConcurrencyTests checks these).
            }
            else if (!lines.TryGetValue(vif.PhysicalConnectionId, out var line) || line.State == PhysicalConnection.Types.State.Deleted)
            {
                problems.Add($"{vif.Id} references deleted or missing line {vif.PhysicalConnectionId}");
            }
            else if (!line.VirtualInterfaceIds.Contains(vif.Id))
            {
                problems.Add($"{vif.Id} holds no reservation on {line.Id}");
            }

            if (!gateways.TryGetValue(vif.BorderGatewayId, out var gateway) || gateway.State == BorderGateway.Types.State.Deleted)
            {
                problems.Add($"{vif.Id} references deleted or missing gateway {vif.BorderGatewayId}");
            }
            else if (!gateway.VirtualInterfaceIds.Contains(vif.Id))
            {
                problems.Add($"{vif.Id} holds no reservation on {gateway.Id}");
            }
        }

        problems.AddRange(live.Where(v => v.HostedConnectionId.Length == 0).GroupBy(v => (v.PhysicalConnectionId, v.Vlan)).Where(g => g.Count() > 1)
            .Select(g => $"VLAN {g.Key.Vlan} used {g.Count()} times on {g.Key.PhysicalConnectionId}: {string.Join(", ", g.Select(v => v.Id))}"));
        problems.AddRange(lines.Values.SelectMany(l => l.VirtualInterfaceIds.Where(v => !liveIds.Contains(v)).Select(v => $"{l.Id} holds a reservation for {v}, which is not a live interface")));
        problems.AddRange(gateways.Values.SelectMany(g => g.VirtualInterfaceIds.Where(v => !liveIds.Contains(v)).Select(v => $"{g.Id} holds a reservation for {v}, which is not a live interface")));
        return problems;
    }

    /// <summary>Every virtual interface of <paramref name="account"/> in the region, deleted ones included, page by page.</summary>
    public static Task<List<VirtualInterface>> InterfacesAsync(Seed seed, string account) =>
        AllAsync(async token =>
        {
            var page = await seed.Interfaces.ListVirtualInterfacesAsync(new ListVirtualInterfacesRequest { Region = Seed.Region, ShowDeleted = true, PageSize = 1000, PageToken = token },
                seed.Customer(account));
            return (page.VirtualInterfaces, page.NextPageToken);
        });

    internal static async Task<List<T>> AllAsync<T>(Func<string, Task<(Google.Protobuf.Collections.RepeatedField<T> Items, string Next)>> page)
    {
        var all = new List<T>();
        var token = "";
        do
        {
            var (items, next) = await page(token);
            all.AddRange(items);
            token = next;
        }
        while (token.Length > 0);
        return all;
    }
}
