namespace DirectConnect.Platform.Coordination.Sqlite;

/// <summary>
/// Wakes this process's dispatcher as soon as this process commits events, so embedded delivery
/// does not wait for the poll that catches events written by other processes.
/// </summary>
public sealed class EventSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Signals that new events were committed.</summary>
    public void Pulse() => Interlocked.Exchange(ref _next, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>
    /// Completes at the next <see cref="Pulse"/>. Take it <em>before</em> looking for events, so a
    /// pulse that comes while looking is not missed.
    /// </summary>
    public Task Next => Volatile.Read(ref _next).Task;
}
