using System.Globalization;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Resources;
using DirectConnect.PhysicalConnections.Api;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Options;

namespace DirectConnect.PhysicalConnections.Application;

/// <summary>
/// Reservations of physical connections by virtual interfaces (the internal API's
/// <c>ReservePhysicalConnection</c>). A reservation keeps the connection from being deleted and
/// holds a VLAN on it; it is taken under the connection's ETag, so two interfaces never hold one
/// VLAN and a delete never slips between a check and a reservation. Only the VirtualInterfaces
/// service's events release (<see cref="ReservationReleaseHandler"/>).
/// </summary>
public sealed class ConnectionReservations(
    PhysicalConnectionStore store,
    OptimisticTransaction transactions,
    IOptions<PhysicalConnectionOptions> options,
    TimeProvider clock)
{
    private const string ResourceType = "PhysicalConnection";

    /// <summary>
    /// Holds <paramref name="reservation"/> on connection <paramref name="connectionId"/> of
    /// <paramref name="accountId"/> in <paramref name="region"/> (NOT_FOUND for anyone else's).
    /// Returns the connection as committed; reserving again changes nothing.
    /// </summary>
    public Task<PhysicalConnection> ReserveAsync(string region, string connectionId, string accountId, VlanReservation reservation,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(reservation);
        return transactions.RunAsync(async ct =>
        {
            var stored = await store.GetAsync(connectionId, ct);
            if (stored is null || stored.Value.Region != region || stored.Value.AccountId != accountId)
            {
                throw DomainException.NotFound(ResourceType, connectionId);
            }

            var connection = stored.Value;
            if (connection.Reservations.Contains(reservation))
            {
                return new TransactionPlan<PhysicalConnection>([], [], connection);
            }

            if (!PhysicalConnectionStateMachine.Allows(connection, PhysicalConnectionOperation.Reserve))
            {
                throw DomainException.WrongState(ResourceType, connection.Id, PhysicalConnectionMapper.WireName(connection.State), "reserve");
            }

            if (connection.VlanHolder(reservation.Vlan) is { } holder)
            {
                throw VlanInUse(connection.Id, reservation.Vlan, holder);
            }

            Quotas.Require(connection.Reservations.Count, options.Value.VirtualInterfacesPerConnection, "VIRTUAL_INTERFACE",
                $"physicalConnection:{connection.Id}", "virtual interfaces per physical connection");

            var after = connection.WithReservation(reservation, clock.GetUtcNow(), ResourceIds.NewETag());
            return new TransactionPlan<PhysicalConnection>(
                [PhysicalConnectionStore.Put(after, stored.Unchanged)],
                [PhysicalConnectionEvents.Updated(PhysicalConnectionMapper.ToProto(after), FieldMask.FromString("virtual_interface_ids"))],
                after);
        }, $"physical connection {connectionId}", cancellationToken);
    }

    private static DomainException VlanInUse(string connectionId, int vlan, string holder) =>
        new(ErrorCode.AlreadyExists, "VLAN_IN_USE", $"VLAN {vlan} is already used on physical connection '{connectionId}' by virtual interface {holder}.")
        {
            FieldViolations = [new FieldViolation("vlan", $"VLAN {vlan} is used by {holder} on this connection")],
            Metadata = new Dictionary<string, string> { ["vlan"] = vlan.ToString(CultureInfo.InvariantCulture), ["virtualInterfaceId"] = holder },
        };
}
