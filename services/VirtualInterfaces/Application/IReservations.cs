using DirectConnect.VirtualInterfaces.Domain;

namespace DirectConnect.VirtualInterfaces.Application;

/// <summary>
/// The owners' half of a creation: holding the physical connection (with the VLAN) and the border
/// gateway (with the IDC prefixes) for an interface that does not exist yet. Both calls are
/// idempotent for one interface id. A refusal throws (the owner's error, addressed to the
/// request's fields); so does a call whose outcome is unknown.
/// </summary>
public interface IReservations
{
    /// <summary>Reserves the connection of <paramref name="intent"/> with <paramref name="vlan"/>.</summary>
    Task ReserveConnectionAsync(CreationIntent intent, int vlan, DateTime deadline, CancellationToken cancellationToken);

    /// <summary>Reserves the gateway of <paramref name="intent"/> with <paramref name="idcPrefixes"/>; returns where its sessions go.</summary>
    Task<GatewayPlacement> ReserveGatewayAsync(CreationIntent intent, IReadOnlyList<string> idcPrefixes, DateTime deadline, CancellationToken cancellationToken);
}

/// <summary>Where a gateway's sessions are configured: its router (null when on none) and the VPC CIDRs they announce.</summary>
public sealed record GatewayPlacement(string? RouterId, IReadOnlyList<string> AnnouncedPrefixes)
{
    /// <summary>A gateway on no router.</summary>
    public static GatewayPlacement None { get; } = new(null, []);
}
