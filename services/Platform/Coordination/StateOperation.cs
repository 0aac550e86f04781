namespace DirectConnect.Platform.Coordination;

/// <summary>One write inside a state transaction.</summary>
public abstract record StateOperation(string Key, ETagCondition Condition);

/// <summary>Insert or replace <paramref name="Key"/>, optionally expiring after <paramref name="TimeToLive"/>.</summary>
public sealed record UpsertState(string Key, ReadOnlyMemory<byte> Value, ETagCondition Condition, TimeSpan? TimeToLive = null)
    : StateOperation(Key, Condition);

/// <summary>Delete <paramref name="Key"/>; deleting an absent key with <see cref="ETagCondition.Any"/> is not an error.</summary>
public sealed record DeleteState(string Key, ETagCondition Condition) : StateOperation(Key, Condition);
