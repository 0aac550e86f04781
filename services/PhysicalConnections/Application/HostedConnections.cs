using System.Globalization;
using System.Text.Json;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Idempotency;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;
using DirectConnect.PhysicalConnections.Api;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;

namespace DirectConnect.PhysicalConnections.Application;

/// <summary>
/// Hosted connections: a partner's share of its line, held by a customer. Every change writes the hosted connection and
/// its partner's line in one transaction under both ETags, with its events: an allocation takes its VLAN and bandwidth
/// on the line, a decline or delete gives them back at once, and two allocations racing for the last bandwidth or one
/// VLAN cannot both commit.
/// </summary>
public sealed class HostedConnections(PhysicalConnectionStore lines, HostedConnectionStore hosted, PartnerStore partners,
    OptimisticTransaction transactions, TimeProvider clock)
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
            var partner = await partners.GetAsync(region, partnerAccountId, ct).ConfigureAwait(false);
            if (partner?.Value is not { Deleted: false } registered)
            {
                throw PartnerRegistry.NotRegistered(partnerAccountId, region);
            }

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
            var allocated = HostedConnection.Allocate(ResourceIds.New(HostedConnection.IdPrefix), line.Value, registered.Name, customerAccountId, vlan,
                bandwidthMbps, actor, now, ResourceIds.NewETag());
            var holding = line.Value.WithHostedHold(allocated.Hold, now, ResourceIds.NewETag());
            var (partnerIndex, customerIndex) = await hosted.GetIndexesForAppendAsync(partnerAccountId, customerAccountId, region, ct).ConfigureAwait(false);
            return new TransactionPlan<HostedConnection>(
                [
                    HostedConnectionStore.Put(allocated, ETagCondition.MustNotExist),
                    PhysicalConnectionStore.Put(holding, line.Unchanged),
                    .. partnerIndex.Append(allocated.Id),
                    .. customerIndex.Append(allocated.Id),
                ],
                [PhysicalConnectionEvents.HostedAllocated(allocated), PhysicalConnectionEvents.HostedHoldsChanged(holding)],
                allocated);
        }, Encode, Decode, $"physical connection {lineId}", cancellationToken);

    /// <summary>The customer accepts: PENDING_ACCEPTANCE → AVAILABLE.</summary>
    public Task<HostedConnection> AcceptAsync(Caller caller, string region, string id, string etag, string actor, RequestId? requestId,
        CancellationToken cancellationToken) =>
        ChangeAsync(caller, customerOnly: true, region, id, etag, HostedConnectionOperation.Accept, HostedConnectionState.Available,
            "accepted by the customer", actor, requestId, cancellationToken);

    /// <summary>The customer declines: PENDING_ACCEPTANCE → DECLINED, and the line gets the VLAN and bandwidth back.</summary>
    public Task<HostedConnection> DeclineAsync(Caller caller, string region, string id, string etag, string actor, RequestId? requestId,
        CancellationToken cancellationToken) =>
        ChangeAsync(caller, customerOnly: true, region, id, etag, HostedConnectionOperation.Decline, HostedConnectionState.Declined,
            "declined by the customer", actor, requestId, cancellationToken);

    /// <summary>The partner, the customer or an operator deletes it: DELETED, and the line gets the VLAN and bandwidth back.</summary>
    public Task<HostedConnection> DeleteAsync(Caller caller, string region, string id, string etag, string actor, RequestId? requestId,
        CancellationToken cancellationToken) =>
        ChangeAsync(caller, customerOnly: false, region, id, etag, HostedConnectionOperation.Delete, HostedConnectionState.Deleted,
            "deleted", actor, requestId, cancellationToken);

    /// <summary>
    /// Holds hosted connection <paramref name="id"/> for the virtual interface <paramref name="virtualInterfaceId"/> of
    /// <paramref name="accountId"/>, its customer (NOT_FOUND for anyone else, the partner included): it must be AVAILABLE,
    /// <paramref name="vlan"/> must be its VLAN, and no other interface may hold it. Reserving again changes nothing.
    /// </summary>
    public Task<HostedConnection> ReserveAsync(string region, string id, string accountId, string virtualInterfaceId, int vlan,
        CancellationToken cancellationToken) =>
        transactions.RunAsync(async ct =>
        {
            var stored = await hosted.GetAsync(id, ct).ConfigureAwait(false);
            if (stored is not { Value: var current } || current.Region != region || current.AccountId != accountId)
            {
                throw DomainException.NotFound(ResourceType, id);
            }

            if (current.VirtualInterfaceIds.Contains(virtualInterfaceId))
            {
                return new TransactionPlan<HostedConnection>([], [], current);
            }

            if (current.State != HostedConnectionState.Available)
            {
                throw DomainException.WrongState(ResourceType, id, HostedConnectionMapper.WireName(current.State), "reserve");
            }

            if (vlan != current.Vlan)
            {
                throw new DomainException(ErrorCode.InvalidArgument, "INVALID_ARGUMENT", $"Hosted connection '{id}' carries VLAN {current.Vlan} only.")
                {
                    FieldViolations = [new FieldViolation("vlan", $"must be the hosted connection's VLAN {current.Vlan}, got {vlan}")],
                };
            }

            if (current.VirtualInterfaceIds.Count > 0)
            {
                var holder = current.VirtualInterfaceIds[0];
                throw new DomainException(ErrorCode.AlreadyExists, "VLAN_IN_USE",
                    $"VLAN {vlan} of hosted connection '{id}' is already used by virtual interface {holder}.")
                {
                    FieldViolations = [new FieldViolation("vlan", $"VLAN {vlan} is used by {holder} on this hosted connection")],
                    Metadata = new Dictionary<string, string> { ["vlan"] = vlan.ToString(CultureInfo.InvariantCulture), ["virtualInterfaceId"] = holder },
                };
            }

            var after = current.WithVirtualInterface(virtualInterfaceId, clock.GetUtcNow(), ResourceIds.NewETag());
            return new TransactionPlan<HostedConnection>([HostedConnectionStore.Put(after, stored.Unchanged)], [], after);
        }, $"hosted connection {id}", cancellationToken);

    /// <summary>Drops <paramref name="virtualInterfaceId"/>'s reservation of hosted connection <paramref name="id"/>, if it holds one. Idempotent.</summary>
    public Task ReleaseAsync(string id, string virtualInterfaceId, CancellationToken cancellationToken) =>
        transactions.RunAsync(async ct =>
        {
            var stored = await hosted.GetAsync(id, ct).ConfigureAwait(false);
            if (stored is not { Value: var current } || !current.VirtualInterfaceIds.Contains(virtualInterfaceId))
            {
                return new TransactionPlan<bool>([], [], false);
            }

            var after = current.WithoutVirtualInterface(virtualInterfaceId, clock.GetUtcNow(), ResourceIds.NewETag());
            return new TransactionPlan<bool>([HostedConnectionStore.Put(after, stored.Unchanged)], [], true);
        }, $"hosted connection {id}", cancellationToken);

    /// <summary>
    /// The hosted connection if it exists in <paramref name="region"/> and <paramref name="caller"/> is one of its two
    /// parties (the partner that allocated it, the customer that holds it) or an operator; NOT_FOUND for anyone else, as
    /// for any resource of another account.
    /// </summary>
    public static Versioned<HostedConnection> Visible(Caller caller, Versioned<HostedConnection>? stored, string region, string id)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return stored is { Value: var value } && value.Region == region && IsPartyOrOperator(caller, value)
            ? stored
            : throw DomainException.NotFound(ResourceType, id);
    }

    /// <summary>True when <paramref name="caller"/> may see <paramref name="hosted"/>.</summary>
    public static bool IsPartyOrOperator(Caller caller, HostedConnection hosted)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(hosted);
        return caller.IsOperator || caller.AccountId == hosted.AccountId || caller.AccountId == hosted.PartnerAccountId;
    }

    private Task<HostedConnection> ChangeAsync(Caller caller, bool customerOnly, string region, string id, string etag,
        HostedConnectionOperation operation, HostedConnectionState target, string reason, string actor, RequestId? requestId,
        CancellationToken cancellationToken) =>
        transactions.RunAsync(requestId, async ct =>
        {
            var stored = Visible(caller, await hosted.GetAsync(id, ct).ConfigureAwait(false), region, id);
            var current = stored.Value;
            if (etag.Length > 0 && etag != current.ETag)
            {
                throw DomainException.StaleETag(ResourceType, id);
            }

            // Only the customer takes or refuses what the partner offers: the partner and operators see it but cannot answer for it.
            if (customerOnly && caller.AccountId != current.AccountId)
            {
                throw DomainException.RoleRequired("owner", $"{operation}HostedConnection");
            }

            if (!current.Allows(operation))
            {
                throw DomainException.WrongState(ResourceType, id, HostedConnectionMapper.WireName(current.State), operation.ToString().ToLowerInvariant());
            }

            if (current.VirtualInterfaceIds.Count > 0)
            {
                throw InUse(current);
            }

            var now = clock.GetUtcNow();
            var changed = current.Enter(target, actor, reason, now, ResourceIds.NewETag());
            List<StateOperation> operations = [HostedConnectionStore.Put(changed, stored.Unchanged)];
            List<OutgoingEvent> events = [PhysicalConnectionEvents.HostedStateChanged(changed, current.State)];
            if (current.HoldsLine && !changed.HoldsLine)
            {
                // The hold goes in the same transaction: the VLAN and the bandwidth are free the moment this commits.
                var line = await lines.GetAsync(current.PhysicalConnectionId, ct).ConfigureAwait(false);
                if (line is not null)
                {
                    var released = line.Value.WithoutHostedHold(id, now, ResourceIds.NewETag());
                    operations.Add(PhysicalConnectionStore.Put(released, line.Unchanged));
                    events.Add(PhysicalConnectionEvents.HostedHoldsChanged(released));
                }
            }

            return new TransactionPlan<HostedConnection>(operations, events, changed);
        }, Encode, Decode, $"hosted connection {id}", cancellationToken);

    private static DomainException InUse(HostedConnection hosted) =>
        new(ErrorCode.FailedPrecondition, "HOSTED_CONNECTION_IN_USE",
            $"Hosted connection '{hosted.Id}' is used by {string.Join(", ", hosted.VirtualInterfaceIds)}; delete it first.")
        {
            Resource = new ResourceReference(ResourceType, hosted.Id),
            PreconditionViolations = [.. hosted.VirtualInterfaceIds.Select(v =>
                new PreconditionViolation("VIRTUAL_INTERFACE", v, $"virtual interface {v} uses this hosted connection"))],
        };

    private static DomainException Refused(PhysicalConnection line, int vlan, int bandwidthMbps, HostingRefusal refusal) => refusal switch
    {
        HostingRefusal.LineNotAvailable notAvailable => DomainException.WrongState("PhysicalConnection", line.Id, PhysicalConnectionMapper.WireName(notAvailable.State),
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
