using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Resources;
using DirectConnect.VirtualInterfaces.Storage;
using Events = DirectConnect.Contracts.Events.V1;
using InternalV1 = DirectConnect.Contracts.Internal.V1;

namespace DirectConnect.VirtualInterfaces.Application;

/// <summary>
/// A VPC attached to or detached from a border gateway changes what the gateway's sessions announce. The event is
/// only a trigger: the gateway's announcements are read again from the BorderGateways service, so events arriving
/// late, twice or out of order still leave each interface announcing the gateway's current VPC CIDRs. Interfaces
/// on a router get the change on their router's feed, in the same transaction.
/// </summary>
public sealed class GatewayAnnouncementsHandler(VirtualInterfaceStore store, OptimisticTransaction transactions, ServiceChannels services,
    RouterFeedSignal signal, TimeProvider clock) : IEventHandler
{
    /// <summary>The durable subscription name.</summary>
    public const string Subscription = "virtual-interfaces/gateway-announcements";

    /// <summary>The BorderGateways service's topic.</summary>
    public const string Topic = "border-gateways";

    /// <inheritdoc />
    public async Task<EventHandling> HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        (string Region, string GatewayId)? gateway = cloudEvent.Type switch
        {
            _ when cloudEvent.Type == Events.VpcAttached.Descriptor.FullName =>
                Events.VpcAttached.Parser.ParseFrom(cloudEvent.Data.Span) is var attached ? (attached.Region, attached.BorderGatewayId) : null,
            _ when cloudEvent.Type == Events.VpcDetached.Descriptor.FullName =>
                Events.VpcDetached.Parser.ParseFrom(cloudEvent.Data.Span) is var detached ? (detached.Region, detached.BorderGatewayId) : null,
            _ => null,
        };
        if (gateway is not { } target)
        {
            return EventHandling.Success;
        }

        var now = await new InternalV1.BorderGatewayReservationService.BorderGatewayReservationServiceClient(services.Internal("BorderGateways", "VirtualInterfaces"))
            .GetBorderGatewayAnnouncementsAsync(new InternalV1.GetBorderGatewayAnnouncementsRequest { Region = target.Region, Id = target.GatewayId },
                cancellationToken: cancellationToken);
        if (now.RouterId.Length == 0)
        {
            return EventHandling.Success;
        }

        var announced = now.AnnouncedPrefixes.Order(StringComparer.Ordinal).ToArray();
        var changed = await transactions.RunAsync(async ct =>
        {
            var (feed, feedUnchanged) = await store.GetRouterFeedAsync(now.RouterId, ct);
            var vifs = (await store.GetManyAsync(feed.Interfaces.Keys.ToArray(), ct))
                .Where(v => v.BorderGatewayId == target.GatewayId && !v.IsDeleted && !v.AnnouncedPrefixes.Order(StringComparer.Ordinal).SequenceEqual(announced))
                .ToArray();
            if (vifs.Length == 0)
            {
                return new TransactionPlan<bool>([], [], false);
            }

            List<StateOperation> operations = [];
            foreach (var vif in vifs)
            {
                // Written from the version its condition names, so nothing committed meanwhile is lost.
                if (await store.GetAsync(vif.Id, ct) is not { } stored)
                {
                    continue;
                }

                operations.Add(VirtualInterfaceStore.Put(stored.Value with { AnnouncedPrefixes = announced, UpdateTime = clock.GetUtcNow(), ETag = ResourceIds.NewETag() },
                    stored.Unchanged));
                feed = feed.Changed(vif.Id);
            }

            operations.Add(VirtualInterfaceStore.PutRouterFeed(now.RouterId, feed, feedUnchanged));
            return new TransactionPlan<bool>(operations, [], true);
        }, $"router {now.RouterId}'s virtual interfaces", cancellationToken);
        if (changed)
        {
            signal.Pulse();
        }

        // A creation on this gateway still in flight took the announcements when it reserved the gateway, maybe before
        // this change: it is not on the feed yet, so this pass could not update it. Once it is, the next delivery does.
        var (intents, _) = await store.GetIntentIndexAsync(cancellationToken);
        foreach (var id in intents.Ids)
        {
            if (await store.GetIntentAsync(id, cancellationToken) is { Value.BorderGatewayId: var gatewayId } && gatewayId == target.GatewayId)
            {
                return EventHandling.Retry;
            }
        }

        return EventHandling.Success;
    }
}
