using System.Globalization;
using System.Text.Json;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Idempotency;
using DirectConnect.Platform.Resources;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;

namespace DirectConnect.PhysicalConnections.Application;

/// <summary>
/// Hosted connections (issue 18, work in progress: no API calls this yet). Every change writes the hosted connection and
/// its partner's line in one transaction under both ETags: an allocation takes its VLAN and bandwidth on the line, a
/// decline or delete gives them back at once, and two allocations racing for the last bandwidth or one VLAN cannot
/// both commit.
/// </summary>
public sealed class HostedConnections(PhysicalConnectionStore lines, HostedConnectionStore hosted, OptimisticTransaction transactions, TimeProvider clock)
{
    private const string ResourceType = "HostedConnection";

    /// <summary>
    /// Allocates a hosted connection on <paramref name="partnerAccountId"/>'s line <paramref name="lineId"/> to
    /// <paramref name="customerAccountId"/> (fields validated by <see cref="HostedBandwidth.Validate"/>).
    /// </summary>
    public Task<HostedConnection> AllocateAsync(string partnerAccountId, string region, string lineId, string customerAccountId, int vlan,
        int bandwidthMbps, string actor, RequestId? requestId, CancellationToken cancellationToken) =>
        transactions.RunAsync(requestId, async ct =>
        {
            var line = await lines.GetAsync(lineId, ct).ConfigureAwait(false);
            // Only the partner's own line: any other is NOT_FOUND, as for a Get (never confirm that another account's exists).
            if (line is null || line.Value.Region != region || line.Value.AccountId != partnerAccountId)
            {
                throw DomainException.NotFound("PhysicalConnection", lineId);
            }

            if (HostedCapacity.Refusal(line.Value, vlan, bandwidthMbps) is { } refusal)
            {
                throw Refused(line.Value, vlan, bandwidthMbps, refusal);
            }

            var now = clock.GetUtcNow();
            var allocated = HostedConnection.Allocate(ResourceIds.New(HostedConnection.IdPrefix), line.Value, customerAccountId, vlan, bandwidthMbps,
                actor, now, ResourceIds.NewETag());
            var (partnerIndex, customerIndex) = await hosted.GetIndexesForAppendAsync(partnerAccountId, customerAccountId, region, ct).ConfigureAwait(false);
            return new TransactionPlan<HostedConnection>(
                [
                    HostedConnectionStore.Put(allocated, ETagCondition.MustNotExist),
                    PhysicalConnectionStore.Put(line.Value.WithHostedHold(allocated.Hold, now, ResourceIds.NewETag()), line.Unchanged),
                    .. partnerIndex.Append(allocated.Id),
                    .. customerIndex.Append(allocated.Id),
                ],
                [],
                allocated);
        }, Encode, Decode, $"physical connection {lineId}", cancellationToken);

    /// <summary>The customer accepts: PENDING_ACCEPTANCE → AVAILABLE.</summary>
    public Task<HostedConnection> AcceptAsync(string customerAccountId, string region, string id, string etag, string actor, RequestId? requestId,
        CancellationToken cancellationToken) =>
        ChangeAsync(customerAccountId, customerOnly: true, region, id, etag, HostedConnectionOperation.Accept, HostedConnectionState.Available, "accepted",
            actor, requestId, cancellationToken);

    /// <summary>The customer declines: PENDING_ACCEPTANCE → DECLINED, and the line gets the VLAN and bandwidth back.</summary>
    public Task<HostedConnection> DeclineAsync(string customerAccountId, string region, string id, string etag, string actor, RequestId? requestId,
        CancellationToken cancellationToken) =>
        ChangeAsync(customerAccountId, customerOnly: true, region, id, etag, HostedConnectionOperation.Decline, HostedConnectionState.Declined, "declined",
            actor, requestId, cancellationToken);

    /// <summary>The partner or the customer deletes it: DELETED, and the line gets the VLAN and bandwidth back.</summary>
    public Task<HostedConnection> DeleteAsync(string callerAccountId, string region, string id, string etag, string actor, RequestId? requestId,
        CancellationToken cancellationToken) =>
        ChangeAsync(callerAccountId, customerOnly: false, region, id, etag, HostedConnectionOperation.Delete, HostedConnectionState.Deleted, "deleted",
            actor, requestId, cancellationToken);

