using System.Globalization;
using System.Text.Json;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Idempotency;
using DirectConnect.Platform.Tenancy;
using DirectConnect.Platform.Tests.Infrastructure;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.State;

/// <summary>
/// Group commit (<see cref="GroupCommit{TRequest,TResult}"/> over <see cref="OptimisticTransaction.RunBatchAsync{TRequest,T}"/>)
/// on each adapter: requests that queue behind a batch commit together in the next, and each one is still decided alone —
/// a quota counts the members accepted before it, a repeated request id gets the first answer, a reused one is refused,
/// a batch that loses a race is planned again, and a request cancelled while it waits is never committed.
/// </summary>
/// <remarks>
/// The "resource" here is a line in a list index, counted by a usage document with a quota, as a physical connection is in
/// its region. Each test holds the first batch at a gate so that what it submits next queues and forms one batch.
/// </remarks>
public abstract class GroupCommitDecidesEachMemberAlone(CoordinationAdapter adapter) : ConformanceTest(adapter)
{
    private const string IndexKey = "lines-by-region/cn-test-1";
    private const string UsageKey = "line-usage/cn-test-1";
    private static readonly string[] OthersInBatch = ["b", "c", "d", "e", "f"];
    private static readonly string[] RacingBatch = ["x", "y", "z"];

    [Fact]
    public async Task RequestsThatQueueWhileABatchCommitsGoTogetherInTheNextOneInTheOrderTheyCame()
    {
        await using var services = Adapter.StoreOnly();
        var lines = new Lines(services.Store(), quota: 100);
        var first = lines.RunAsync("r", "first", null, CancellationToken.None);
        await lines.HeldAtGate.Task.WaitAsync(TimeSpan.FromSeconds(30));

        var queued = Enumerable.Range(0, 20).Select(i => lines.RunAsync("r", Name(i), null, CancellationToken.None)).ToArray();
        lines.Gate.SetResult();
        var positions = await Task.WhenAll(queued).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(0, await first);
        Assert.Equal(Enumerable.Range(1, 20).Select(p => (long)p), positions);
        Assert.Equal([1, 20], lines.BatchSizes);
        Assert.Equal(1, lines.PlansPerBatch[1]);
        var view = await services.Store().ReadListIndexAsync(IndexKey);
        Assert.Equal(["first", .. Enumerable.Range(0, 20).Select(Name)], await view.ReadAllAsync());
        Assert.Equal(21, await UsageAsync(services.Store()));
    }

    [Fact]
    public async Task OneBatchRefusesOverTheQuotaAnswersARepeatedRequestIdOnceAndRefusesAReusedOne()
    {
        await using var services = Adapter.StoreOnly();
        var lines = new Lines(services.Store(), quota: 6);
        var first = lines.RunAsync("r", "first", null, CancellationToken.None);
        await lines.HeldAtGate.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // After "first", 5 slots: "a" (with its repeat), b, c, d, e take them; f is over the quota; "a" again with other
        // content is a reused request id.
        var a = lines.RunAsync("r", "a", Id("req-a", "a"), CancellationToken.None);
        var repeat = lines.RunAsync("r", "a", Id("req-a", "a"), CancellationToken.None);
        var reused = lines.RunAsync("r", "a-changed", Id("req-a", "a-changed"), CancellationToken.None);
        var others = OthersInBatch.Select(n => lines.RunAsync("r", n, null, CancellationToken.None)).ToArray();
        lines.Gate.SetResult();

        await first;
        Assert.Equal(1, await a);
        Assert.Equal(1, await repeat);
        var reuse = await Assert.ThrowsAsync<DomainException>(() => reused);
        Assert.Equal("REQUEST_ID_REUSED", reuse.Reason);
        var taken = await Task.WhenAll(others[..4]);
        Assert.Equal([2L, 3L, 4L, 5L], taken);
        var over = await Assert.ThrowsAsync<DomainException>(() => others[4]);
        Assert.Equal(ErrorCode.ResourceExhausted, over.Code);

        Assert.Equal([1, 8], lines.BatchSizes);
        var view = await services.Store().ReadListIndexAsync(IndexKey);
        Assert.Equal(["first", "a", "b", "c", "d", "e"], await view.ReadAllAsync());
        Assert.Equal(6, await UsageAsync(services.Store()));
    }

    [Fact]
    public async Task ABatchThatLosesARaceToAnotherWriterIsPlannedAgainFromWhatThatWriterCommitted()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        var lines = new Lines(store, quota: 4);
        var first = lines.RunAsync("r", "first", null, CancellationToken.None);
        await lines.HeldAtGate.Task.WaitAsync(TimeSpan.FromSeconds(30));
        var queued = RacingBatch.Select(n => lines.RunAsync("r", n, null, CancellationToken.None)).ToArray();
        // Another process appends its own line between this batch's reads and its commit.
        lines.BeforeCommit = async open =>
        {
            if (open.Count == 1)
            {
                return; // the first batch
            }

            lines.BeforeCommit = null;
            var (index, usage) = await Lines.ReadAsync(store);
            Assert.True(await store.TryExecuteTransactionAsync([.. index.Append("elsewhere"), PutUsage(usage.Count + 1, usage.Unchanged)], []));
        };
        lines.Gate.SetResult();

