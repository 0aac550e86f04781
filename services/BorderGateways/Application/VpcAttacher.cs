using DirectConnect.BorderGateways.Api;
using DirectConnect.BorderGateways.Domain;
using DirectConnect.BorderGateways.Storage;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Resources;

namespace DirectConnect.BorderGateways.Application;

/// <summary>
/// Keeps every gateway of an account attached to every VPC of that account in its region:
/// VPCs learned from the catalog's events attach to existing gateways, and a new gateway
/// attaches to the VPCs already known. Every step is idempotent, so redelivered events and
/// the two orders in which a gateway and a VPC can appear converge on the same attachments.
/// </summary>
public sealed class VpcAttacher(BorderGatewayStore gateways, IStateStore store, TimeProvider clock)
{
    /// <summary>Records a registered VPC and attaches it to the account's gateways in its region.</summary>
    public async Task VpcRegisteredAsync(string accountId, string region, KnownVpc vpc, CancellationToken cancellationToken)
    {
        await store.UpdateAsync(async ct =>
        {
            var (known, unchanged) = await gateways.GetKnownVpcsAsync(accountId, region, ct).ConfigureAwait(false);
            var updated = known.With(vpc);
            return ReferenceEquals(updated, known) ? null : ([BorderGatewayStore.PutKnownVpcs(accountId, region, updated, unchanged)], []);
        }, cancellationToken).ConfigureAwait(false);

        var (index, _) = await gateways.GetIndexAsync(accountId, region, cancellationToken).ConfigureAwait(false);
        foreach (var gatewayId in index.Ids)
        {
            await ChangeGatewayAsync(gatewayId, (g, now, etag) => g.Attach(vpc.VpcId, vpc.CidrBlocks, now, etag),
                g => BorderGatewayMapper.Attachment(g, vpc.VpcId), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets a deregistered VPC and detaches it from the account's gateways.</summary>
    public async Task VpcDeregisteredAsync(string accountId, string region, string vpcId, CancellationToken cancellationToken)
    {
        await store.UpdateAsync(async ct =>
        {
            var (known, unchanged) = await gateways.GetKnownVpcsAsync(accountId, region, ct).ConfigureAwait(false);
            return known.Vpcs.All(v => v.VpcId != vpcId)
                ? null
                : ([BorderGatewayStore.PutKnownVpcs(accountId, region, known.Without(vpcId), unchanged)], []);
        }, cancellationToken).ConfigureAwait(false);

        var (index, _) = await gateways.GetIndexAsync(accountId, region, cancellationToken).ConfigureAwait(false);
        foreach (var gatewayId in index.Ids)
        {
            await ChangeGatewayAsync(gatewayId, (g, now, etag) => g.Detach(vpcId, now, etag),
                g => BorderGatewayMapper.Detached(g, vpcId), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Attaches a new gateway to the VPCs already known and makes it AVAILABLE.</summary>
    public async Task GatewayCreatedAsync(string gatewayId, CancellationToken cancellationToken) =>
        await store.UpdateAsync(async ct =>
        {
            var stored = await gateways.GetAsync(gatewayId, ct).ConfigureAwait(false);
            if (stored is null || stored.Value.State != BorderGatewayState.Creating)
            {
                return null;
            }

            var gateway = stored.Value;
            var (known, _) = await gateways.GetKnownVpcsAsync(gateway.AccountId, gateway.Region, ct).ConfigureAwait(false);
            var now = clock.GetUtcNow();
            var events = new List<OutgoingEvent>();
            foreach (var vpc in known.Vpcs)
            {
                if (gateway.Attach(vpc.VpcId, vpc.CidrBlocks, now, gateway.ETag) is { } attached)
                {
                    gateway = attached;
                    events.Add(BorderGatewayMapper.Attachment(gateway, vpc.VpcId));
                }
            }

            gateway = gateway with { State = BorderGatewayState.Available, UpdateTime = now, ETag = ResourceIds.NewETag() };
            events.Add(BorderGatewayMapper.StateChanged(BorderGatewayMapper.ToProto(gateway),
                BorderGatewayMapper.ToProto(BorderGatewayState.Creating), "system", $"attached to {known.Vpcs.Count} VPC(s)"));
            return ([BorderGatewayStore.Put(gateway, stored.Unchanged)], events);
        }, cancellationToken).ConfigureAwait(false);

    private Task<bool> ChangeGatewayAsync(string gatewayId, Func<BorderGateway, DateTimeOffset, string, BorderGateway?> change,
        Func<BorderGateway, OutgoingEvent> announce, CancellationToken cancellationToken) =>
        store.UpdateAsync(async ct =>
        {
            var stored = await gateways.GetAsync(gatewayId, ct).ConfigureAwait(false);
            if (stored is null || change(stored.Value, clock.GetUtcNow(), ResourceIds.NewETag()) is not { } changed)
            {
                return null;
            }

            return ([BorderGatewayStore.Put(changed, stored.Unchanged)], [announce(changed)]);
        }, cancellationToken);
}
