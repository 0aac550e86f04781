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
/// the orders in which a gateway and a VPC can appear converge on the same attachments.
/// </summary>
/// <remarks>
/// A new gateway turns AVAILABLE only once it has settled every VPC it awaits (the account's VPCs
/// when it was created, read from the catalog itself): attached, refused, or seen deregistered.
/// Whichever step settles the last one turns it AVAILABLE. Each step writes the known VPCs before
/// it reads the gateways, and a gateway's creation event is handled after the gateway is in the
/// account's index, so every VPC event is seen by the gateway one way or the other: either the
/// VPC handler finds the gateway in the index, or the gateway's creation handler finds the VPC
/// (or its deregistration) in the known VPCs.
/// </remarks>
public sealed class VpcAttacher(BorderGatewayStore gateways, IStateStore store, TimeProvider clock)
{
    /// <summary>Records a registered VPC and attaches it to the account's gateways in its region.</summary>
    public async Task VpcRegisteredAsync(string accountId, string region, KnownVpc vpc, CancellationToken cancellationToken)
    {
        var gone = false;
        await store.UpdateAsync(async ct =>
        {
            var (known, unchanged) = await gateways.GetKnownVpcsAsync(accountId, region, ct).ConfigureAwait(false);
            gone = known.IsDeregistered(vpc.VpcId);
            var updated = known.With(vpc);
            return ReferenceEquals(updated, known) ? null : ([BorderGatewayStore.PutKnownVpcs(accountId, region, updated, unchanged)], []);
        }, cancellationToken).ConfigureAwait(false);
        if (gone)
        {
            return; // delivered again after its deregistration: nothing to attach
        }

        foreach (var gatewayId in await gateways.GetIdsAsync(accountId, region, cancellationToken).ConfigureAwait(false))
        {
            await ChangeGatewayAsync(gatewayId, (g, now, _) => Task.FromResult(Attach(g, vpc, now)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Forgets a deregistered VPC (for good) and detaches it from the account's gateways.</summary>
    public async Task VpcDeregisteredAsync(string accountId, string region, string vpcId, CancellationToken cancellationToken)
    {
        await store.UpdateAsync(async ct =>
        {
            var (known, unchanged) = await gateways.GetKnownVpcsAsync(accountId, region, ct).ConfigureAwait(false);
            var updated = known.Without(vpcId);
            return ReferenceEquals(updated, known) ? null : ([BorderGatewayStore.PutKnownVpcs(accountId, region, updated, unchanged)], []);
        }, cancellationToken).ConfigureAwait(false);

        foreach (var gatewayId in await gateways.GetIdsAsync(accountId, region, cancellationToken).ConfigureAwait(false))
        {
            await ChangeGatewayAsync(gatewayId, (g, now, _) => Task.FromResult(Detach(g, vpcId, now)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Attaches a new gateway to the VPCs known by now and settles the awaited VPCs already seen
    /// deregistered; it turns AVAILABLE here unless a VPC it awaits is not known yet (its
    /// <c>VpcRegistered</c> then finishes the job).
    /// </summary>
    public Task GatewayCreatedAsync(string gatewayId, CancellationToken cancellationToken) =>
        ChangeGatewayAsync(gatewayId, async (gateway, now, ct) =>
        {
            var (known, _) = await gateways.GetKnownVpcsAsync(gateway.AccountId, gateway.Region, ct).ConfigureAwait(false);
            var events = new List<OutgoingEvent>();
            foreach (var vpc in known.Vpcs)
            {
                (gateway, var attached) = Attach(gateway, vpc, now);
                events.AddRange(attached);
            }

            foreach (var vpcId in gateway.AwaitedVpcIds.Where(known.IsDeregistered).ToArray())
            {
                (gateway, var detached) = Detach(gateway, vpcId, now);
                events.AddRange(detached);
            }

            return (gateway, events);
        }, cancellationToken);

    private static (BorderGateway Gateway, IReadOnlyList<OutgoingEvent> Events) Attach(BorderGateway gateway, KnownVpc vpc, DateTimeOffset now) =>
        gateway.Attach(vpc.VpcId, vpc.CidrBlocks, now, ResourceIds.NewETag()) is { } attached
            ? (attached, [BorderGatewayMapper.Attachment(attached, vpc.VpcId)])
            : (gateway, []);

    private static (BorderGateway Gateway, IReadOnlyList<OutgoingEvent> Events) Detach(BorderGateway gateway, string vpcId, DateTimeOffset now) =>
        gateway.Detach(vpcId, now, ResourceIds.NewETag()) is { } detached
            // Only an attachment that existed is announced; an awaited VPC that never got one just stops being awaited.
            ? (detached, gateway.HasAttachment(vpcId) ? [BorderGatewayMapper.Detached(detached, vpcId)] : [])
            : (gateway, []);

    /// <summary>
    /// Applies <paramref name="change"/> to the gateway from a fresh read, turns it AVAILABLE when
    /// that settled the last VPC it awaited, and commits both with their events.
    /// </summary>
    private Task<bool> ChangeGatewayAsync(string gatewayId,
        Func<BorderGateway, DateTimeOffset, CancellationToken, Task<(BorderGateway Gateway, IReadOnlyList<OutgoingEvent> Events)>> change,
        CancellationToken cancellationToken) =>
        store.UpdateAsync(async ct =>
        {
            var stored = await gateways.GetAsync(gatewayId, ct).ConfigureAwait(false);
            if (stored is null)
            {
                return null;
            }

            var now = clock.GetUtcNow();
            var (gateway, changes) = await change(stored.Value, now, ct).ConfigureAwait(false);
            var events = changes.ToList();
            if (gateway.BecomeAvailable(now, ResourceIds.NewETag()) is { } available)
            {
                gateway = available;
                events.Add(BorderGatewayMapper.StateChanged(BorderGatewayMapper.ToProto(gateway),
                    BorderGatewayMapper.ToProto(BorderGatewayState.Creating), "system",
                    $"attached to {gateway.Attachments.Count(a => a.Attached)} VPC(s)"));
            }

            return ReferenceEquals(gateway, stored.Value)
                ? null
                : ([BorderGatewayStore.Put(gateway, stored.Unchanged)], events);
        }, cancellationToken);
}
