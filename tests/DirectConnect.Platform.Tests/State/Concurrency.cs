using System.Collections.Concurrent;
using System.Globalization;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Tests.Infrastructure;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.State;

public abstract class ConcurrentIncrementsGuardedByETagsLoseNoUpdate(CoordinationAdapter adapter) : ConformanceTest(adapter)
{
    [Fact]
    public async Task ThirtyTwoWritersRetryingOnConflictsCountEveryIncrement()
    {
        const int Writers = 32;
        const int IncrementsEach = 5;
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        Assert.True(await store.TrySaveAsync("counter", Bytes("0"), ETagCondition.MustNotExist));
        var conflicts = 0;
        var successes = 0;
        using var start = new ManualResetEventSlim();

        // A thread each (the store completes synchronously, so each loop stays on its thread): real parallelism.
        var writers = Enumerable.Range(0, Writers).Select(_ => Task.Factory.StartNew(async () =>
        {
            start.Wait(TimeSpan.FromSeconds(30));
            for (var i = 0; i < IncrementsEach; i++)
            {
                while (true)
                {
                    var read = (await store.GetAsync("counter"))!;
                    var next = int.Parse(read.Text(), CultureInfo.InvariantCulture) + 1;
                    if (await store.TrySaveAsync("counter", Bytes(next.ToString(CultureInfo.InvariantCulture)), ETagCondition.Matches(read.ETag)))
                    {
                        Interlocked.Increment(ref successes);
                        break;
                    }

                    Interlocked.Increment(ref conflicts);
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap()).ToArray();
        start.Set();
        await Task.WhenAll(writers).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Writers * IncrementsEach, successes);
        Assert.Equal((Writers * IncrementsEach).ToString(CultureInfo.InvariantCulture), (await store.GetAsync("counter"))!.Text());
    }
}

public abstract class TwoStoresOnOneBackendRacingToInsertWinEachKeyExactlyOnce(CoordinationAdapter adapter) : ConformanceTest(adapter)
{
    [Fact]
    public async Task EveryKeyHasOneWinnerAndHoldsItsValue()
    {
        const int Keys = 100;
        const int TasksPerStore = 4;
        await using var first = Adapter.StoreOnly();
        await using var second = Adapter.StoreOnly();
        Assert.NotSame(first.Store(), second.Store());
        var wins = new ConcurrentDictionary<string, ConcurrentBag<string>>(StringComparer.Ordinal);
        using var start = new ManualResetEventSlim();

        var racers = new[] { ("first", first.Store()), ("second", second.Store()) }
            .SelectMany(s => Enumerable.Range(0, TasksPerStore).Select(t => (Name: $"{s.Item1}-{t}", Store: s.Item2)))
            .Select(racer => Task.Factory.StartNew(async () =>
            {
                start.Wait(TimeSpan.FromSeconds(30));
                // each racer walks the keys in its own order, so that they collide everywhere
                var order = Enumerable.Range(0, Keys).OrderBy(_ => Random.Shared.Next()).ToArray();
                foreach (var k in order)
                {
                    var key = $"port/{k}";
                    if (await racer.Store.TrySaveAsync(key, Bytes(racer.Name), ETagCondition.MustNotExist))
                    {
                        wins.GetOrAdd(key, _ => []).Add(racer.Name);
                    }
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).Unwrap())
            .ToArray();
        start.Set();
        await Task.WhenAll(racers).WaitAsync(TimeSpan.FromSeconds(60));

        var stored = await first.Store().GetBulkAsync([.. Enumerable.Range(0, Keys).Select(k => $"port/{k}")]);
        Assert.Equal(Keys, stored.Count);
        for (var k = 0; k < Keys; k++)
        {
            var key = $"port/{k}";
            Assert.True(wins.TryGetValue(key, out var winners), $"{key} was won by nobody");
            var winner = Assert.Single(winners);
            Assert.Equal(winner, stored[key].Text());
        }
    }
}

public sealed class ConcurrentIncrementsGuardedByETagsLoseNoUpdateOnSqlite() : ConcurrentIncrementsGuardedByETagsLoseNoUpdate(new SqliteAdapter());

public sealed class ConcurrentIncrementsGuardedByETagsLoseNoUpdateOnDapr() : ConcurrentIncrementsGuardedByETagsLoseNoUpdate(new DaprAdapter());

public sealed class TwoStoresOnOneBackendRacingToInsertWinEachKeyExactlyOnceOnSqlite() : TwoStoresOnOneBackendRacingToInsertWinEachKeyExactlyOnce(new SqliteAdapter());

public sealed class TwoStoresOnOneBackendRacingToInsertWinEachKeyExactlyOnceOnDapr() : TwoStoresOnOneBackendRacingToInsertWinEachKeyExactlyOnce(new DaprAdapter());
