using System.Collections.Concurrent;

namespace DirectConnect.Gateway.Watch;

/// <summary>
/// Wakes this process's watches of a feed as soon as this process records a change to it, so they
/// do not wait for the periodic re-read that catches changes recorded by other processes.
/// </summary>
public sealed class ChangeFeedSignal
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _waiting = new(StringComparer.Ordinal);

    /// <summary>Signals that a change was recorded in <paramref name="feed"/>.</summary>
    public void Pulse(string feed)
    {
        if (_waiting.TryRemove(feed, out var waiting))
        {
            waiting.TrySetResult();
        }
    }

    /// <summary>
    /// Completes at the next <see cref="Pulse"/> of <paramref name="feed"/>. Take it <em>before</em>
    /// reading the feed, so a change recorded while reading is not missed.
    /// </summary>
    public Task Next(string feed) =>
        _waiting.GetOrAdd(feed, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
}
