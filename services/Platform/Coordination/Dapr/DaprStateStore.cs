using System.Globalization;
using System.Text.Json;
using global::Dapr.Client;
using Grpc.Core;
using Microsoft.Extensions.Options;
using Autogen = global::Dapr.Client.Autogen.Grpc.v1;

namespace DirectConnect.Platform.Coordination.Dapr;

/// <summary>
/// <see cref="IStateStore"/> on Dapr's state building block. Conditions map onto Dapr's
/// concurrency modes: <see cref="ETagCondition.Any"/> is last-write with no ETag,
/// <see cref="ETagCondition.Matches"/> is first-write with the ETag, and
/// <see cref="ETagCondition.MustNotExist"/> is first-write with <em>no</em> ETag, which
/// <c>state.postgresql</c> v2 turns into an insert that fails on a live row (components-contrib
/// <c>state/postgresql/v2/postgresql.go</c>, doSet). Transactions that publish events write them
/// into the outbox in the same state transaction; <see cref="DaprOutboxRelay"/> publishes them after
/// the commit (see README, "Dapr adapter").
/// </summary>
public sealed class DaprStateStore(DaprConnection dapr, DaprOutboxSignal relay, IOptions<DaprCoordinationOptions> options) : IStateStore
{
    private const int OutboxAttempts = 32;
    private readonly DaprCoordinationOptions _options = options.Value;

    // One in-process writer of the outbox index at a time: they would only lose ETag races to each other.
    private readonly SemaphoreSlim _outboxWriter = relay.Writer;

    /// <inheritdoc />
    public async Task<StateItem?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        var (value, etag) = await dapr.Client.GetByteStateAndETagAsync(_options.StoreName, key, cancellationToken: cancellationToken).ConfigureAwait(false);
        // Dapr answers an absent (or expired) key with no data and no ETag.
        return string.IsNullOrEmpty(etag) ? null : new StateItem(key, value.ToArray(), etag);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyDictionary<string, StateItem>> GetBulkAsync(IReadOnlyCollection<string> keys,
        CancellationToken cancellationToken = default)
    {
        var result = new Dictionary<string, StateItem>(keys.Count, StringComparer.Ordinal);
        if (keys.Count == 0)
        {
            return result;
        }

        var request = new Autogen.GetBulkStateRequest { StoreName = _options.StoreName };
        request.Keys.AddRange(keys.Distinct(StringComparer.Ordinal));
        var response = await dapr.Runtime.GetBulkStateAsync(request, cancellationToken: cancellationToken).ConfigureAwait(false);
        foreach (var item in response.Items)
        {
            if (!string.IsNullOrEmpty(item.Error))
            {
                throw new InvalidOperationException($"Dapr could not read state key '{item.Key}': {item.Error}");
            }

            if (!string.IsNullOrEmpty(item.Etag))
            {
                result[item.Key] = new StateItem(item.Key, item.Data.ToByteArray(), item.Etag);
            }
        }

        return result;
    }

    /// <inheritdoc />
    public async Task<bool> TryExecuteTransactionAsync(IReadOnlyList<StateOperation> operations,
        IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operations);
        ArgumentNullException.ThrowIfNull(events);
        if (operations.Select(o => o.Key).Distinct(StringComparer.Ordinal).Count() != operations.Count)
        {
            throw new ArgumentException("A transaction may write each key once.", nameof(operations));
        }

        using var activity = StateTelemetry.StartTransaction("dapr", operations.Count, events.Count);
        var requests = operations.Select(ToRequest).ToList();
        var committed = events.Count == 0
            ? await TryExecuteAsync(requests, cancellationToken).ConfigureAwait(false)
            : await TryExecuteWithOutboxAsync(requests, events, cancellationToken).ConfigureAwait(false);
        StateTelemetry.SetOutcome(activity, committed);
        if (committed && events.Count > 0)
        {
            relay.Pulse();
        }

