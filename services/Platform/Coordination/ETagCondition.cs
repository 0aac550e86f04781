namespace DirectConnect.Platform.Coordination;

/// <summary>
/// The concurrency guard of one write, shaped like Dapr's: last-write-wins (<see cref="Any"/>),
/// first-write-wins insert (<see cref="MustNotExist"/>, Dapr's first-write concurrency with no
/// ETag), or compare-and-swap against an ETag that was read (<see cref="Matches"/>).
/// </summary>
public readonly record struct ETagCondition
{
    private ETagCondition(ETagConditionKind kind, string? etag) => (Kind, ETag) = (kind, etag);

    /// <summary>What the condition checks.</summary>
    public ETagConditionKind Kind { get; }

    /// <summary>The expected ETag when <see cref="Kind"/> is <see cref="ETagConditionKind.Matches"/>.</summary>
    public string? ETag { get; }

    /// <summary>Write whatever is there (last write wins). Use only for data nobody else writes.</summary>
    public static ETagCondition Any => new(ETagConditionKind.Any, null);

    /// <summary>Write only if the key does not exist yet.</summary>
    public static ETagCondition MustNotExist => new(ETagConditionKind.MustNotExist, null);

    /// <summary>Write only if the key exists with exactly this ETag.</summary>
    public static ETagCondition Matches(string etag) =>
        new(ETagConditionKind.Matches, etag ?? throw new ArgumentNullException(nameof(etag)));

    /// <summary>Matches the item that was read, or requires absence when nothing was read.</summary>
    public static ETagCondition For(StateItem? read) => read is null ? MustNotExist : Matches(read.ETag);
}

/// <summary>The kinds of <see cref="ETagCondition"/>.</summary>
public enum ETagConditionKind
{
    /// <summary>No check.</summary>
    Any,
    /// <summary>The key must be absent.</summary>
    MustNotExist,
    /// <summary>The key must be present with the given ETag.</summary>
    Matches,
}