        await first;
        var taken = await Task.WhenAll(queued[..2]);
        Assert.Equal([2L, 3L], taken);
        Assert.Equal(ErrorCode.ResourceExhausted, (await Assert.ThrowsAsync<DomainException>(() => queued[2])).Code);
        Assert.Equal(2, lines.PlansPerBatch[1]);
        var view = await store.ReadListIndexAsync(IndexKey);
        Assert.Equal(["first", "elsewhere", "x", "y"], await view.ReadAllAsync());
        Assert.Equal(4, await UsageAsync(store));
    }

    [Fact]
    public async Task ARequestCancelledWhileItQueuesIsNeverCommittedAndAFailedOrUndecidedBatchFailsOnlyItsOwnMembers()
    {
        await using var services = Adapter.StoreOnly();
        var lines = new Lines(services.Store(), quota: 100);
        var first = lines.RunAsync("r", "first", null, CancellationToken.None);
        await lines.HeldAtGate.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var cancel = new CancellationTokenSource();
        var cancelled = lines.RunAsync("r", "cancelled", null, cancel.Token);
        var kept = lines.RunAsync("r", "kept", null, CancellationToken.None);
        await cancel.CancelAsync();
        lines.Gate.SetResult();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        Assert.Equal(1, await kept);
        Assert.Equal([1, 1], lines.BatchSizes);

        // A batch whose store call throws fails its members with that error; the next batch commits as usual.
        lines.BeforeCommit = _ => throw new InvalidDataException("the store broke");
        var broken = await Assert.ThrowsAsync<InvalidDataException>(() => lines.RunAsync("r", "broken", null, CancellationToken.None));
        Assert.Equal("the store broke", broken.Message);
        lines.BeforeCommit = null;
        // A batch that returns without answering a member fails it, rather than leaving its caller waiting.
        lines.LeaveUndecided = true;
        await Assert.ThrowsAsync<InvalidOperationException>(() => lines.RunAsync("r", "undecided", null, CancellationToken.None));
        lines.LeaveUndecided = false;
        Assert.Equal(2, await lines.RunAsync("r", "after", null, CancellationToken.None));

        await first;
        var view = await services.Store().ReadListIndexAsync(IndexKey);
        Assert.Equal(["first", "kept", "after"], await view.ReadAllAsync());
    }

    private static string Name(int i) => string.Create(CultureInfo.InvariantCulture, $"line-{i:D2}");

    private static RequestId Id(string value, string content) =>
        new("lines/create", "acme", value, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Bytes(content).ToArray())));

    private static async Task<int> UsageAsync(IStateStore store) => (await Lines.ReadAsync(store)).Usage.Count;

    private static UpsertState PutUsage(int count, ETagCondition condition) =>
        new(UsageKey, Bytes(JsonSerializer.Serialize(new { count })), condition);

    /// <summary>Lines in a region: each request appends its name to the index and counts against the quota; its result is its position.</summary>
    private sealed class Lines(IStateStore store, int quota) : GroupCommit<string, long>
    {
        private readonly OptimisticTransaction _transactions = new(store, new RequestLedger(store));
        private int _batches;

        public TaskCompletionSource HeldAtGate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Gate { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<int> BatchSizes { get; } = [];

        public List<int> PlansPerBatch { get; } = [];

        /// <summary>When set, a batch returns without deciding its members.</summary>
        public bool LeaveUndecided { get; set; }

        /// <summary>Runs between a plan's reads and its commit.</summary>
        public Func<IReadOnlyList<IBatchMember<string, long>>, Task>? BeforeCommit { get; set; }

        public static async Task<(ListIndexAppend Index, (int Count, ETagCondition Unchanged) Usage)> ReadAsync(IStateStore store)
        {
            var items = await store.GetBulkAsync([IndexKey, UsageKey]);
            var usage = items.GetValueOrDefault(UsageKey);
            var count = usage is null ? 0 : JsonDocument.Parse(usage.Value).RootElement.GetProperty("count").GetInt32();
            return (ListIndex.ForAppend(IndexKey, items.GetValueOrDefault(IndexKey)), (count, ETagCondition.For(usage)));
        }

        protected override async Task CommitBatchAsync(string key, IReadOnlyList<IBatchMember<string, long>> batch)
        {
            BatchSizes.Add(batch.Count);
            PlansPerBatch.Add(0);
            if (Interlocked.Increment(ref _batches) == 1)
            {
                HeldAtGate.SetResult();
                await Gate.Task;
            }

            if (LeaveUndecided)
            {
                return;
            }

            await _transactions.RunBatchAsync(batch, PlanAsync, position => BitConverter.GetBytes(position), bytes => BitConverter.ToInt64(bytes),
                "the lines", CancellationToken.None);
        }

        private async Task<BatchPlan<string, long>> PlanAsync(IReadOnlyList<IBatchMember<string, long>> open, CancellationToken cancellationToken)
        {
            PlansPerBatch[^1]++;
            var (index, usage) = await ReadAsync(store);
            if (BeforeCommit is { } before)
            {
                await before(open);
            }

            List<(IBatchMember<string, long>, long)> accepted = [];
            List<(IBatchMember<string, long>, Exception)> refused = [];
            foreach (var member in open)
            {
                if (usage.Count + accepted.Count >= quota)
                {
                    refused.Add((member, new DomainException(ErrorCode.ResourceExhausted, "LINE_QUOTA_EXCEEDED", "no room")));
                    continue;
                }

                accepted.Add((member, index.End + accepted.Count));
            }

            return accepted.Count == 0
                ? new BatchPlan<string, long>([], [], accepted, refused)
                : new BatchPlan<string, long>(
                    [.. index.Append(accepted.Select(a => a.Item1.Request).ToArray()), PutUsage(usage.Count + accepted.Count, usage.Unchanged)],
                    [], accepted, refused);
        }
    }
}

public sealed class GroupCommitDecidesEachMemberAloneOnSqlite() : GroupCommitDecidesEachMemberAlone(new SqliteAdapter());

public sealed class GroupCommitDecidesEachMemberAloneOnDapr() : GroupCommitDecidesEachMemberAlone(new DaprAdapter());
