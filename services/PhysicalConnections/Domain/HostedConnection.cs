using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Tenancy;

namespace DirectConnect.PhysicalConnections.Domain;

/// <summary>Where a hosted connection is in its life (DOMAIN.md "Partner and hosted connection").</summary>
public enum HostedConnectionState
{
    /// <summary>Allocated by the partner; the customer has not accepted or declined it yet. It holds its VLAN and bandwidth.</summary>
    PendingAcceptance = 1,
    /// <summary>Accepted by the customer: usable like a dedicated line, with its VLAN fixed.</summary>
    Available = 2,
    /// <summary>Declined by the customer: it holds nothing on the line any more.</summary>
    Declined = 3,
    /// <summary>Deleted by either side (a tombstone): it holds nothing on the line any more.</summary>
    Deleted = 4,
}

/// <summary>What can be done to a hosted connection.</summary>
public enum HostedConnectionOperation
{
    /// <summary>The customer takes it.</summary>
    Accept,
    /// <summary>The customer refuses it.</summary>
    Decline,
    /// <summary>Either side ends it.</summary>
    Delete,
}

/// <summary>One entry of a hosted connection's history: the state entered, when, by whom, and why.</summary>
public sealed record HostedConnectionTransition(HostedConnectionState State, DateTimeOffset Time, string Actor, string Reason);

/// <summary>A hosted connection's hold on its partner's line: its VLAN and its share of the line's bandwidth.</summary>
public sealed record HostedHold(string HostedConnectionId, int Vlan, int BandwidthMbps);

/// <summary>
/// A partner's sub-rate share of one of its lines, allocated to a customer account (<c>dxhc-…</c>): a VLAN unique on the
/// line and a bandwidth from <see cref="HostedBandwidth.StepsMbps"/>. <see cref="AccountId"/> is the customer who holds
/// it; the partner that allocated it is <see cref="PartnerAccountId"/>. While it is pending or available, the line holds
/// its <see cref="HostedHold"/>, written in the same transaction as every change of this state.
/// </summary>
public sealed record HostedConnection : IAccountResource
{
    /// <summary>The id prefix.</summary>
    public const string IdPrefix = "dxhc-";

    /// <summary>Server-generated id, <c>dxhc-</c> followed by 12 lower-case hex digits.</summary>
    public required string Id { get; init; }

    /// <summary>The customer account that holds it.</summary>
    public required string AccountId { get; init; }

    /// <summary>The region of the line.</summary>
    public required string Region { get; init; }

    /// <summary>The partner account that allocated it and owns the line.</summary>
    public required string PartnerAccountId { get; init; }

    /// <summary>The partner's name as registered when it allocated this, shown to the customer.</summary>
    public required string PartnerName { get; init; }

    /// <summary>The partner's line that carries it.</summary>
    public required string PhysicalConnectionId { get; init; }

    /// <summary>The cloud location of the line.</summary>
    public required string LocationId { get; init; }

    /// <summary>The VLAN, unique on the line and fixed for every virtual interface on this hosted connection.</summary>
    public required int Vlan { get; init; }

    /// <summary>The bandwidth, one of <see cref="HostedBandwidth.StepsMbps"/>.</summary>
    public required int BandwidthMbps { get; init; }

    /// <summary>The current state.</summary>
    public required HostedConnectionState State { get; init; }

    /// <summary>Why the current state was entered.</summary>
    public string StateReason { get; init; } = "";

    /// <summary>Every state entered, oldest first.</summary>
    public required IReadOnlyList<HostedConnectionTransition> History { get; init; }

