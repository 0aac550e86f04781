using System.Collections.Concurrent;

namespace DirectConnect.Platform.Coordination.Sqlite;

/// <summary>
/// Wakes this process's dispatcher as soon as this process commits events, so embedded delivery
/// does not wait for the poll that catches events written by other processes. Per topic: an event
/// wakes only the subscriptions of its topic.
/// </summary>
public sealed class EventSignal
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _next = new(StringComparer.Ordinal);

    /// <summary>Signals that new events of <paramref name="topic"/> were committed.</summary>
    public void Pulse(string topic)
    {
        if (_next.TryRemove(topic, out var waiting))
        {
            waiting.TrySetResult();
        }
    }

    /// <summary>
    /// Completes at the next <see cref="Pulse"/> of <paramref name="topic"/>. Take it <em>before</em>
    /// looking for events, so a pulse that comes while looking is not missed.
    /// </summary>
    public Task Next(string topic) =>
        _next.GetOrAdd(topic, static _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
}
