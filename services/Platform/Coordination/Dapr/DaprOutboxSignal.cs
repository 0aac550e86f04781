namespace DirectConnect.Platform.Coordination.Dapr;

/// <summary>
/// Shared by this process's outbox writers and its relay: wakes the relay as soon as a transaction
/// committed events, and serialises in-process writers of the outbox index.
/// </summary>
public sealed class DaprOutboxSignal : IDisposable
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Held while writing the outbox index.</summary>
    internal SemaphoreSlim Writer { get; } = new(1, 1);

    /// <summary>Signals that events were committed.</summary>
    public void Pulse() => Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Completes at the next <see cref="Pulse"/>; take it before looking.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <inheritdoc />
    public void Dispose() => Writer.Dispose();
}
