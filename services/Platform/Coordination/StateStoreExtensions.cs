namespace DirectConnect.Platform.Coordination;

/// <summary>Single-key conveniences over <see cref="IStateStore.TryExecuteTransactionAsync"/>.</summary>
public static class StateStoreExtensions
{
    /// <summary>Saves one key under <paramref name="condition"/>; false when the condition failed.</summary>
    public static Task<bool> TrySaveAsync(this IStateStore store, string key, ReadOnlyMemory<byte> value,
        ETagCondition condition, CancellationToken cancellationToken = default) =>
        store.TryExecuteTransactionAsync([new UpsertState(key, value, condition)], [], cancellationToken);

    /// <summary>Deletes one key under <paramref name="condition"/>; false when the condition failed.</summary>
    public static Task<bool> TryDeleteAsync(this IStateStore store, string key, ETagCondition condition,
        CancellationToken cancellationToken = default) =>
        store.TryExecuteTransactionAsync([new DeleteState(key, condition)], [], cancellationToken);

    /// <summary>Publishes events on their own (a transaction with no state operations).</summary>
    public static Task PublishAsync(this IStateStore store, IReadOnlyList<OutgoingEvent> events,
        CancellationToken cancellationToken = default) =>
        store.TryExecuteTransactionAsync([], events, cancellationToken);
}
