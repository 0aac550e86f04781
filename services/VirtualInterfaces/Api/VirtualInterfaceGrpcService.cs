using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Paging;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;
using DirectConnect.VirtualInterfaces.Application;
using DirectConnect.VirtualInterfaces.Domain;
using DirectConnect.VirtualInterfaces.RouterConfiguration;
using DirectConnect.VirtualInterfaces.Storage;
using Grpc.Core;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.VirtualInterfaces.Api;

/// <summary>
/// <c>directconnect.v1.VirtualInterfaceService</c>: validates and maps, and delegates creation to
/// the saga (<see cref="VirtualInterfaceCreation"/>), which reserves the physical connection and the
/// border gateway before the interface exists. Deletion publishes <c>VirtualInterfaceDeleted</c>,
/// on which the owners release.
/// </summary>
public sealed class VirtualInterfaceGrpcService(
    VirtualInterfaceStore store,
    VirtualInterfaceCreation creation,
    ServiceChannels services,
    OptimisticTransaction transactions,
    RegionCatalog regions,
    TimeProvider clock,
    RouterFeedSignal routerFeeds,
    AuthKeys authKeys) : V1.VirtualInterfaceService.VirtualInterfaceServiceBase
{
    private const string ResourceType = "VirtualInterface";
    private static readonly string[] UpdatableFields = ["name", "description", "bandwidth_mbps"];

    /// <inheritdoc />
    public override async Task<V1.VirtualInterface> CreateVirtualInterface(V1.CreateVirtualInterfaceRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        if (!validation.Check(request.VirtualInterface is not null, "virtual_interface", "is required"))
        {
            validation.ThrowIfInvalid();
        }

        var input = request.VirtualInterface!;
        validation.Check(input.Type is V1.VirtualInterfaceType.Unspecified or V1.VirtualInterfaceType.Private, "virtual_interface.type",
            "only VIRTUAL_INTERFACE_TYPE_PRIVATE is supported");
        var bgp = input.Bgp ?? new V1.BgpPeering();
        validation.Check(input.Bgp is not null, "virtual_interface.bgp", "is required");
        // Facts that live in other services, asked on the caller's behalf (so another account's resource is NOT_FOUND).
        var options = ServiceChannels.OnBehalfOf(context);
        var onHosted = input.HostedConnectionId.Length > 0;
        var hosted = onHosted && input.PhysicalConnectionId.Length == 0
            ? await FetchAsync(validation, "virtual_interface.hosted_connection_id", input.HostedConnectionId, "dxhc-",
                id => HostedConnections.GetHostedConnectionAsync(new V1.GetHostedConnectionRequest { Region = request.Region, Id = id }, options).ResponseAsync)
            : null;
        // On a hosted connection the VLAN is the hosted connection's: the customer may leave it out.
        var vlan = hosted is not null && input.Vlan == 0 ? hosted.Vlan : input.Vlan;
        var spec = new VirtualInterfaceSpec(input.Name, input.Description, input.PhysicalConnectionId, input.BorderGatewayId, vlan,
            input.BandwidthMbps, bgp.CustomerAsn, bgp.CloudAddress, bgp.CustomerAddress, bgp.AuthKey, input.IdcPrefixes, input.HostedConnectionId);
        var prefixes = spec.Validate(validation, "virtual_interface.");

        var connection = onHosted ? null : await FetchAsync(validation, "virtual_interface.physical_connection_id", spec.PhysicalConnectionId, "dxpc-",
            id => Connections.GetPhysicalConnectionAsync(new V1.GetPhysicalConnectionRequest { Region = request.Region, Id = id }, options).ResponseAsync);
        var gateway = await FetchAsync(validation, "virtual_interface.border_gateway_id", spec.BorderGatewayId, "dxbgw-",
            id => Gateways.GetBorderGatewayAsync(new V1.GetBorderGatewayRequest { Region = request.Region, Id = id }, options).ResponseAsync);
        if (connection is not null && spec.BandwidthMbps > 0)
        {
            validation.Check(spec.BandwidthMbps <= connection.BandwidthMbps, "virtual_interface.bandwidth_mbps",
                $"must be at most the physical connection's {connection.BandwidthMbps} Mbit/s, got {spec.BandwidthMbps}");
        }

        if (hosted is not null)
        {
            if (spec.BandwidthMbps > 0)
            {
                validation.Check(spec.BandwidthMbps <= hosted.BandwidthMbps, "virtual_interface.bandwidth_mbps",
                    $"must be at most the hosted connection's {hosted.BandwidthMbps} Mbit/s, got {spec.BandwidthMbps}");
            }

            validation.Check(vlan == hosted.Vlan, "virtual_interface.vlan", $"must be the hosted connection's VLAN {hosted.Vlan} (or 0), got {vlan}");
        }

        if (gateway is not null)
        {
            validation.Check(spec.CustomerAsn != gateway.Asn, "virtual_interface.bgp.customer_asn",
                $"must differ from the border gateway's ASN {gateway.Asn}");
        }

        var requestId = ProtobufTransactions.RequestIdOf(request, "virtual-interfaces/create", caller, validation);
        validation.ThrowIfInvalid();

        if (hosted is not null)
        {
            RequireAvailable(hosted.State == V1.HostedConnection.Types.State.Available, "HostedConnection", hosted.Id, hosted.State.ToWireName());
        }
        else
        {
            RequireAvailable(connection!.State == V1.PhysicalConnection.Types.State.Available, "PhysicalConnection", connection.Id, connection.State.ToWireName());
        }

        RequireAvailable(gateway!.State == V1.BorderGateway.Types.State.Available, "BorderGateway", gateway.Id, gateway.State.ToWireName());

        var draft = new VirtualInterface
        {
            Id = "",
            AccountId = caller.AccountId,
            Region = request.Region,
            Name = spec.Name,
            Description = spec.Description,
            PhysicalConnectionId = connection?.Id ?? "",
            HostedConnectionId = hosted?.Id ?? "",
            BorderGatewayId = gateway.Id,
            Vlan = spec.Vlan,
            BandwidthMbps = spec.BandwidthMbps,
            // Sealed before it is part of any document: the state store never holds the key in clear.
            Bgp = new BgpPeering(spec.CustomerAsn, gateway.Asn, spec.CloudAddress, spec.CustomerAddress,
                string.IsNullOrEmpty(spec.AuthKey) ? null : authKeys.Seal(spec.AuthKey)),
            IdcPrefixes = prefixes.Select(p => p.ToString()).ToArray(),
            State = VirtualInterfaceState.Configuring,
            CreateTime = default,
            UpdateTime = default,
            ETag = "",
        };
        return await creation.CreateAsync(new CreationRequest(caller.AccountId, request.Region, requestId, draft), context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<V1.VirtualInterface> GetVirtualInterface(V1.GetVirtualInterfaceRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        ValidateAddress(new RequestValidation(), request.Region, request.Id).ThrowIfInvalid();
        return VirtualInterfaceMapper.ToProto((await LoadAsync(caller, request.Region, request.Id, context.CancellationToken)).Value);
    }

    /// <inheritdoc />
    public override async Task<V1.ListVirtualInterfacesResponse> ListVirtualInterfaces(V1.ListVirtualInterfacesRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        validation.Check(System.Enum.IsDefined(request.State), "state", $"unknown state {(int)request.State}");
        var page = PageRequest.Parse(validation, request.PageSize, request.PageToken, $"{caller.AccountId}|{request.Region}|{request.State}|{request.ShowDeleted}");
        validation.ThrowIfInvalid();

        var index = await store.GetIndexAsync(caller.AccountId, request.Region, context.CancellationToken);
        var result = await IndexPager.PageAsync(index, page,
            ids => store.GetManyAsync(ids, context.CancellationToken),
            v => (request.ShowDeleted || !v.IsDeleted) &&
                 (request.State == V1.VirtualInterface.Types.State.Unspecified || VirtualInterfaceMapper.ToProto(v.State) == request.State),
            v => v.Id);
        var response = new V1.ListVirtualInterfacesResponse { NextPageToken = result.NextPageToken };
        response.VirtualInterfaces.AddRange(result.Items.Select(VirtualInterfaceMapper.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<V1.VirtualInterface> UpdateVirtualInterface(V1.UpdateVirtualInterfaceRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation();
        string? name = null, description = null;
        int? bandwidth = null;
        if (validation.Check(request.VirtualInterface is not null, "virtual_interface", "is required"))
        {
            var patch = request.VirtualInterface!;
            var paths = UpdateMasks.Paths(request.UpdateMask, UpdatableFields, validation, f => f switch
            {
                "name" => patch.Name.Length > 0,
                "description" => patch.Description.Length > 0,
                _ => patch.BandwidthMbps != 0,
            });
            if (paths.Contains("name") && validation.RequireText(patch.Name, "virtual_interface.name", 64))
            {
                name = patch.Name;
            }

            if (paths.Contains("description") && validation.OptionalText(patch.Description, "virtual_interface.description", 256))
            {
                description = patch.Description;
            }

            if (paths.Contains("bandwidth_mbps") &&
                validation.Check(patch.BandwidthMbps > 0, "virtual_interface.bandwidth_mbps", $"must be positive, got {patch.BandwidthMbps}") &&
                ValidateAddress(new RequestValidation(), request.Region, request.Id).Violations.Count == 0)
            {
                // The limit lives with the physical or hosted connection: ask it, on the caller's behalf.
                var vif = await LoadAsync(context.GetCaller(), request.Region, request.Id, context.CancellationToken);
                var (limit, carrier) = vif.Value.HostedConnectionId.Length > 0
                    ? ((await HostedConnections.GetHostedConnectionAsync(new V1.GetHostedConnectionRequest { Region = request.Region, Id = vif.Value.HostedConnectionId },
                        ServiceChannels.OnBehalfOf(context))).BandwidthMbps, "hosted")
                    : ((await Connections.GetPhysicalConnectionAsync(new V1.GetPhysicalConnectionRequest { Region = request.Region, Id = vif.Value.PhysicalConnectionId },
                        ServiceChannels.OnBehalfOf(context))).BandwidthMbps, "physical");
                if (validation.Check(patch.BandwidthMbps <= limit, "virtual_interface.bandwidth_mbps",
                        $"must be at most the {carrier} connection's {limit} Mbit/s, got {patch.BandwidthMbps}"))
                {
                    bandwidth = patch.BandwidthMbps;
                }
            }
        }

        return await ChangeAsync(request, request.Region, request.Id, request.Etag, context, validation, "update", (vif, now) =>
            (vif with
            {
                Name = name ?? vif.Name,
                Description = description ?? vif.Description,
                BandwidthMbps = bandwidth ?? vif.BandwidthMbps,
                UpdateTime = now,
                ETag = ResourceIds.NewETag(),
            }, []));
    }

    /// <inheritdoc />
    public override Task<V1.VirtualInterface> DeleteVirtualInterface(V1.DeleteVirtualInterfaceRequest request, ServerCallContext context) =>
        ChangeAsync(request, request.Region, request.Id, request.Etag, context, new RequestValidation(), "delete", (vif, now) =>
        {
            var deleted = vif with { State = VirtualInterfaceState.Deleted, UpdateTime = now, ETag = ResourceIds.NewETag() };
            var message = VirtualInterfaceMapper.ToProto(deleted);
            return (deleted,
            [
                VirtualInterfaceMapper.StateChanged(message, VirtualInterfaceMapper.ToProto(vif.State), $"customer:{vif.AccountId}", "deleted"),
                VirtualInterfaceMapper.Deleted(vif, now),
            ]);
        });

    /// <inheritdoc />
    public override async Task<V1.ListVirtualInterfaceRoutesResponse> ListVirtualInterfaceRoutes(V1.ListVirtualInterfaceRoutesRequest request,
        ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = ValidateAddress(new RequestValidation(), request.Region, request.Id);
        var page = PageRequest.Parse(validation, request.PageSize, request.PageToken, $"{caller.AccountId}|{request.Region}|{request.Id}");
        validation.ThrowIfInvalid();
        var vif = (await LoadAsync(caller, request.Region, request.Id, context.CancellationToken)).Value;
        var response = new V1.ListVirtualInterfaceRoutesResponse();
        if (vif.DataPlane is not { } reported || vif.IsDeleted)
        {
            return response;
        }

        // Paged by a key that orders the received before the advertised, each by prefix.
        var routes = reported.ReceivedPrefixes.Order(StringComparer.Ordinal).Select(p => ("1 " + p, p, V1.VirtualInterfaceRoute.Types.Direction.Received))
            .Concat(reported.AdvertisedPrefixes.Order(StringComparer.Ordinal).Select(p => ("2 " + p, p, V1.VirtualInterfaceRoute.Types.Direction.Advertised)))
            .Where(r => page.After is null || string.CompareOrdinal(r.Item1, page.After) > 0)
            .ToArray();
        var taken = routes.Take(page.Size).ToArray();
        response.Routes.AddRange(taken.Select(r => new V1.VirtualInterfaceRoute { Prefix = r.Item2, Direction = r.Item3 }));
        response.NextPageToken = routes.Length > taken.Length ? PageToken.Encode(taken[^1].Item1, page.Query) : "";
        response.BgpState = reported.BgpState;
        response.ObserveTime = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(reported.ObservedAt);
        return response;
    }

    /// <inheritdoc />
    public override async Task<V1.RouterConfiguration> GetRouterConfiguration(V1.GetRouterConfigurationRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = ValidateAddress(new RequestValidation(), request.Region, request.Id);
        var vendor = request.Vendor switch
        {
            V1.RouterVendor.Frr => RouterVendorKind.Frr,
            V1.RouterVendor.CiscoIosXe => RouterVendorKind.CiscoIosXe,
            V1.RouterVendor.JuniperJunos => RouterVendorKind.JuniperJunos,
            V1.RouterVendor.HuaweiVrp => RouterVendorKind.HuaweiVrp,
            _ => (RouterVendorKind?)null,
        };
        validation.Check(vendor is not null, "vendor", "is required: ROUTER_VENDOR_FRR, ROUTER_VENDOR_CISCO_IOS_XE, ROUTER_VENDOR_JUNIPER_JUNOS or ROUTER_VENDOR_HUAWEI_VRP");
        // Empty keeps the vendor's placeholder port. The name goes verbatim into the configuration, so it is
        // checked here, as the caller's input, before the renderer would refuse it as an unusable stored value.
        var parent = request.Interface.Length == 0 ? null : request.Interface;
        if (parent is not null && vendor is not null && RouterInterfaceName.Problem(vendor.Value, parent) is { } problem)
        {
            validation.Add("interface", problem);
        }

        validation.ThrowIfInvalid();

        var vif = (await LoadAsync(caller, request.Region, request.Id, context.CancellationToken)).Value;
        if (vif.IsDeleted)
        {
            throw DomainException.WrongState(ResourceType, vif.Id, "STATE_DELETED", "render the router configuration of");
        }

        // Only with the interface's VLAN is the sub-interface name known (FRR: at most 15 characters).
        if (parent is not null && RouterInterfaceName.Problem(vendor!.Value, parent, vif.Vlan) is { } subInterfaceProblem)
        {
            new RequestValidation().Add("interface", subInterfaceProblem).ThrowIfInvalid();
        }

        // The MD5 key is write-only (DOMAIN.md): the configuration carries a placeholder where the customer puts their key.
        var peering = new RouterPeering(vif.Id, vif.Vlan, vif.Bgp.CustomerAddress, vif.Bgp.CloudAddress, vif.Bgp.CustomerAsn, vif.Bgp.CloudAsn,
            vif.Bgp.SealedAuthKey is null ? null : RouterConfigurationRenderer.AuthKeyPlaceholder, vif.IdcPrefixes, parent);
        return new V1.RouterConfiguration { Vendor = request.Vendor, Content = RouterConfigurationRenderer.RenderStored(vendor!.Value, peering) };
    }

    private V1.PhysicalConnectionService.PhysicalConnectionServiceClient Connections => new(services.For("PhysicalConnections"));

    private V1.HostedConnectionService.HostedConnectionServiceClient HostedConnections => new(services.For("PhysicalConnections"));

    private V1.BorderGatewayService.BorderGatewayServiceClient Gateways => new(services.For("BorderGateways"));

    /// <summary>Reads another service's resource; a malformed id was already reported, NOT_FOUND becomes a violation of the field.</summary>
    private static async Task<T?> FetchAsync<T>(RequestValidation validation, string field, string id, string prefix, Func<string, Task<T>> get)
        where T : class
    {
        if (!ResourceIds.IsWellFormed(id, prefix))
        {
            return null;
        }

        try
        {
            return await get(id);
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.NotFound)
        {
            validation.Add(field, $"'{id}' does not exist in this region for this account");
            return null;
        }
    }

    private static void RequireAvailable(bool available, string resourceType, string id, string state)
    {
        if (!available)
        {
            throw DomainException.WrongState(resourceType, id, state, "create a virtual interface on");
        }
    }

    private async Task<V1.VirtualInterface> ChangeAsync(Google.Protobuf.IMessage request, string region, string id, string etag, ServerCallContext context,
        RequestValidation validation, string operation, Func<VirtualInterface, DateTimeOffset, (VirtualInterface After, List<OutgoingEvent> Events)> decide)
    {
        var caller = context.GetCaller();
        ValidateAddress(validation, region, id);
        var requestId = ProtobufTransactions.RequestIdOf(request, $"virtual-interfaces/{operation}", caller, validation);
        validation.ThrowIfInvalid();
        var result = await transactions.RunAsync(requestId, async cancellationToken =>
        {
            var stored = await LoadAsync(caller, region, id, cancellationToken);
            if (!string.IsNullOrEmpty(etag) && etag != stored.Value.ETag)
            {
                throw DomainException.StaleETag(ResourceType, id);
            }

            if (stored.Value.IsDeleted)
            {
                throw DomainException.WrongState(ResourceType, id, "STATE_DELETED", operation);
            }

            var (after, events) = decide(stored.Value, clock.GetUtcNow());
            List<StateOperation> operations = [VirtualInterfaceStore.Put(after, stored.Unchanged)];
            if (after.IsDeleted)
            {
                // A deleted interface no longer counts against its account's quota.
                var (usage, usageUnchanged) = await store.GetUsageAsync(after.AccountId, after.Region, cancellationToken);
                operations.Add(VirtualInterfaceStore.PutUsage(after.AccountId, after.Region,
                    usage with { Interfaces = Math.Max(0, usage.Interfaces - 1) }, usageUnchanged));
                if (after.RouterId is not null)
                {
                    // Its router's agent removes its configuration: the feed changes in the delete's own transaction.
                    var (feed, feedUnchanged) = await store.GetRouterFeedAsync(after.RouterId, cancellationToken);
                    operations.Add(VirtualInterfaceStore.PutRouterFeed(after.RouterId, feed.Removed(after.Id), feedUnchanged));
                }
            }

            return new TransactionPlan<V1.VirtualInterface>(operations, events, VirtualInterfaceMapper.ToProto(after));
        }, V1.VirtualInterface.Parser, $"virtual interface {id}", context.CancellationToken);
        routerFeeds.Pulse();
        return result;
    }

    private RequestValidation ValidateAddress(RequestValidation validation, string region, string id) =>
        regions.ValidateAddress(validation, region, id, VirtualInterface.IdPrefix, "a virtual interface");

    private async Task<Versioned<VirtualInterface>> LoadAsync(Caller caller, string region, string id, CancellationToken cancellationToken)
    {
        return caller.Visible(await store.GetAsync(id, cancellationToken), region, ResourceType, id);
    }
}
