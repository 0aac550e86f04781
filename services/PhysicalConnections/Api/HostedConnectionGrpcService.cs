using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Paging;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;
using DirectConnect.PhysicalConnections.Application;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;
using Grpc.Core;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.PhysicalConnections.Api;

/// <summary>
/// <c>directconnect.v1.HostedConnectionService</c>: validates at the edge and delegates to <see cref="HostedConnections"/>;
/// each answer is mapped for its viewer (<see cref="HostedConnectionMapper"/>): the customer never sees the partner's line
/// or account, only its name.
/// </summary>
public sealed class HostedConnectionGrpcService(HostedConnections hosted, HostedConnectionStore store, RegionCatalog regions)
    : V1.HostedConnectionService.HostedConnectionServiceBase
{
    /// <inheritdoc />
    public override async Task<V1.HostedConnection> AllocateHostedConnection(V1.AllocateHostedConnectionRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        var spec = request.HostedConnection;
        if (validation.Check(spec is not null, "hosted_connection", "is required"))
        {
            validation.Check(ResourceIds.IsWellFormed(spec!.PhysicalConnectionId, PhysicalConnection.IdPrefix), "hosted_connection.physical_connection_id",
                string.IsNullOrEmpty(spec.PhysicalConnectionId) ? "is required" : $"is not a physical connection id (expected {PhysicalConnection.IdPrefix}…)");
            HostedBandwidth.Validate(validation, "hosted_connection.", spec.AccountId, caller.AccountId, spec.Vlan, spec.BandwidthMbps);
        }

        var requestId = ProtobufTransactions.RequestIdOf(request, "hosted-connections/allocate", caller, validation);
        validation.ThrowIfInvalid();
        var allocated = await hosted.AllocateAsync(caller.AccountId, request.Region, spec!.PhysicalConnectionId, spec.AccountId, spec.Vlan,
            spec.BandwidthMbps, Actor(caller), requestId, context.CancellationToken);
        return HostedConnectionMapper.ToProto(allocated, caller);
    }

    /// <inheritdoc />
    public override async Task<V1.HostedConnection> GetHostedConnection(V1.GetHostedConnectionRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        ValidateAddress(new RequestValidation(), request.Region, request.Id).ThrowIfInvalid();
        var stored = HostedConnections.Visible(caller, await store.GetAsync(request.Id, context.CancellationToken), request.Region, request.Id);
        return HostedConnectionMapper.ToProto(stored.Value, caller);
    }

    /// <inheritdoc />
    public override async Task<V1.ListHostedConnectionsResponse> ListHostedConnections(V1.ListHostedConnectionsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        var line = request.PhysicalConnectionId;
        validation.Check(line.Length == 0 || ResourceIds.IsWellFormed(line, PhysicalConnection.IdPrefix), "physical_connection_id",
            $"is not a physical connection id (expected {PhysicalConnection.IdPrefix}…)");
        // A partner lists what it allocated; anyone else what its account holds.
        var asPartner = caller.Roles.Contains(Role.Partner);
        var page = PageRequest.Parse(validation, request.PageSize, request.PageToken,
            $"{caller.AccountId}|{asPartner}|{request.Region}|{line}|{request.ShowDeleted}");
        validation.ThrowIfInvalid();

        var index = asPartner
            ? await store.GetPartnerIndexAsync(caller.AccountId, request.Region, context.CancellationToken)
            : await store.GetCustomerIndexAsync(caller.AccountId, request.Region, context.CancellationToken);
        var result = await IndexPager.PageAsync(index, page, ids => store.GetManyAsync(ids, context.CancellationToken),
            h => (request.ShowDeleted || h.HoldsLine) && (line.Length == 0 || h.PhysicalConnectionId == line),
            h => h.Id);
        var response = new V1.ListHostedConnectionsResponse { NextPageToken = result.NextPageToken };
        response.HostedConnections.AddRange(result.Items.Select(h => HostedConnectionMapper.ToProto(h, caller)));
        return response;
    }

    /// <inheritdoc />
    public override Task<V1.HostedConnection> AcceptHostedConnection(V1.AcceptHostedConnectionRequest request, ServerCallContext context) =>
        ChangeAsync(request, request.Region, request.Id, context, "accept", hosted.AcceptAsync);

    /// <inheritdoc />
    public override Task<V1.HostedConnection> DeclineHostedConnection(V1.DeclineHostedConnectionRequest request, ServerCallContext context) =>
        ChangeAsync(request, request.Region, request.Id, context, "decline", hosted.DeclineAsync);

    /// <inheritdoc />
    public override Task<V1.HostedConnection> DeleteHostedConnection(V1.DeleteHostedConnectionRequest request, ServerCallContext context) =>
        ChangeAsync(request, request.Region, request.Id, context, "delete", hosted.DeleteAsync);

    private delegate Task<HostedConnection> Change(Caller caller, string region, string id, string etag, string actor, Platform.Idempotency.RequestId? requestId,
        CancellationToken cancellationToken);

    private async Task<V1.HostedConnection> ChangeAsync(Google.Protobuf.IMessage request, string region, string id, ServerCallContext context, string verb,
        Change change)
    {
        var caller = context.GetCaller();
        var validation = ValidateAddress(new RequestValidation(), region, id);
        var requestId = ProtobufTransactions.RequestIdOf(request, $"hosted-connections/{verb}", caller, validation);
        validation.ThrowIfInvalid();
        var etag = (string)request.Descriptor.FindFieldByName("etag").Accessor.GetValue(request);
        return HostedConnectionMapper.ToProto(await change(caller, region, id, etag, Actor(caller), requestId, context.CancellationToken), caller);
    }

    private RequestValidation ValidateAddress(RequestValidation validation, string region, string id) =>
        regions.ValidateAddress(validation, region, id, HostedConnection.IdPrefix, "a hosted connection");

    /// <summary>Who did it, as history and events record it.</summary>
    private static string Actor(Caller caller) =>
        $"{(caller.IsOperator ? Role.Operator : caller.Roles.Contains(Role.Partner) ? Role.Partner : Role.Customer)}:{caller.AccountId}";
}
