using System.Diagnostics;
using DirectConnect.Platform.Idempotency;

namespace DirectConnect.Platform.Coordination;

/// <summary>
/// Group commit: requests that would otherwise take turns on one hot document (every create in a region appends to the
/// region's index head) are decided and committed in batches, one batch per key at a time. While a batch commits, the
/// requests that arrive queue behind it, and the next batch takes them all: one read of the shared documents and one
/// transaction for the lot, where taking turns paid both per request.
/// </summary>
/// <remarks>
/// <para>
/// One drainer per key runs the batches, on the thread pool and outside every request's execution context. A request
/// that is cancelled while it waits is dropped from the queue; once its batch has started, it runs to the end like a
/// request that took its turn. Each request of a batch is decided on its own (<see cref="OptimisticTransaction.RunBatchAsync{TRequest,T}"/>):
/// one that is refused (a quota, a request id reused) fails alone, and the rest commit.
/// </para>
/// <para>
/// It batches within this process only, as <see cref="StripedLock"/> serialised within it: writers in other processes
/// still meet the ETags, and a batch that loses a race is planned again from fresh reads.
/// </para>
/// </remarks>
/// <typeparam name="TRequest">What one request asks for, decided before it queues.</typeparam>
/// <typeparam name="TResult">What it gets back.</typeparam>
public abstract class GroupCommit<TRequest, TResult>
{
    private readonly Dictionary<string, KeyQueue> _queues = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    /// <summary>Name of the span around one batch.</summary>
    public const string SpanName = "group commit";

    /// <summary>The most requests one batch takes; the rest wait for the next.</summary>
    protected virtual int MaxBatch => 32;

    /// <summary>Queues <paramref name="request"/> under <paramref name="key"/> and waits for its batch to decide it.</summary>
    public Task<TResult> RunAsync(string key, TRequest request, RequestId? requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var member = new Member(request, requestId, Activity.Current?.Context ?? default, cancellationToken);
        bool startDrainer;
        lock (_lock)
        {
            if (!_queues.TryGetValue(key, out var queue))
            {
                _queues[key] = queue = new KeyQueue();
            }

            queue.Waiting.Enqueue(member);
            startDrainer = !queue.Draining;
            queue.Draining = true;
        }

        if (startDrainer)
        {
            // The drainer serves every request of the key: it must not run under the first one's trace or cancellation.
            using (ExecutionContext.SuppressFlow())
            {
                _ = Task.Run(() => DrainAsync(key), CancellationToken.None);
            }
        }

        return cancellationToken.CanBeCanceled ? member.WaitAsync(cancellationToken) : member.Task;
    }

    /// <summary>Decides and commits one batch: completes or fails every member (one left open is failed after it).</summary>
    protected abstract Task CommitBatchAsync(string key, IReadOnlyList<IBatchMember<TRequest, TResult>> batch);

    private async Task DrainAsync(string key)
    {
        while (true)
        {
            List<Member> batch = [];
            lock (_lock)
            {
                var queue = _queues[key];
                while (batch.Count < MaxBatch && queue.Waiting.TryDequeue(out var member))
                {
                    if (member.Cancellation.IsCancellationRequested)
                    {
                        member.TryCancel();
                    }
                    else
                    {
                        batch.Add(member);
                    }
                }

                if (batch.Count == 0)
                {
                    // Nothing left: the next request starts a new drainer. The queue is dropped, so keys do not accumulate.
                    _queues.Remove(key);
                    return;
                }
            }

            // Whatever happens, every member is answered and the drainer goes on: a drainer that died would leave its key
            // marked as drained, and every later request of the key waiting for ever.
            try
            {
                // A batch has no parent: it serves many requests, each of which its span links to.
                using var activity = EventTelemetry.Source.HasListeners()
                    ? EventTelemetry.Source.StartActivity(SpanName, ActivityKind.Internal, default(ActivityContext),
                        links: batch.Where(m => m.Trace != default).Select(m => new ActivityLink(m.Trace)))
                    : null;
                activity?.SetTag("directconnect.batch.size", batch.Count);
                await CommitBatchAsync(key, batch).ConfigureAwait(false);
            }
            catch (Exception e)
            {
                foreach (var member in batch)
                {
                    member.TryFail(e);
                }
            }

            foreach (var member in batch.Where(m => !m.IsDecided))
            {
                member.TryFail(new InvalidOperationException("The batch ended without deciding this request."));
            }
        }
    }

    private sealed class KeyQueue
    {
        public Queue<Member> Waiting { get; } = new();

        public bool Draining { get; set; }
    }

    private sealed class Member(TRequest request, RequestId? requestId, ActivityContext trace, CancellationToken cancellation)
        : TaskCompletionSource<TResult>(TaskCreationOptions.RunContinuationsAsynchronously), IBatchMember<TRequest, TResult>
    {
        public TRequest Request => request;

        public RequestId? RequestId => requestId;

        public ActivityContext Trace => trace;

        public CancellationToken Cancellation => cancellation;

        public bool IsDecided => Task.IsCompleted;

        public bool TryComplete(TResult result) => TrySetResult(result);

        public bool TryFail(Exception exception) => TrySetException(exception);

        public void TryCancel() => TrySetCanceled(cancellation);

        public Task<TResult> WaitAsync(CancellationToken cancellationToken) => Task.WaitAsync(cancellationToken);
    }
}

/// <summary>One request of a batch (see <see cref="GroupCommit{TRequest,TResult}"/>), decided once: completed or failed.</summary>
public interface IBatchMember<out TRequest, TResult>
{
    /// <summary>What the request asks for.</summary>
    TRequest Request { get; }

    /// <summary>The request's id for retries, or null.</summary>
    RequestId? RequestId { get; }

    /// <summary>The trace context the request was made in; the batch's span links to it.</summary>
    ActivityContext Trace { get; }

    /// <summary>Whether the member has its answer already.</summary>
    bool IsDecided { get; }

    /// <summary>Answers the request with <paramref name="result"/> (false when it was decided already).</summary>
    bool TryComplete(TResult result);

    /// <summary>Answers the request with <paramref name="exception"/> (false when it was decided already).</summary>
    bool TryFail(Exception exception);
}