        return committed;
    }

    // The events become state in the same transaction: one key per event, and the pending index
    // (the relay's only way to find them, as Dapr has no key scans) written under its ETag.
    private async Task<bool> TryExecuteWithOutboxAsync(List<StateTransactionRequest> requests,
        IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken)
    {
        var now = DateTimeOffset.UtcNow;
        var entries = events.Select(e => ToEntry(e, now)).ToArray();
        await _outboxWriter.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            for (var attempt = 0; attempt < OutboxAttempts; attempt++)
            {
                var index = await GetAsync(OutboxIndexKey, cancellationToken).ConfigureAwait(false);
                var pending = index is null ? IdIndex.Empty : ReadIndex(index);
                foreach (var entry in entries)
                {
                    pending = pending.With(entry.Id);
                }

                var all = new List<StateTransactionRequest>(requests);
                all.AddRange(entries.Select(e => ToRequest(new UpsertState(OutboxEventKey(e.Id),
                    JsonSerializer.SerializeToUtf8Bytes(e, PlatformJsonContext.Default.OutboxEntry), ETagCondition.MustNotExist))));
                all.Add(ToRequest(StateDocuments.PutIndex(OutboxIndexKey, pending, ETagCondition.For(index))));
                if (await TryExecuteAsync(all, cancellationToken).ConfigureAwait(false))
                {
                    return true;
                }

                // A condition failed: if only the index moved (another process appended), try again; if one of
                // the caller's own no longer holds, the caller lost its race.
                var after = await GetAsync(OutboxIndexKey, cancellationToken).ConfigureAwait(false);
                if (after?.ETag == index?.ETag || await AnyConditionFailsAsync(requests, cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
            }
        }
        finally
        {
            _outboxWriter.Release();
        }

        throw new TimeoutException("The outbox index stayed contended for 32 attempts.");
    }

    /// <summary>
    /// Runs one Dapr state transaction; false when one of its conditions did not hold. daprd answers
    /// <em>every</em> failed transaction with <c>Internal</c> and ErrorInfo reason
    /// <c>ERR_STATE_TRANSACTION</c> (dapr <c>pkg/api/grpc/grpc.go</c>, ExecuteStateTransaction), a lost
    /// ETag race included — only SaveState and DeleteState answer that <c>Aborted</c> — so the answer
    /// alone cannot tell a lost race from a broken store. The conditioned keys are read again: when one
    /// of the conditions no longer holds, the transaction lost a race (ETags are random per write, so a
    /// condition that failed does not hold again later); when all still hold, the failure was
    /// something else, and it is thrown.
    /// </summary>
    private async Task<bool> TryExecuteAsync(IReadOnlyList<StateTransactionRequest> requests, CancellationToken cancellationToken)
    {
        if (requests.Count == 0)
        {
            return true;
        }

        try
        {
            await dapr.Client.ExecuteStateTransactionAsync(_options.StoreName, requests, cancellationToken: cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (global::Dapr.DaprException exception) when (exception.InnerException is RpcException rpc && IsFailedTransaction(rpc))
        {
            if (await AnyConditionFailsAsync(requests, cancellationToken).ConfigureAwait(false))
            {
                return false;
            }

            throw;
        }
    }

    private static bool IsFailedTransaction(RpcException exception) =>
        exception.StatusCode == StatusCode.Aborted ||
        (exception.StatusCode == StatusCode.Internal &&
         exception.GetRpcStatus()?.Details.Any(d => d.TryUnpack<Google.Rpc.ErrorInfo>(out var info) && info.Reason == "ERR_STATE_TRANSACTION") == true);

    /// <summary>True when one of the ETag conditions of <paramref name="requests"/> does not hold now.</summary>
    private async Task<bool> AnyConditionFailsAsync(IReadOnlyList<StateTransactionRequest> requests, CancellationToken cancellationToken)
    {
        var conditioned = requests.Where(r => r.Options?.Concurrency == ConcurrencyMode.FirstWrite).ToArray();
        if (conditioned.Length == 0)
        {
            return false;
        }

        var current = await GetBulkAsync(conditioned.Select(r => r.Key).ToArray(), cancellationToken).ConfigureAwait(false);
        return conditioned.Any(r => r.ETag is null
            ? current.ContainsKey(r.Key) && r.OperationType == StateOperationType.Upsert   // must not exist
            : !current.TryGetValue(r.Key, out var item) || item.ETag != r.ETag);              // must still carry the ETag read
    }

    internal string OutboxIndexKey => _options.OutboxKeyPrefix + "pending";

    internal string OutboxEventKey(string id) => _options.OutboxKeyPrefix + "event/" + id;

    internal static IdIndex ReadIndex(StateItem item) =>
        JsonSerializer.Deserialize(item.Value.Span, PlatformJsonContext.Default.IdIndex) ?? IdIndex.Empty;

    private OutboxEntry ToEntry(OutgoingEvent outgoing, DateTimeOffset now)
    {
        using var publish = StateTelemetry.StartPublish(outgoing);
        return new OutboxEntry(outgoing.Id, outgoing.Topic, outgoing.Type, _options.Source, now,
            StateTelemetry.TraceParentOf(publish, outgoing), outgoing.Data.ToArray())
        {
            OrderingKey = outgoing.OrderingKey,
        };
    }

    internal static StateTransactionRequest ToRequest(StateOperation operation)
    {
        var (etag, concurrency) = operation.Condition.Kind switch
        {
            ETagConditionKind.Any => ((string?)null, ConcurrencyMode.LastWrite),
            // First-write with no ETag: Dapr's transactional stores create the key only if it is absent.
            ETagConditionKind.MustNotExist => (null, ConcurrencyMode.FirstWrite),
            ETagConditionKind.Matches => (operation.Condition.ETag, ConcurrencyMode.FirstWrite),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation.Condition.Kind, "Unknown ETag condition."),
        };
        var stateOptions = new StateOptions { Concurrency = concurrency, Consistency = ConsistencyMode.Strong };
        return operation switch
        {
            UpsertState upsert => new StateTransactionRequest(upsert.Key, upsert.Value.ToArray(), StateOperationType.Upsert, etag,
                upsert.TimeToLive is { } ttl ? TimeToLiveMetadata(ttl) : null, stateOptions),
            DeleteState { Condition.Kind: ETagConditionKind.MustNotExist } =>
                throw new NotSupportedException("Dapr cannot delete a key on condition that it is absent; use Any or Matches."),
            DeleteState delete => new StateTransactionRequest(delete.Key, null, StateOperationType.Delete, etag, null, stateOptions),
            _ => throw new ArgumentOutOfRangeException(nameof(operation), operation.GetType().Name, "Unknown state operation."),
        };
    }

    // Dapr's TTL is whole seconds: round up, so an item never expires before it was asked to; and at
    // most int32 max, which stores refuse beyond (components-contrib state/utils/ttl.go ParseTTL).
    internal static Dictionary<string, string> TimeToLiveMetadata(TimeSpan ttl) => new(StringComparer.Ordinal)
    {
        ["ttlInSeconds"] = Math.Clamp((long)Math.Ceiling(ttl.TotalSeconds), 1, int.MaxValue).ToString(CultureInfo.InvariantCulture),
    };
}
