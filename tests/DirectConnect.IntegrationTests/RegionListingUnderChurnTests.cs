using System.Collections.Concurrent;
using DirectConnect.Contracts.V1;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Issue 17: an operator paging through a region's physical connections while customers create and delete them
/// sees each connection at most once, and sees every connection that existed throughout the paging. This is what any
/// change to the region's index (sharded, paged, shrinking on delete) must keep; it holds today with an index that
/// only grows.
/// </summary>
public sealed class RegionListingUnderChurnTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private const string Region = "cn-south-1";

    [Theory]
    [InlineData(1, 7)]
    [InlineData(2, 1)]
    [InlineData(3, 50)]
    public async Task PagingWhileLinesComeAndGoShowsEachAtMostOnceAndEveryOneThatStayed(int seed, int pageSize)
    {
        var random = new Random(seed);
        var lines = new PhysicalConnectionService.PhysicalConnectionServiceClient(system.Channel);
        var location = await system.AddLocationAsync(Region);
        var run = Guid.NewGuid().ToString("N")[..6];
        var accounts = Enumerable.Range(0, 8).Select(i => $"churn-{run}-{i}").ToArray();

        async Task<string> OrderAsync(string account) => (await lines.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest
        {
            Region = Region,
            PhysicalConnection = new PhysicalConnection
            {
                Name = "churn", LocationId = location, PortSpeed = PortSpeed._10G, BandwidthMbps = 100, Provider = "China Telecom",
            },
        }, system.As(account, "customer"))).Id;

        // Lines that exist before the paging starts; half of them stay throughout, the others are deleted during it.
        var before = new List<(string Account, string Id)>();
        foreach (var account in accounts)
        {
            for (var i = 0; i < 4; i++)
            {
                before.Add((account, await OrderAsync(account)));
            }
        }

        var doomed = before.OrderBy(_ => random.Next()).Take(before.Count / 2).ToList();
        var stayed = before.Except(doomed).Select(l => l.Id).ToHashSet();

        // Each doomed line is deleted once: by the churn, or by the operator's side right after it ended a page (the
        // line a page token points after is the one whose deletion an index that shrinks must survive).
        var claimed = new ConcurrentDictionary<string, bool>();
        var accountOf = before.ToDictionary(l => l.Id, l => l.Account);
        async Task DeleteAsync(string id) => await lines.DeletePhysicalConnectionAsync(
            new DeletePhysicalConnectionRequest { Region = Region, Id = id }, system.As(accountOf.GetValueOrDefault(id) ?? "", "customer"));

        // Churn: delete the doomed ones and order and delete new ones, from several customers at once. The orders are
        // bounded: a list that grows faster than a page of one is read would never end (and creates are batched now).
        using var stop = new CancellationTokenSource();
        var churned = new ConcurrentBag<string>();
        var ordersLeft = 200;
        var churn = Task.WhenAll(accounts.Select(async (account, n) =>
        {
            var mine = new Random(seed * 100 + n);
            var toDelete = new Queue<string>(doomed.Where(d => d.Account == account).Select(d => d.Id));
            while (!stop.IsCancellationRequested)
            {
                if (toDelete.Count > 0 && mine.Next(2) == 0)
                {
                    var id = toDelete.Dequeue();
                    if (claimed.TryAdd(id, true))
                    {
                        await lines.DeletePhysicalConnectionAsync(new DeletePhysicalConnectionRequest { Region = Region, Id = id },
                            system.As(account, "customer"));
                    }

                    await Task.Delay(mine.Next(3));
                    continue;
                }

                if (Interlocked.Decrement(ref ordersLeft) < 0)
                {
                    await Task.Delay(5); // done ordering; the doomed lines left are still deleted above
                    continue;
                }

                try
                {
                    var id = await OrderAsync(account);
                    churned.Add(id);
                    toDelete.Enqueue(id);
                    await Task.Delay(mine.Next(3));
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.ResourceExhausted)
                {
                    // At the account's quota: deleting comes next.
                }
            }
        }));

        // The operator pages through the region, more slowly than the churn.
        var seen = new List<string>();
        var token = "";
        do
        {
            var page = await lines.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest
            {
                Region = Region, PageSize = pageSize, PageToken = token,
            }, system.As("ops", "operator"));
            seen.AddRange(page.PhysicalConnections.Select(c => c.Id));
            token = page.NextPageToken;
            if (page.PhysicalConnections.Count > 0 && doomed.Any(d => d.Id == page.PhysicalConnections[^1].Id) &&
                claimed.TryAdd(page.PhysicalConnections[^1].Id, true))
            {
                await DeleteAsync(page.PhysicalConnections[^1].Id);
            }

            await Task.Delay(random.Next(5));
        }
        while (token != "");

        await stop.CancelAsync();
        await churn;

        Assert.True(!churned.IsEmpty, "no line came and went while the operator paged");
        var twice = seen.GroupBy(id => id).Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        Assert.True(twice.Length == 0, $"listed more than once: {string.Join(", ", twice)}");
        var missed = stayed.Where(id => !seen.Contains(id)).ToArray();
        Assert.True(missed.Length == 0, $"existed throughout but never listed: {string.Join(", ", missed)}");
    }
}
