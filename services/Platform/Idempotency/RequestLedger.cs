using System.Text.Json;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;

namespace DirectConnect.Platform.Idempotency;

/// <summary>
/// Remembers the outcome of each mutating request by request id for at least
/// <see cref="Retention"/>. The record is written in the same state transaction as the mutation,
/// so a request id is either unused or bound to exactly one completed result.
/// </summary>
public sealed class RequestLedger(IStateStore store)
{
    /// <summary>How long a request id is remembered.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>
    /// The earlier response for <paramref name="requestId"/>, or null when the id is new. A reuse
    /// with a different request is ALREADY_EXISTS with reason <c>REQUEST_ID_REUSED</c>.
    /// </summary>
    public async Task<byte[]?> FindAsync(RequestId requestId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        return Earlier(requestId, await store.GetAsync(Key(requestId), cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// <see cref="FindAsync"/> for several request ids in one bulk read (a group commit's batch): each id's earlier
    /// response (null when new), or the <c>REQUEST_ID_REUSED</c> refusal it gets.
    /// </summary>
    public async Task<IReadOnlyList<(byte[]? Earlier, DomainException? Reused)>> FindManyAsync(IReadOnlyList<RequestId> requestIds,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requestIds);
        if (requestIds.Count == 0)
        {
            return [];
        }

        var items = await store.GetBulkAsync(requestIds.Select(Key).Distinct(StringComparer.Ordinal).ToArray(), cancellationToken).ConfigureAwait(false);
        return requestIds.Select(id =>
        {
            try
            {
                return (Earlier(id, items.GetValueOrDefault(Key(id))), (DomainException?)null);
            }
            catch (DomainException reused)
            {
                return (null, reused);
            }
        }).ToArray();
    }

    private static byte[]? Earlier(RequestId requestId, StateItem? item)
    {
        if (item is null)
        {
            return null;
        }

        var entry = JsonSerializer.Deserialize(item.Value.Span, PlatformJsonContext.Default.RequestLedgerEntry)
            ?? throw new InvalidDataException($"Unreadable ledger entry {item.Key}.");
        if (!string.Equals(entry.Fingerprint, requestId.Fingerprint, StringComparison.Ordinal))
        {
            throw new DomainException(ErrorCode.AlreadyExists, "REQUEST_ID_REUSED",
                $"request_id '{requestId.Value}' was already used for a different request; use a new request id for a new request.")
            {
                Metadata = new Dictionary<string, string> { ["requestId"] = requestId.Value },
                FieldViolations = [new FieldViolation("request_id", "was already used with different parameters")],
            };
        }

        return entry.Response;
    }

    /// <summary>The state write that binds <paramref name="requestId"/> to <paramref name="response"/>.</summary>
    public static StateOperation Record(RequestId requestId, byte[] response)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        var entry = new RequestLedgerEntry(requestId.Fingerprint, response, DateTimeOffset.UtcNow);
        return new UpsertState(Key(requestId),
            JsonSerializer.SerializeToUtf8Bytes(entry, PlatformJsonContext.Default.RequestLedgerEntry),
            ETagCondition.MustNotExist, Retention);
    }

    /// <summary>The state key of <paramref name="requestId"/>'s entry: two requests with the same key are the same request id.</summary>
    public static string KeyOf(RequestId requestId)
    {
        ArgumentNullException.ThrowIfNull(requestId);
        return Key(requestId);
    }

    private static string Key(RequestId requestId) => $"requests/{requestId.Scope}/{requestId.AccountId}/{requestId.Value}";
}

/// <summary>What the ledger stores per request id.</summary>
public sealed record RequestLedgerEntry(string Fingerprint, byte[] Response, DateTimeOffset Time);
