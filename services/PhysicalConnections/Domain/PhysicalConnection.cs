using DirectConnect.Platform.Tenancy;
using System.Text.Json.Serialization;

namespace DirectConnect.PhysicalConnections.Domain;

/// <summary>A virtual interface's hold on a connection, with the VLAN it uses there.</summary>
public sealed record VlanReservation(string VirtualInterfaceId, int Vlan);

/// <summary>
/// A dedicated line from a customer's data centre into a cloud location (<c>dxpc-…</c>).
/// Immutable: every change returns a new value with a new <see cref="ETag"/> and, for state
/// changes, a new <see cref="History"/> entry.
/// </summary>
public sealed record PhysicalConnection : IAccountResource
{
    /// <summary>The id prefix.</summary>
    public const string IdPrefix = "dxpc-";

    /// <summary>Server-generated id, <c>dxpc-</c> followed by 12 lower-case hex digits.</summary>
    public required string Id { get; init; }

    /// <summary>The owning account.</summary>
    public required string AccountId { get; init; }

    /// <summary>The region of the location.</summary>
    public required string Region { get; init; }

    /// <summary>Customer-chosen name.</summary>
    public required string Name { get; init; }

    /// <summary>Free text.</summary>
    public string Description { get; init; } = "";

    /// <summary>The cloud location the line terminates in.</summary>
    public required string LocationId { get; init; }

    /// <summary>The port speed ordered.</summary>
    public required PortSpeed PortSpeed { get; init; }

    /// <summary>Committed bandwidth in Mbit/s, at most the port speed.</summary>
    public required int BandwidthMbps { get; init; }

    /// <summary>The carrier building the line.</summary>
    public required string Provider { get; init; }

    /// <summary>Optional partner that resells the line.</summary>
    public string Partner { get; init; } = "";

    /// <summary>The current state.</summary>
    public required PhysicalConnectionState State { get; init; }

    /// <summary>Why the current state was entered (e.g. the rejection reason).</summary>
    public string StateReason { get; init; } = "";

    /// <summary>The allocated port, once there is one; none once deleted (the deletion's history entry names it).</summary>
    public PortAssignment? Port { get; init; }

    /// <summary>Payment is recorded but no port was free yet.</summary>
    public bool WaitingForPort { get; init; }

    /// <summary>When payment was recorded.</summary>
    public DateTimeOffset? PaymentTime { get; init; }

    /// <summary>The reservations of virtual interfaces on this connection, each with its VLAN.</summary>
    public IReadOnlyList<VlanReservation> Reservations { get; init; } = [];

    /// <summary>The hosted connections a partner allocated on this line, each with its VLAN and bandwidth.</summary>
    public IReadOnlyList<HostedHold> HostedHolds { get; init; } = [];

    /// <summary>The bandwidth the line's hosted connections hold, in Mbit/s (never above <see cref="BandwidthMbps"/>).</summary>
    [JsonIgnore]
    public int HostedBandwidthMbps => HostedHolds.Sum(h => h.BandwidthMbps);

    /// <summary>Virtual interfaces holding a reservation on this connection.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> VirtualInterfaceIds => Reservations.Select(r => r.VirtualInterfaceId).ToArray();

    /// <summary>Every state entered, oldest first.</summary>
    public required IReadOnlyList<StateTransition> History { get; init; }

    /// <summary>When the connection was ordered.</summary>
    public required DateTimeOffset CreateTime { get; init; }

    /// <summary>When it last changed.</summary>
    public required DateTimeOffset UpdateTime { get; init; }

    /// <summary>The version clients send back to guard updates and deletes (AIP-154).</summary>
    public required string ETag { get; init; }