    private Task<HostedConnection> ChangeAsync(string callerAccountId, bool customerOnly, string region, string id, string etag,
        HostedConnectionOperation operation, HostedConnectionState target, string reason, string actor, RequestId? requestId,
        CancellationToken cancellationToken) =>
        transactions.RunAsync(requestId, async ct =>
        {
            var stored = await hosted.GetAsync(id, ct).ConfigureAwait(false);
            var current = stored?.Value;
            var party = current is not null && (current.AccountId == callerAccountId || (!customerOnly && current.PartnerAccountId == callerAccountId));
            if (stored is null || current!.Region != region || !party)
            {
                throw DomainException.NotFound(ResourceType, id);
            }

            if (etag.Length > 0 && etag != current.ETag)
            {
                throw DomainException.StaleETag(ResourceType, id);
            }

            if (!current.Allows(operation))
            {
                throw DomainException.WrongState(ResourceType, id, current.State.ToString(), operation.ToString());
            }

            var now = clock.GetUtcNow();
            var changed = current.Enter(target, actor, reason, now, ResourceIds.NewETag());
            List<StateOperation> operations = [HostedConnectionStore.Put(changed, stored.Unchanged)];
            if (current.HoldsLine && !changed.HoldsLine)
            {
                // The hold goes in the same transaction: the VLAN and the bandwidth are free the moment this commits.
                var line = await lines.GetAsync(current.PhysicalConnectionId, ct).ConfigureAwait(false);
                if (line is not null)
                {
                    operations.Add(PhysicalConnectionStore.Put(line.Value.WithoutHostedHold(id, now, ResourceIds.NewETag()), line.Unchanged));
                }
            }

            return new TransactionPlan<HostedConnection>(operations, [], changed);
        }, Encode, Decode, $"hosted connection {id}", cancellationToken);

    private static DomainException Refused(PhysicalConnection line, int vlan, int bandwidthMbps, HostingRefusal refusal) => refusal switch
    {
        HostingRefusal.LineNotAvailable notAvailable => DomainException.WrongState("PhysicalConnection", line.Id, notAvailable.State.ToString(),
            "host a connection"),
        HostingRefusal.VlanInUse inUse => new DomainException(ErrorCode.AlreadyExists, "VLAN_IN_USE",
            $"VLAN {vlan} is already used on physical connection '{line.Id}' by {inUse.Holder}.")
        {
            FieldViolations = [new FieldViolation("hosted_connection.vlan", $"VLAN {vlan} is used by {inUse.Holder} on this line")],
            Metadata = new Dictionary<string, string> { ["vlan"] = vlan.ToString(CultureInfo.InvariantCulture), ["holder"] = inUse.Holder },
        },
        HostingRefusal.CapacityExceeded over => new DomainException(ErrorCode.ResourceExhausted, "HOSTED_CAPACITY_EXCEEDED",
            $"Physical connection '{line.Id}' has {over.LineMbps - over.UsedMbps} of its {over.LineMbps} Mbit/s left for hosted connections; " +
            $"{bandwidthMbps} Mbit/s asked.")
        {
            QuotaViolations = [new QuotaViolation($"physical-connection:{line.Id}",
                $"hosted bandwidth at most {over.LineMbps} Mbit/s (the line's); {over.UsedMbps} Mbit/s hosted already")],
        },
        _ => throw new InvalidOperationException($"Unknown refusal {refusal}."),
    };

    private static byte[] Encode(HostedConnection value) => JsonSerializer.SerializeToUtf8Bytes(value, PhysicalConnectionsJsonContext.Default.HostedConnection);

    private static HostedConnection Decode(byte[] bytes) =>
        JsonSerializer.Deserialize(bytes, PhysicalConnectionsJsonContext.Default.HostedConnection) ?? throw new InvalidDataException("An empty hosted connection.");
}
