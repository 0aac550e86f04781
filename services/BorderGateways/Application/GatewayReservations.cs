using DirectConnect.BorderGateways.Api;
using DirectConnect.BorderGateways.Domain;
using DirectConnect.BorderGateways.Storage;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Networking;
using DirectConnect.Platform.Resources;

namespace DirectConnect.BorderGateways.Application;

/// <summary>
/// Reservations of border gateways by virtual interfaces (the internal API's
/// <c>ReserveBorderGateway</c>). A reservation keeps the gateway from being deleted and holds the
/// interface's IDC prefixes, which no attached VPC may overlap; it is taken under the gateway's
/// ETag, so a VPC attachment and a reservation never both pass the overlap check against a stale
/// view. Only the VirtualInterfaces service's events release (<see cref="ReservationReleaseHandler"/>).
/// </summary>
public sealed class GatewayReservations(BorderGatewayStore store, OptimisticTransaction transactions, TimeProvider clock)
{
    private const string ResourceType = "BorderGateway";

    /// <summary>
    /// Holds <paramref name="prefixes"/> for <paramref name="virtualInterfaceId"/> on gateway
    /// <paramref name="gatewayId"/> of <paramref name="accountId"/> in <paramref name="region"/>
    /// (NOT_FOUND for anyone else's). Returns the gateway as committed; reserving again changes nothing.
    /// </summary>
    public Task<BorderGateway> ReserveAsync(string region, string gatewayId, string accountId, string virtualInterfaceId,
        IReadOnlyList<Cidr> prefixes, string connectionId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prefixes);
        var reservation = new PrefixReservation(virtualInterfaceId, prefixes.Select(p => p.ToString()).ToArray()) { ConnectionId = connectionId };
        return transactions.RunAsync(async ct =>
        {
            var stored = await store.GetAsync(gatewayId, ct);
            if (stored is null || stored.Value.Region != region || stored.Value.AccountId != accountId)
            {
                throw DomainException.NotFound(ResourceType, gatewayId);
            }

            var gateway = stored.Value;
            if (gateway.Reservations.Any(r => r.VirtualInterfaceId == reservation.VirtualInterfaceId && r.IdcPrefixes.SequenceEqual(reservation.IdcPrefixes)))
            {
                return new TransactionPlan<BorderGateway>([], [], gateway); // already held: idempotent
            }

            if (gateway.State != BorderGatewayState.Available)
            {
                throw DomainException.WrongState(ResourceType, gateway.Id, BorderGatewayMapper.ToProto(gateway.State).ToWireName(), "reserve");
            }

            var overlaps = gateway.OverlapsWithVpcs(prefixes, reservation);
            if (overlaps.Count > 0)
            {
                throw new DomainException(ErrorCode.InvalidArgument, "CIDR_OVERLAP",
                    $"IDC prefixes overlap VPC CIDRs attached to border gateway '{gateway.Id}': " +
                    string.Join("; ", overlaps.Select(Describe)))
                {
                    FieldViolations = overlaps.Select(o => new FieldViolation($"idc_prefixes[{IndexOf(reservation.IdcPrefixes, o.IdcPrefix)}]", Describe(o))).ToArray(),
                };
            }

            var after = gateway.WithReservation(reservation, clock.GetUtcNow(), ResourceIds.NewETag());
            return new TransactionPlan<BorderGateway>([BorderGatewayStore.Put(after, stored.Unchanged)], [], after);
        }, $"border gateway {gatewayId}", cancellationToken);
    }

    // Both prefixes, and where each comes from: the IDC prefix through the interface's connection, the CIDR from its VPC.
    private static string Describe(PrefixOverlap overlap) =>
        $"IDC prefix {overlap.IdcPrefix} (announced by {overlap.Source}) overlaps VPC CIDR {overlap.VpcCidr} of {overlap.VpcId}";

    private static int IndexOf(IReadOnlyList<string> prefixes, string prefix)
    {
        for (var i = 0; i < prefixes.Count; i++)
        {
            if (prefixes[i] == prefix)
            {
                return i;
            }
        }

        return -1;
    }
}