    /// <summary>Orders a new connection: state APPLYING, awaiting operator review.</summary>
    public static PhysicalConnection Order(string id, string accountId, string region, PhysicalConnectionSpec spec,
        string actor, DateTimeOffset now, string etag)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return new PhysicalConnection
        {
            Id = id,
            AccountId = accountId,
            Region = region,
            Name = spec.Name,
            Description = spec.Description,
            LocationId = spec.LocationId,
            PortSpeed = spec.PortSpeed ?? throw new ArgumentException("A validated spec has a port speed.", nameof(spec)),
            BandwidthMbps = spec.BandwidthMbps,
            Provider = spec.Provider,
            Partner = spec.Partner,
            State = PhysicalConnectionState.Applying,
            History = [new StateTransition(PhysicalConnectionState.Applying, now, actor, "ordered")],
            CreateTime = now,
            UpdateTime = now,
            ETag = etag,
        };
    }

    /// <summary>True once deleted.</summary>
    public bool IsDeleted => State == PhysicalConnectionState.Deleted;

    /// <summary>Renames or re-describes the connection.</summary>
    public PhysicalConnection Describe(string? name, string? description, DateTimeOffset now, string etag) => this with
    {
        Name = name ?? Name,
        Description = description ?? Description,
        UpdateTime = now,
        ETag = etag,
    };

    /// <summary>The connection holding <paramref name="port"/>, no longer waiting for one.</summary>
    public PhysicalConnection WithPort(PortAssignment port, DateTimeOffset now, string etag) => this with
    {
        Port = port,
        WaitingForPort = false,
        StateReason = $"port allocated: {port.AccessDeviceId} {port.PortName}",
        UpdateTime = now,
        ETag = etag,
    };

    /// <summary>The virtual interface or hosted connection that holds <paramref name="vlan"/> on this line, if any (they share its VLANs).</summary>
    public string? VlanHolder(int vlan) =>
        Reservations.FirstOrDefault(r => r.Vlan == vlan)?.VirtualInterfaceId ?? HostedHolds.FirstOrDefault(h => h.Vlan == vlan)?.HostedConnectionId;

    /// <summary>What keeps the line from being deleted: its virtual interfaces, then its hosted connections.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Dependants => [.. VirtualInterfaceIds, .. HostedHolds.Select(h => h.HostedConnectionId)];

    /// <summary>The line with <paramref name="hold"/> (callers check <see cref="HostedCapacity.Refusal"/> first); the same line when it holds it already.</summary>
    public PhysicalConnection WithHostedHold(HostedHold hold, DateTimeOffset now, string etag) =>
        HostedHolds.Contains(hold) ? this : this with
        {
            HostedHolds = [.. HostedHolds, hold],
            UpdateTime = now,
            ETag = etag,
        };

    /// <summary>The line without the hold of <paramref name="hostedConnectionId"/>: its VLAN and bandwidth are free at once.</summary>
    public PhysicalConnection WithoutHostedHold(string hostedConnectionId, DateTimeOffset now, string etag) =>
        HostedHolds.All(h => h.HostedConnectionId != hostedConnectionId) ? this : this with
        {
            HostedHolds = HostedHolds.Where(h => h.HostedConnectionId != hostedConnectionId).ToArray(),
            UpdateTime = now,
            ETag = etag,
        };

    /// <summary>The connection with <paramref name="reservation"/> (callers check that its VLAN is free).</summary>
    public PhysicalConnection WithReservation(VlanReservation reservation, DateTimeOffset now, string etag) =>
        Reservations.Contains(reservation) ? this : this with
        {
            Reservations = [.. Reservations, reservation],
            UpdateTime = now,
            ETag = etag,
        };

    /// <summary>The connection without the reservation of <paramref name="virtualInterfaceId"/>.</summary>
    public PhysicalConnection WithoutReservation(string virtualInterfaceId, DateTimeOffset now, string etag) =>
        !VirtualInterfaceIds.Contains(virtualInterfaceId) ? this : this with
        {
            Reservations = Reservations.Where(r => r.VirtualInterfaceId != virtualInterfaceId).ToArray(),
            UpdateTime = now,
            ETag = etag,
        };

    /// <summary>True while the connection counts against its account's quota (not deleted, not rejected).</summary>
    public bool CountsAgainstQuota => State is not (PhysicalConnectionState.Deleted or PhysicalConnectionState.Rejected);

    /// <summary>
    /// Deletes the connection: it holds no port and waits for none from now on, so a released port
    /// is claimed only by its next holder; the deletion's history entry keeps which port it was.
    /// </summary>
    public PhysicalConnection Delete(string actor, DateTimeOffset now, string etag)
    {
        var reason = Port is { } port ? $"deleted; released port {port.AccessDeviceId} {port.PortName}" : "deleted";
        return this with
        {
            State = PhysicalConnectionState.Deleted,
            StateReason = reason,
            Port = null,
            WaitingForPort = false,
            History = [.. History, new StateTransition(PhysicalConnectionState.Deleted, now, actor, reason, Port)],
            UpdateTime = now,
            ETag = etag,
        };
    }

    /// <summary>Enters <paramref name="state"/>, recording the transition in the history.</summary>
    public PhysicalConnection Enter(PhysicalConnectionState state, string actor, string reason, DateTimeOffset now, string etag) => this with
    {
        State = state,
        StateReason = reason,
        History = [.. History, new StateTransition(state, now, actor, reason)],
        UpdateTime = now,
        ETag = etag,
    };
}