    /// <summary>When the partner allocated it.</summary>
    public required DateTimeOffset CreateTime { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdateTime { get; init; }

    /// <summary>The version clients send back to guard accepts, declines and deletes (AIP-154).</summary>
    public required string ETag { get; init; }

    /// <summary>
    /// The customer's virtual interfaces reserving it (at most one: it has one VLAN). While there is one, neither side may
    /// delete it.
    /// </summary>
    public IReadOnlyList<string> VirtualInterfaceIds { get; init; } = [];

    /// <summary>True while it holds its VLAN and bandwidth on the line (pending or available).</summary>
    public bool HoldsLine => State is HostedConnectionState.PendingAcceptance or HostedConnectionState.Available;

    /// <summary>True once deleted.</summary>
    public bool IsDeleted => State == HostedConnectionState.Deleted;

    /// <summary>Its hold on the line.</summary>
    public HostedHold Hold => new(Id, Vlan, BandwidthMbps);

    /// <summary>Allocates a hosted connection on <paramref name="line"/> to <paramref name="customerAccountId"/> (callers check <see cref="HostedCapacity.Refusal"/> first).</summary>
    public static HostedConnection Allocate(string id, PhysicalConnection line, string partnerName, string customerAccountId, int vlan,
        int bandwidthMbps, string actor, DateTimeOffset now, string etag)
    {
        ArgumentNullException.ThrowIfNull(line);
        return new HostedConnection
        {
            Id = id,
            AccountId = customerAccountId,
            Region = line.Region,
            PartnerAccountId = line.AccountId,
            PartnerName = partnerName,
            PhysicalConnectionId = line.Id,
            LocationId = line.LocationId,
            Vlan = vlan,
            BandwidthMbps = bandwidthMbps,
            State = HostedConnectionState.PendingAcceptance,
            StateReason = "allocated by the partner; awaiting the customer's acceptance",
            History = [new HostedConnectionTransition(HostedConnectionState.PendingAcceptance, now, actor, "allocated")],
            CreateTime = now,
            UpdateTime = now,
            ETag = etag,
        };
    }

    /// <summary>With <paramref name="virtualInterfaceId"/> reserving it (callers check the state, the VLAN and that no other does).</summary>
    public HostedConnection WithVirtualInterface(string virtualInterfaceId, DateTimeOffset now, string etag) =>
        VirtualInterfaceIds.Contains(virtualInterfaceId) ? this : this with { VirtualInterfaceIds = [.. VirtualInterfaceIds, virtualInterfaceId], UpdateTime = now, ETag = etag };

    /// <summary>Without <paramref name="virtualInterfaceId"/>'s reservation (unchanged when it holds none).</summary>
    public HostedConnection WithoutVirtualInterface(string virtualInterfaceId, DateTimeOffset now, string etag) =>
        !VirtualInterfaceIds.Contains(virtualInterfaceId) ? this : this with
        {
            VirtualInterfaceIds = VirtualInterfaceIds.Where(v => v != virtualInterfaceId).ToArray(),
            UpdateTime = now,
            ETag = etag,
        };

    /// <summary>True when <paramref name="operation"/> is allowed in the current state.</summary>
    public bool Allows(HostedConnectionOperation operation) => operation switch
    {
        HostedConnectionOperation.Accept or HostedConnectionOperation.Decline => State == HostedConnectionState.PendingAcceptance,
        HostedConnectionOperation.Delete => !IsDeleted,
        _ => false,
    };

    /// <summary>Enters <paramref name="state"/> (callers check <see cref="Allows"/>), recording it in the history.</summary>
    public HostedConnection Enter(HostedConnectionState state, string actor, string reason, DateTimeOffset now, string etag) => this with
    {
        State = state,
        StateReason = reason,
        History = [.. History, new HostedConnectionTransition(state, now, actor, reason)],
        UpdateTime = now,
        ETag = etag,
    };
}

/// <summary>The bandwidths a partner may allocate to a hosted connection.</summary>
public static class HostedBandwidth
{
    /// <summary>The sub-rate steps in Mbit/s, 50 Mbit/s to 10 Gbit/s.</summary>
    public static readonly IReadOnlyList<int> StepsMbps = [50, 100, 200, 300, 400, 500, 1000, 2000, 5000, 10000];

    /// <summary>Checks an allocation's fields, naming each bad one: the VLAN, the bandwidth step, and the customer account (not the partner itself).</summary>
    public static void Validate(RequestValidation validation, string prefix, string customerAccountId, string partnerAccountId, int vlan, int bandwidthMbps)
    {
        ArgumentNullException.ThrowIfNull(validation);
        validation.Check(vlan is >= 1 and <= 4094, $"{prefix}vlan", "must be between 1 and 4094");
        validation.Check(StepsMbps.Contains(bandwidthMbps), $"{prefix}bandwidth_mbps",
            $"must be one of {string.Join(", ", StepsMbps)} (Mbit/s)");
        if (validation.Check(Caller.IsValidAccountId(customerAccountId), $"{prefix}account_id",
                "must be an account id: lower-case letters, digits and '-', at most 63, starting with a letter or digit"))
        {
            validation.Check(customerAccountId != partnerAccountId, $"{prefix}account_id", "must be a customer's account, not the partner's own");
        }
    }
}

/// <summary>Why a line cannot carry a new hosted connection.</summary>
public abstract record HostingRefusal
{
    /// <summary>The line is not AVAILABLE.</summary>
    public sealed record LineNotAvailable(PhysicalConnectionState State) : HostingRefusal;

    /// <summary>The VLAN is held on the line already, by a virtual interface or another hosted connection.</summary>
    public sealed record VlanInUse(string Holder) : HostingRefusal;

    /// <summary>The line's bandwidth would be exceeded: <paramref name="UsedMbps"/> is hosted already, out of <paramref name="LineMbps"/>.</summary>
    public sealed record CapacityExceeded(int UsedMbps, int LineMbps) : HostingRefusal;
}

/// <summary>What a line can still host: its VLANs (shared with its own virtual interfaces) and its bandwidth.</summary>
public static class HostedCapacity
{
    /// <summary>Why <paramref name="line"/> cannot host <paramref name="vlan"/> at <paramref name="bandwidthMbps"/>, or null when it can.</summary>
    public static HostingRefusal? Refusal(PhysicalConnection line, int vlan, int bandwidthMbps)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (line.State != PhysicalConnectionState.Available)
        {
            return new HostingRefusal.LineNotAvailable(line.State);
        }

        if (line.VlanHolder(vlan) is { } holder)
        {
            return new HostingRefusal.VlanInUse(holder);
        }

        var used = line.HostedBandwidthMbps;
        return used + bandwidthMbps > line.BandwidthMbps ? new HostingRefusal.CapacityExceeded(used, line.BandwidthMbps) : null;
    }
}
