using DirectConnect.Platform.Coordination;

namespace DirectConnect.Platform.Tests.Infrastructure;

/// <summary>Marks the log of one subscription, so one host can tell its subscriptions apart.</summary>
public sealed class FirstSubscription;

/// <summary>Marks the log of a second subscription.</summary>
public sealed class SecondSubscription;

/// <summary>
/// Every delivery a <see cref="RecordingHandler{TSubscription}"/> saw, in order, and the outcome it
/// returns (<see cref="Outcome"/> gets the event and its attempt number, 1 for the first delivery).
/// </summary>
public sealed class DeliveryLog<TSubscription>
{
    private readonly Lock _gate = new();
    private readonly List<CloudEvent> _deliveries = [];
    private readonly Dictionary<string, int> _attempts = new(StringComparer.Ordinal);

    public Func<CloudEvent, int, EventHandling> Outcome { get; init; } = static (_, _) => EventHandling.Success;

    public IReadOnlyList<CloudEvent> Deliveries
    {
        get
        {
            lock (_gate)
            {
                return [.. _deliveries];
            }
        }
    }

    public IReadOnlyList<string> Ids => [.. Deliveries.Select(d => d.Id)];

    public int Attempts(string id)
    {
        lock (_gate)
        {
            return _attempts.GetValueOrDefault(id);
        }
    }

    internal EventHandling Record(CloudEvent cloudEvent)
    {
        int attempt;
        lock (_gate)
        {
            _deliveries.Add(cloudEvent);
            attempt = _attempts[cloudEvent.Id] = _attempts.GetValueOrDefault(cloudEvent.Id) + 1;
        }

        return Outcome(cloudEvent, attempt);
    }

    /// <summary>Waits (bounded) until <paramref name="id"/> was delivered.</summary>
    public Task WaitForAsync(string id) =>
        Eventually.HoldsAsync(() => Attempts(id) > 0, () => $"{id} was never delivered; saw [{string.Join(", ", Ids)}]");

    /// <summary>Waits (bounded) until every one of <paramref name="ids"/> was delivered.</summary>
    public Task WaitForAllAsync(IEnumerable<string> ids)
    {
        var wanted = ids.ToArray();
        return Eventually.HoldsAsync(() => wanted.All(id => Attempts(id) > 0),
            () => $"not all of {wanted.Length} events were delivered; saw [{string.Join(", ", Ids)}]");
    }
}

/// <summary>Records each delivery in its <see cref="DeliveryLog{TSubscription}"/> and returns the outcome the log dictates.</summary>
public sealed class RecordingHandler<TSubscription>(DeliveryLog<TSubscription> log) : IEventHandler
{
    public async Task<EventHandling> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        await Task.Yield();
        return log.Record(cloudEvent);
    }
}

/// <summary>Polls a condition until it holds, failing the test after a bound (never a timing assertion).</summary>
public static class Eventually
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    public static async Task HoldsAsync(Func<bool> condition, Func<string> describeFailure, TimeSpan? timeout = null)
    {
        using var deadline = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (!condition())
        {
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException(describeFailure());
            }

            await Task.Delay(10, CancellationToken.None);
        }
    }
}
