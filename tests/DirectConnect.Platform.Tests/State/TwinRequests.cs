using System.Text;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Idempotency;
using DirectConnect.Platform.Tests.Infrastructure;
using static DirectConnect.Platform.Tests.Infrastructure.Coordination;

namespace DirectConnect.Platform.Tests.State;

/// <summary>
/// The same request sent twice at once (<see cref="OptimisticTransaction.RunAsync{T}"/>) on each adapter: when the twin
/// commits between this attempt's ledger read and its plan, the plan refuses what the twin did — and this request still
/// gets the twin's answer, not the refusal, because the ledger entry committed with the twin's writes.
/// </summary>
public abstract class TheSameRequestTwiceAtOnceGetsOneAnswer(CoordinationAdapter adapter) : ConformanceTest(adapter)
{
    private const string Slot = "slots/vlan-600";

    [Fact]
    public async Task ATwinRefusedByWhatItsFirstCopyCommittedGetsThatCopysAnswer()
    {
        await using var services = Adapter.StoreOnly();
        var store = services.Store();
        var transactions = new OptimisticTransaction(store, new RequestLedger(store));
        var requestId = new RequestId("slots/take", "acme", "req-1", "fingerprint-of-the-same-content");

        // The second copy reads the ledger (nothing yet), then waits at the gate before planning.
        var planning = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var second = transactions.RunAsync(requestId, async ct =>
        {
            planning.TrySetResult();
            await gate.Task.WaitAsync(ct);
            return await TakeAsync(store, "second copy", ct);
        }, Encode, Decode, "the slot", CancellationToken.None);
        await planning.Task.WaitAsync(TimeSpan.FromSeconds(30));

        // The first copy commits meanwhile.
        var first = await transactions.RunAsync(requestId, ct => TakeAsync(store, "first copy", ct), Encode, Decode, "the slot", CancellationToken.None);
        gate.SetResult();

        Assert.Equal("taken by the first copy", first);
        Assert.Equal(first, await second.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("taken by the first copy", (await store.GetAsync(Slot))!.Text());

        // A different request refused the same way still gets its refusal: only the ledger turns a refusal into an answer.
        var other = await Assert.ThrowsAsync<DomainException>(() => transactions.RunAsync(new RequestId("slots/take", "acme", "req-2", "other"),
            ct => TakeAsync(store, "other", ct), Encode, Decode, "the slot", CancellationToken.None));
        Assert.Equal("SLOT_TAKEN", other.Reason);
    }

    private static async Task<TransactionPlan<string>> TakeAsync(IStateStore store, string who, CancellationToken cancellationToken)
    {
        if (await store.GetAsync(Slot, cancellationToken) is not null)
        {
            throw new DomainException(ErrorCode.AlreadyExists, "SLOT_TAKEN", "The slot is taken.");
        }

        var result = $"taken by the {who}";
        return new TransactionPlan<string>([new UpsertState(Slot, Bytes(result), ETagCondition.MustNotExist)], [], result);
    }

    private static byte[] Encode(string value) => Encoding.UTF8.GetBytes(value);

    private static string Decode(byte[] bytes) => Encoding.UTF8.GetString(bytes);
}

public sealed class TheSameRequestTwiceAtOnceGetsOneAnswerOnSqlite() : TheSameRequestTwiceAtOnceGetsOneAnswer(new SqliteAdapter());

public sealed class TheSameRequestTwiceAtOnceGetsOneAnswerOnDapr() : TheSameRequestTwiceAtOnceGetsOneAnswer(new DaprAdapter());
