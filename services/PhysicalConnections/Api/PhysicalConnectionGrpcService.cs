using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Paging;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.PhysicalConnections.Api;

/// <summary>
/// <c>directconnect.v1.PhysicalConnectionService</c>: validates at the edge, decides in the domain,
/// and commits each change with its event in one optimistic transaction. The lifecycle
/// transitions, the LOA and reservations arrive with the physical-connections issue; until then
/// they answer UNIMPLEMENTED (the generated base).
/// </summary>
public sealed class PhysicalConnectionGrpcService(
    PhysicalConnectionStore store,
    OptimisticTransaction transactions,
    RegionCatalog regions,
    TimeProvider clock) : V1.PhysicalConnectionService.PhysicalConnectionServiceBase
{
    private const string ResourceType = "PhysicalConnection";
    private static readonly string[] UpdatableFields = ["name", "description"];

    /// <inheritdoc />
    public override async Task<V1.PhysicalConnection> CreatePhysicalConnection(V1.CreatePhysicalConnectionRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        PhysicalConnectionSpec? spec = null;
        if (validation.Check(request.PhysicalConnection is not null, "physical_connection", "is required"))
        {
            spec = PhysicalConnectionMapper.ToSpec(request.PhysicalConnection!);
            if (request.PhysicalConnection!.PortSpeed != V1.PortSpeed.Unspecified && spec.PortSpeed is null)
            {
                validation.Add("physical_connection.port_speed", $"unknown port speed {(int)request.PhysicalConnection.PortSpeed}");
            }

            spec.Validate(validation, "physical_connection.");
        }

        var requestId = ProtobufTransactions.RequestIdOf(request, "physical-connections/create", caller, validation);
        validation.ThrowIfInvalid();

        return await transactions.RunAsync(requestId, async cancellationToken =>
        {
            var (index, indexUnchanged) = await store.GetIndexAsync(caller.AccountId, request.Region, cancellationToken);
            var connection = PhysicalConnection.Order(ResourceIds.New(PhysicalConnection.IdPrefix), caller.AccountId,
                request.Region, spec!, caller.AccountId, clock.GetUtcNow(), ResourceIds.NewETag());
            var message = PhysicalConnectionMapper.ToProto(connection);
            return new TransactionPlan<V1.PhysicalConnection>(
                [
                    PhysicalConnectionStore.Put(connection, ETagCondition.MustNotExist),
                    PhysicalConnectionStore.PutIndex(caller.AccountId, request.Region, index.With(connection.Id), indexUnchanged),
                ],
                [PhysicalConnectionEvents.Created(message)],
                message);
        }, V1.PhysicalConnection.Parser, "the account's physical connections", context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<V1.PhysicalConnection> GetPhysicalConnection(V1.GetPhysicalConnectionRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        ValidateAddress(request.Region, request.Id);
        var stored = await LoadAsync(caller, request.Region, request.Id, context.CancellationToken);
        return PhysicalConnectionMapper.ToProto(stored.Value);
    }

    /// <inheritdoc />
    public override async Task<V1.ListPhysicalConnectionsResponse> ListPhysicalConnections(V1.ListPhysicalConnectionsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        var pageSize = PageToken.EffectiveSize(request.PageSize);
        validation.Check(pageSize is not null, "page_size", $"must be between 0 and {PageToken.MaxPageSize} (0 means {PageToken.DefaultPageSize})");
        var stateFilter = PhysicalConnectionMapper.ToDomain(request.State);
        validation.Check(request.State == V1.PhysicalConnection.Types.State.Unspecified || stateFilter is not null, "state",
            $"unknown state {(int)request.State}");
        var query = $"{caller.AccountId}|{request.Region}|{request.State}|{request.ShowDeleted}";
        string? after = null;
        if (!string.IsNullOrEmpty(request.PageToken))
        {
            validation.Check(PageToken.TryDecode(request.PageToken, query, out var lastId), "page_token",
                "is not a token returned by this list with the same region and filters");
            after = lastId;
        }

        validation.ThrowIfInvalid();

        var (index, _) = await store.GetIndexAsync(caller.AccountId, request.Region, context.CancellationToken);
        var response = new V1.ListPhysicalConnectionsResponse();
        var remaining = index.After(after).ToList();
        var size = pageSize!.Value;
        while (remaining.Count > 0 && response.PhysicalConnections.Count < size)
        {
            var chunk = remaining.Take(size).ToArray();
            remaining.RemoveRange(0, chunk.Length);
            foreach (var connection in await store.GetManyAsync(chunk, context.CancellationToken))
            {
                if ((request.ShowDeleted || !connection.IsDeleted) && (stateFilter is null || connection.State == stateFilter))
                {
                    response.PhysicalConnections.Add(PhysicalConnectionMapper.ToProto(connection));
                    if (response.PhysicalConnections.Count == size)
                    {
                        // Rewind to just after the last one returned, whatever the chunk held beyond it.
                        remaining = index.After(connection.Id).ToList();
                        break;
                    }
                }
            }
        }

        if (remaining.Count > 0 && response.PhysicalConnections.Count > 0)
        {
            response.NextPageToken = PageToken.Encode(response.PhysicalConnections[^1].Id, query);
        }

        return response;
    }

    /// <inheritdoc />
    public override async Task<V1.PhysicalConnection> UpdatePhysicalConnection(V1.UpdatePhysicalConnectionRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        ValidateAddress(validation, request.Region, request.Id);
        string? name = null, description = null;
        if (validation.Check(request.PhysicalConnection is not null, "physical_connection", "is required"))
        {
            var patch = request.PhysicalConnection!;
            var paths = UpdatePaths(request.UpdateMask, patch, validation);
            if (paths.Contains("name"))
            {
                PhysicalConnectionSpec.ValidateName(validation, "physical_connection.name", patch.Name);
                name = patch.Name;
            }

            if (paths.Contains("description"))
            {
                PhysicalConnectionSpec.ValidateDescription(validation, "physical_connection.description", patch.Description);
                description = patch.Description;
            }
        }

        var requestId = ProtobufTransactions.RequestIdOf(request, "physical-connections/update", caller, validation);
        validation.ThrowIfInvalid();

        return await transactions.RunAsync(requestId, async cancellationToken =>
        {
            var stored = await LoadForChangeAsync(caller, request.Region, request.Id, request.Etag, "update", cancellationToken);
            var updated = stored.Value.Describe(name, description, clock.GetUtcNow(), ResourceIds.NewETag());
            var message = PhysicalConnectionMapper.ToProto(updated);
            return new TransactionPlan<V1.PhysicalConnection>(
                [PhysicalConnectionStore.Put(updated, stored.Unchanged)],
                [PhysicalConnectionEvents.Updated(message, FieldMask.FromStringEnumerable<V1.PhysicalConnection>(
                    UpdatableFields.Where(f => (f == "name" && name is not null) || (f == "description" && description is not null))))],
                message);
        }, V1.PhysicalConnection.Parser, $"physical connection {request.Id}", context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<V1.PhysicalConnection> DeletePhysicalConnection(V1.DeletePhysicalConnectionRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        ValidateAddress(validation, request.Region, request.Id);
        var requestId = ProtobufTransactions.RequestIdOf(request, "physical-connections/delete", caller, validation);
        validation.ThrowIfInvalid();

        return await transactions.RunAsync(requestId, async cancellationToken =>
        {
            var stored = await LoadForChangeAsync(caller, request.Region, request.Id, request.Etag, "delete", cancellationToken);
            if (stored.Value.VirtualInterfaceIds.Count > 0)
            {
                throw InUse(stored.Value);
            }

            var deleted = stored.Value.Enter(PhysicalConnectionState.Deleted, caller.AccountId, "deleted", clock.GetUtcNow(), ResourceIds.NewETag());
            var message = PhysicalConnectionMapper.ToProto(deleted);
            return new TransactionPlan<V1.PhysicalConnection>(
                [PhysicalConnectionStore.Put(deleted, stored.Unchanged)],
                [
                    PhysicalConnectionEvents.StateChanged(message, PhysicalConnectionMapper.ToProto(stored.Value.State)),
                    PhysicalConnectionEvents.Deleted(message),
                ],
                message);
        }, V1.PhysicalConnection.Parser, $"physical connection {request.Id}", context.CancellationToken);
    }

    private void ValidateAddress(string region, string id)
    {
        var validation = new RequestValidation();
        ValidateAddress(validation, region, id);
        validation.ThrowIfInvalid();
    }

    private void ValidateAddress(RequestValidation validation, string region, string id)
    {
        regions.Validate(validation, region);
        validation.Check(ResourceIds.IsWellFormed(id, PhysicalConnection.IdPrefix), "id",
            string.IsNullOrEmpty(id) ? "is required" : $"is not a physical connection id (expected {PhysicalConnection.IdPrefix}…)");
    }

    /// <summary>The connection if it exists in <paramref name="region"/> and the caller may see it; NOT_FOUND otherwise.</summary>
    private async Task<Versioned<PhysicalConnection>> LoadAsync(Caller caller, string region, string id, CancellationToken cancellationToken)
    {
        var stored = await store.GetAsync(id, cancellationToken);
        return stored is not null && stored.Value.Region == region && caller.CanAccess(stored.Value.AccountId)
            ? stored
            : throw DomainException.NotFound(ResourceType, id);
    }

    /// <summary>As <see cref="LoadAsync"/>, and the connection is not deleted and matches the client's etag, if it sent one.</summary>
    private async Task<Versioned<PhysicalConnection>> LoadForChangeAsync(Caller caller, string region, string id, string etag,
        string operation, CancellationToken cancellationToken)
    {
        var stored = await LoadAsync(caller, region, id, cancellationToken);
        if (!string.IsNullOrEmpty(etag) && !string.Equals(etag, stored.Value.ETag, StringComparison.Ordinal))
        {
            throw DomainException.StaleETag(ResourceType, id);
        }

        return stored.Value.IsDeleted
            ? throw DomainException.WrongState(ResourceType, id, PhysicalConnectionMapper.WireName(stored.Value.State), operation)
            : stored;
    }

    /// <summary>The fields an update changes (AIP-134): the mask's paths, or every updatable field the patch sets when there is no mask.</summary>
    private static HashSet<string> UpdatePaths(FieldMask? mask, V1.PhysicalConnection patch, RequestValidation validation)
    {
        if (mask is null || mask.Paths.Count == 0)
        {
            var implied = new HashSet<string>(StringComparer.Ordinal);
            if (patch.Name.Length > 0)
            {
                implied.Add("name");
            }

            if (patch.Description.Length > 0)
            {
                implied.Add("description");
            }

            validation.Check(implied.Count > 0, "update_mask", $"names nothing to update (updatable: {string.Join(", ", UpdatableFields)})");
            return implied;
        }

        if (mask.Paths is ["*"])
        {
            return [.. UpdatableFields];
        }

        foreach (var path in mask.Paths.Where(p => !UpdatableFields.Contains(p)))
        {
            validation.Add("update_mask", $"'{path}' cannot be updated (updatable: {string.Join(", ", UpdatableFields)})");
        }

        return mask.Paths.ToHashSet(StringComparer.Ordinal);
    }

    private static DomainException InUse(PhysicalConnection connection) =>
        new(ErrorCode.FailedPrecondition, "PHYSICAL_CONNECTION_IN_USE",
            $"Physical connection '{connection.Id}' is used by virtual interfaces {string.Join(", ", connection.VirtualInterfaceIds)}; delete them first.")
        {
            Resource = new ResourceReference(ResourceType, connection.Id),
            PreconditionViolations = connection.VirtualInterfaceIds
                .Select(v => new PreconditionViolation("VIRTUAL_INTERFACE", v, $"virtual interface {v} uses this physical connection"))
                .ToArray(),
        };
}
