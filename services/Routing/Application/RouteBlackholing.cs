using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Resources;
using DirectConnect.Routing.Storage;
using Google.Protobuf;
using Events = DirectConnect.Contracts.Events.V1;

namespace DirectConnect.Routing.Application;

/// <summary>
/// Turns routes into BLACKHOLE when their next hop goes: a virtual interface or a border gateway
/// deleted, a VPC deregistered (marked gone, so no new route can point at it), or a VPC detached
/// from a gateway. Routes stay visible until the customer deletes them and never point elsewhere.
/// Idempotent: a redelivered event finds nothing left to change.
/// </summary>
public sealed class RouteBlackholing(RouteTableStore tables, IStateStore store, TimeProvider clock) : IEventHandler
{
    /// <summary>Subscription to the VirtualInterfaces topic.</summary>
    public const string InterfacesSubscription = "routing/blackhole-virtual-interfaces";

    /// <summary>Subscription to the BorderGateways topic.</summary>
    public const string GatewaysSubscription = "routing/blackhole-border-gateways";

    /// <summary>Subscription to this service's own topic (VPC deregistration).</summary>
    public const string VpcsSubscription = "routing/blackhole-vpcs";

    /// <inheritdoc />
    public async Task<EventHandling> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        try
        {
            if (cloudEvent.Type == Events.VirtualInterfaceDeleted.Descriptor.FullName)
            {
                await NextHopGoneAsync(Events.VirtualInterfaceDeleted.Parser.ParseFrom(cloudEvent.Data.Span).Id, cancellationToken);
            }
            else if (cloudEvent.Type == Events.BorderGatewayDeleted.Descriptor.FullName)
            {
                await NextHopGoneAsync(Events.BorderGatewayDeleted.Parser.ParseFrom(cloudEvent.Data.Span).Id, cancellationToken);
            }
            else if (cloudEvent.Type == Events.VpcDeregistered.Descriptor.FullName)
            {
                await NextHopGoneAsync(Events.VpcDeregistered.Parser.ParseFrom(cloudEvent.Data.Span).VpcId, cancellationToken);
            }
            else if (cloudEvent.Type == Events.VpcDetached.Descriptor.FullName)
            {
                var detached = Events.VpcDetached.Parser.ParseFrom(cloudEvent.Data.Span);
                await BlackholeAsync(detached.BorderGatewayId, detached.VpcId, cancellationToken);
                await BlackholeAsync(detached.VpcId, detached.BorderGatewayId, cancellationToken);
            }
        }
        catch (InvalidProtocolBufferException)
        {
            return EventHandling.Drop;
        }

        return EventHandling.Success;
    }

    private async Task NextHopGoneAsync(string nextHopId, CancellationToken cancellationToken)
    {
        // First mark it gone (under the usage ETag, which route creation also writes), then blackhole every table listed.
        await store.UpdateAsync(async ct =>
        {
            var (usage, unchanged) = await tables.GetUsageAsync(nextHopId, ct);
            return usage.Gone ? null : ([RouteTableStore.PutUsage(nextHopId, usage with { Gone = true }, unchanged)], []);
        }, cancellationToken);
        var (final, _) = await tables.GetUsageAsync(nextHopId, cancellationToken);
        foreach (var ownerId in final.Tables)
        {
            await BlackholeAsync(ownerId, nextHopId, cancellationToken);
        }
    }

    private Task<bool> BlackholeAsync(string ownerId, string nextHopId, CancellationToken cancellationToken) =>
        store.UpdateAsync(async ct =>
        {
            var stored = await tables.GetAsync(ownerId, ct);
            return stored?.Value.Blackholed(nextHopId, clock.GetUtcNow(), ResourceIds.NewETag) is { } updated
                ? ([RouteTableStore.Put(updated, stored.Unchanged)], [])
                : null;
        }, cancellationToken);
}
