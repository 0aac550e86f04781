using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.ServiceIdentity;
using DirectConnect.VirtualInterfaces.Application;
using DirectConnect.VirtualInterfaces.Domain;
using DirectConnect.VirtualInterfaces.Storage;
using Grpc.Core;
using InternalV1 = DirectConnect.Contracts.Internal.V1;

namespace DirectConnect.VirtualInterfaces.Api;

/// <summary>
/// <c>directconnect.internal.v1.DataPlaneService</c>: what the border-gateway agents call. An agent's token names
/// its router; every method serves that router only. The desired state is built from validated fields only (no
/// name, no description, no key), and the key travels by <see cref="GetVirtualInterfaceAuthKey"/> alone.
/// </summary>
public sealed class DataPlaneGrpcService(VirtualInterfaceStore store, RouterFeedSignal signal, ServiceChannels services,
    DataPlaneStatusRecorder recorder, AuthKeys authKeys) : InternalV1.DataPlaneService.DataPlaneServiceBase
{
    /// <summary>How often a stream reads its feed again without a signal: changes committed by another replica.</summary>
    internal static readonly TimeSpan RereadInterval = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public override async Task WatchRouterDesiredState(InternalV1.WatchRouterDesiredStateRequest request,
        IServerStreamWriter<InternalV1.RouterDesiredState> responseStream, ServerCallContext context)
    {
        var routerId = RequireOwnRouter(context, request.RouterId);
        var validation = new RequestValidation();
        validation.Check(request.AfterPosition >= 0, "after_position", "must not be negative");
        validation.ThrowIfInvalid();

        var router = await new InternalV1.BorderGatewayReservationService.BorderGatewayReservationServiceClient(
                services.Internal("BorderGateways", "VirtualInterfaces"))
            .GetRouterForAgentAsync(new InternalV1.GetRouterForAgentRequest { RouterId = routerId }, cancellationToken: context.CancellationToken);
        var cancellation = context.CancellationToken;
        var wake = signal.Next;
        var (feed, _) = await store.GetRouterFeedAsync(routerId, cancellation);
        var after = Math.Min(request.AfterPosition, feed.Position);
        var first = new InternalV1.RouterDesiredState
        {
            Position = feed.Position,
            Snapshot = new InternalV1.RouterDesiredState.Types.Snapshot(),
            Router = new InternalV1.RouterDesiredState.Types.Router { InterfaceName = router.InterfaceName, Asn = router.Asn },
        };
        first.Snapshot.VirtualInterfaceIds.AddRange(feed.Interfaces.Keys.Order(StringComparer.Ordinal));
        first.Peerings.AddRange(await PeeringsAsync(feed, after, cancellation));
        await responseStream.WriteAsync(first, cancellation);

        var known = feed.Interfaces.Keys.ToHashSet(StringComparer.Ordinal);
        var sent = feed.Position;
        while (!cancellation.IsCancellationRequested)
        {
            await Task.WhenAny(wake, Task.Delay(RereadInterval, cancellation)).ConfigureAwait(false);
            cancellation.ThrowIfCancellationRequested();
            wake = signal.Next;
            (feed, _) = await store.GetRouterFeedAsync(routerId, cancellation);
            if (feed.Position <= sent)
            {
                continue;
            }

            var change = new InternalV1.RouterDesiredState { Position = feed.Position };
            change.Peerings.AddRange(await PeeringsAsync(feed, sent, cancellation));
            change.RemovedVirtualInterfaceIds.AddRange(known.Where(id => !feed.Interfaces.ContainsKey(id)).Order(StringComparer.Ordinal));
            known = feed.Interfaces.Keys.ToHashSet(StringComparer.Ordinal);
            sent = feed.Position;
            await responseStream.WriteAsync(change, cancellation);
        }
    }

    /// <inheritdoc />
    public override async Task<InternalV1.GetVirtualInterfaceAuthKeyResponse> GetVirtualInterfaceAuthKey(
        InternalV1.GetVirtualInterfaceAuthKeyRequest request, ServerCallContext context)
    {
        var vif = await OnRouterAsync(context, request.RouterId, request.VirtualInterfaceId);
        return new InternalV1.GetVirtualInterfaceAuthKeyResponse { AuthKey = vif.Bgp.SealedAuthKey is null ? "" : authKeys.Unseal(vif.Bgp.SealedAuthKey) };
    }

    /// <inheritdoc />
    public override async Task<InternalV1.ReportVirtualInterfaceStatusResponse> ReportVirtualInterfaceStatus(
        InternalV1.ReportVirtualInterfaceStatusRequest request, ServerCallContext context)
    {
        var routerId = RequireOwnRouter(context, request.RouterId);
        var validation = new RequestValidation();
        validation.Check(ResourceIds.IsWellFormed(request.VirtualInterfaceId, VirtualInterface.IdPrefix), "virtual_interface_id",
            "is not a virtual interface id (expected dxvif-…)");
        validation.Check(request.Position >= 0, "position", "must not be negative");
        validation.OptionalText(request.BgpState, "bgp_state", 32);
        validation.OptionalText(request.ApplyError, "apply_error", 512);
        validation.OptionalText(request.LastError, "last_error", 512);
        validation.Check(request.ReceivedPrefixes.Count <= 1000, "received_prefixes", "at most 1000");
        validation.Check(request.AdvertisedPrefixes.Count <= 1000, "advertised_prefixes", "at most 1000");
        validation.ThrowIfInvalid();
        var status = new DataPlaneStatus(request.Position, request.Applied, request.ApplyError, request.BgpState, request.LastError,
            [.. request.ReceivedPrefixes], [.. request.AdvertisedPrefixes],
            request.ObserveTime?.ToDateTimeOffset() ?? DateTimeOffset.UtcNow);
        var recorded = await recorder.RecordAsync(routerId, request.VirtualInterfaceId, status, request.BgpUp, context.CancellationToken);
        return new InternalV1.ReportVirtualInterfaceStatusResponse { Recorded = recorded };
    }

    private async Task<IEnumerable<InternalV1.Peering>> PeeringsAsync(RouterFeed feed, long after, CancellationToken cancellationToken)
    {
        var changed = feed.Interfaces.Where(e => e.Value > after).Select(e => e.Key).Order(StringComparer.Ordinal).ToArray();
        var vifs = await store.GetManyAsync(changed, cancellationToken);
        return vifs.Where(v => !v.IsDeleted).Select(ToPeering);
    }

    /// <summary>The cloud side of <paramref name="vif"/>: validated values only, and no key.</summary>
    internal static InternalV1.Peering ToPeering(VirtualInterface vif)
    {
        var peering = new InternalV1.Peering
        {
            VirtualInterfaceId = vif.Id,
            BorderGatewayId = vif.BorderGatewayId,
            Vlan = vif.Vlan,
            CloudAddress = vif.Bgp.CloudAddress,
            CustomerAddress = vif.Bgp.CustomerAddress,
            CloudAsn = vif.Bgp.CloudAsn,
            CustomerAsn = vif.Bgp.CustomerAsn,
            AuthKeySet = !string.IsNullOrEmpty(vif.Bgp.SealedAuthKey),
        };
        peering.IdcPrefixes.AddRange(vif.IdcPrefixes);
        peering.AnnouncedPrefixes.AddRange(vif.AnnouncedPrefixes);
        return peering;
    }

    private async Task<VirtualInterface> OnRouterAsync(ServerCallContext context, string routerId, string virtualInterfaceId)
    {
        RequireOwnRouter(context, routerId);
        // Another router's interface answers as one that does not exist.
        return await store.GetAsync(virtualInterfaceId, context.CancellationToken) is { Value: { IsDeleted: false } vif } && vif.RouterId == routerId
            ? vif
            : throw DomainException.NotFound("VirtualInterface", virtualInterfaceId);
    }

    /// <summary>The router of the caller's agent token, which must be <paramref name="routerId"/>.</summary>
    private static string RequireOwnRouter(ServerCallContext context, string routerId)
    {
        var own = AgentIdentity.RouterOf(context.GetHttpContext().User);
        if (own is null || own != routerId)
        {
            throw new DomainException(ErrorCode.PermissionDenied, "ROUTER_NOT_ALLOWED",
                $"This agent serves {(own is null ? "no router" : $"router '{own}'")}, not '{routerId}'.");
        }

        return own;
    }
}
