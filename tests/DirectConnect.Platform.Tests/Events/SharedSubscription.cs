using DirectConnect.Platform.Tests.Infrastructure;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.Events;

public sealed class SubscriptionSharedByTwoProcessesDeliversEachEventOnce : IDisposable
{
    private readonly TempDatabase _database = new();

    [Fact]
    public async Task BothShareOnePositionAndTheSurvivorTakesOver()
    {
        const string Name = "shared-consumer";
        var logA = new DeliveryLog<FirstSubscription>();
        var logB = new DeliveryLog<FirstSubscription>();
        await using var a = await CoordinationHost.StartAsync(_database.Path, s => s.AddRecordingSubscription(Name, logA));

        // 1. A alone
        var phase1 = Ids(0, 10);
        foreach (var id in phase1)
        {
            Assert.True(await a.Store.TryPublishAsync(Event(id)));
        }

        await logA.WaitForAllAsync(phase1);

        // 2. B joins under the same name (a second service provider on the same file); both publish
        await using var b = await CoordinationHost.StartAsync(_database.Path, s => s.AddRecordingSubscription(Name, logB));
        var phase2 = Ids(10, 40);
        for (var i = 0; i < phase2.Length; i++)
        {
            Assert.True(await (i % 2 == 0 ? a : b).Store.TryPublishAsync(Event(phase2[i])));
        }

        await Eventually.HoldsAsync(
            () => phase2.All(id => logA.Attempts(id) + logB.Attempts(id) > 0),
            () => $"not all delivered: A [{string.Join(", ", logA.Ids)}] B [{string.Join(", ", logB.Ids)}]");

        // 3. A stops; B carries on from the shared position
        await a.StopAsync();
        var phase3 = Ids(50, 10);
        foreach (var id in phase3)
        {
            Assert.True(await b.Store.TryPublishAsync(Event(id)));
        }

        await logB.WaitForAllAsync(phase3);
        await b.StopAsync();

        string[] all = [.. phase1, .. phase2, .. phase3];
        var delivered = logA.Ids.Concat(logB.Ids).ToArray();
        Assert.Equal(all.Order(StringComparer.Ordinal), delivered.Order(StringComparer.Ordinal)); // each exactly once
        Assert.Equal([.. logA.Ids.Order(StringComparer.Ordinal)], logA.Ids); // each in publication order
        Assert.Equal([.. logB.Ids.Order(StringComparer.Ordinal)], logB.Ids);
        Assert.Equal(phase1, logA.Ids.Take(phase1.Length));
        Assert.Equal(phase3, logB.Ids.TakeLast(phase3.Length));
    }

    private static string[] Ids(int from, int count) => [.. Enumerable.Range(from, count).Select(i => $"e{i:D3}")];

    public void Dispose() => _database.Dispose();
}
