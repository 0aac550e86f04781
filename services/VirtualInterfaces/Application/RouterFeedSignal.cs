namespace DirectConnect.VirtualInterfaces.Application;

/// <summary>
/// Wakes the desired-state streams of this process when a router feed changed here, so an agent hears of a
/// change as it commits rather than at its stream's next periodic read (which covers changes committed by
/// another replica of the service).
/// </summary>
public sealed class RouterFeedSignal
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Pulse"/>.</summary>
    public Task Next => Volatile.Read(ref _next).Task;

    /// <summary>Wakes every stream waiting on <see cref="Next"/>.</summary>
    public void Pulse() => Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}
