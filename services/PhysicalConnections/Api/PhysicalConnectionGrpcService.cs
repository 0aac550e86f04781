using System.Globalization;
using System.Runtime.CompilerServices;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Paging;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;
using DirectConnect.PhysicalConnections.Application;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Loa;
using DirectConnect.PhysicalConnections.Storage;
using HttpBody = Google.Api.HttpBody;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.PhysicalConnections.Api;

/// <summary>
/// <c>directconnect.v1.PhysicalConnectionService</c>: validates at the edge, decides in the domain,
/// and commits each change with its events in one optimistic transaction: the lifecycle, port
/// allocation on payment, the port's release on delete, the quota, and the LOA-CFA. Reservations
/// by virtual interfaces are the internal API's (<see cref="PhysicalConnectionReservationGrpcService"/>).
/// </summary>
public sealed class PhysicalConnectionGrpcService(
    PhysicalConnectionStore store,
    InventoryStore inventory,
    PortAllocator allocator,
    OptimisticTransaction transactions,
    ConnectionOrders orders,
    StripedLock hotDocuments,
    RegionCatalog regions,
    TimeProvider clock) : V1.PhysicalConnectionService.PhysicalConnectionServiceBase
{
    private const string ResourceType = "PhysicalConnection";
    private static readonly string[] UpdatableFields = ["name", "description"];

    // A connection read again unchanged is the same parsed value (ParsedDocuments): its message is built once and lives as long
    // as that value. Get hands the message to the transport, which only serializes it.
    private static readonly ConditionalWeakTable<PhysicalConnection, V1.PhysicalConnection> Messages = new();

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
        await inventory.RequireLocationAsync(request.Region, spec!.LocationId, "physical_connection.location_id", context.CancellationToken);

        // Every create in the region appends to the head of its index: orders are committed in batches per region (group commit).
        var connection = PhysicalConnection.Order(ResourceIds.New(PhysicalConnection.IdPrefix), caller.AccountId,
            request.Region, spec, Actor(caller), clock.GetUtcNow(), ResourceIds.NewETag());
        var message = PhysicalConnectionMapper.ToProto(connection);
        return await orders.PlaceAsync(new ConnectionOrder(connection, message, PhysicalConnectionEvents.Created(message)), requestId, context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<V1.PhysicalConnection> GetPhysicalConnection(V1.GetPhysicalConnectionRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        ValidateAddress(request.Region, request.Id);
        var stored = await LoadAsync(caller, request.Region, request.Id, context.CancellationToken);
        return Messages.GetValue(stored.Value, PhysicalConnectionMapper.ToProto);
    }

    /// <inheritdoc />
    public override async Task<V1.ListPhysicalConnectionsResponse> ListPhysicalConnections(V1.ListPhysicalConnectionsRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        var stateFilter = PhysicalConnectionMapper.ToDomain(request.State);
        validation.Check(request.State == V1.PhysicalConnection.Types.State.Unspecified || stateFilter is not null, "state",
            $"unknown state {(int)request.State}");
        // Operators review every account's connections in the region; customers see their own.
        var scope = caller.IsOperator ? "*" : caller.AccountId;
        var page = PageRequest.Parse(validation, request.PageSize, request.PageToken,
            $"{scope}|{request.Region}|{request.State}|{request.ShowDeleted}");
        validation.ThrowIfInvalid();

        var index = caller.IsOperator
            ? await store.GetRegionIndexAsync(request.Region, context.CancellationToken)
            : await store.GetIndexAsync(caller.AccountId, request.Region, context.CancellationToken);
        var result = await IndexPager.PageAsync(index, page,
            ids => store.GetManyAsync(ids, context.CancellationToken),
            c => (request.ShowDeleted || !c.IsDeleted) && (stateFilter is null || c.State == stateFilter),
            c => c.Id);
        var response = new V1.ListPhysicalConnectionsResponse { NextPageToken = result.NextPageToken };
        response.PhysicalConnections.AddRange(result.Items.Select(PhysicalConnectionMapper.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override Task<V1.PhysicalConnection> UpdatePhysicalConnection(V1.UpdatePhysicalConnectionRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation();
        string? name = null, description = null;
        if (validation.Check(request.PhysicalConnection is not null, "physical_connection", "is required"))
        {
            var patch = request.PhysicalConnection!;
            var paths = UpdateMasks.Paths(request.UpdateMask, UpdatableFields, validation,
                f => f == "name" ? patch.Name.Length > 0 : patch.Description.Length > 0);
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

        return ChangeAsync(request, request.Region, request.Id, request.Etag, PhysicalConnectionOperation.Update, context, ownerOnly: false,
            (_, stored, now, _) =>
            {
                var updated = stored.Value.Describe(name, description, now, ResourceIds.NewETag());
                var mask = FieldMask.FromStringEnumerable<V1.PhysicalConnection>(
                    UpdatableFields.Where(f => (f == "name" && name is not null) || (f == "description" && description is not null)));
                return Task.FromResult((updated,
                    new List<StateOperation> { PhysicalConnectionStore.Put(updated, stored.Unchanged) },
                    new List<OutgoingEvent> { PhysicalConnectionEvents.Updated(PhysicalConnectionMapper.ToProto(updated), mask) }));
            },
            validation);
    }

    /// <inheritdoc />
    public override Task<V1.PhysicalConnection> DeletePhysicalConnection(V1.DeletePhysicalConnectionRequest request, ServerCallContext context) =>
        ChangeAsync(request, request.Region, request.Id, request.Etag, PhysicalConnectionOperation.Delete, context, ownerOnly: false,
            async (caller, stored, now, cancellationToken) =>
            {
                var connection = stored.Value;
                if (connection.Dependants.Count > 0)
                {
                    throw InUse(connection);
                }

                var deleted = connection.Delete(Actor(caller), now, ResourceIds.NewETag());
                var (releaseOperations, releaseEvents) = await allocator.ReleaseAsync(connection, cancellationToken);
                var operations = new List<StateOperation> { PhysicalConnectionStore.Put(deleted, stored.Unchanged) };
                operations.AddRange(releaseOperations);
                if (connection.CountsAgainstQuota)
                {
                    operations.Add(await ReleaseQuotaAsync(connection, cancellationToken));
                }

                var message = PhysicalConnectionMapper.ToProto(deleted);
                return (deleted, operations, [.. releaseEvents, PhysicalConnectionEvents.Deleted(message)]);
            });

    /// <inheritdoc />
    public override Task<V1.PhysicalConnection> ApprovePhysicalConnection(V1.ApprovePhysicalConnectionRequest request, ServerCallContext context) =>
        ChangeAsync(request, request.Region, request.Id, request.Etag, PhysicalConnectionOperation.Approve, context, ownerOnly: false,
            (caller, stored, now, _) => Transition(stored, PhysicalConnectionState.PendingPayment, caller, "approved; awaiting payment", now));

    /// <inheritdoc />
    public override Task<V1.PhysicalConnection> RejectPhysicalConnection(V1.RejectPhysicalConnectionRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation();
        validation.RequireText(request.Reason, "reason", 512);
        return ChangeAsync(request, request.Region, request.Id, request.Etag, PhysicalConnectionOperation.Reject, context, ownerOnly: false,
            async (caller, stored, now, cancellationToken) =>
            {
                var (rejected, operations, events) = await Transition(stored, PhysicalConnectionState.Rejected, caller, request.Reason, now);
                return (rejected, [.. operations, await ReleaseQuotaAsync(stored.Value, cancellationToken)], events);
            }, validation);
    }

    /// <inheritdoc />
    public override async Task<V1.PhysicalConnection> RecordPhysicalConnectionPayment(V1.RecordPhysicalConnectionPaymentRequest request, ServerCallContext context)
    {
        // Payers of one pool take turns in this process, so they do not lose ETag races to each
        // other; other processes are still kept out by the ETags.
        var poolKey = ResourceIds.IsWellFormed(request.Id, PhysicalConnection.IdPrefix)
            && await store.GetAsync(request.Id, context.CancellationToken) is { } known
                ? PortAllocator.PoolKey(known.Value)
                : request.Id;
        using var turn = await hotDocuments.AcquireAsync(poolKey, context.CancellationToken);
        return await ChangeAsync(request, request.Region, request.Id, request.Etag, PhysicalConnectionOperation.RecordPayment, context, ownerOnly: false,
            async (caller, stored, now, cancellationToken) =>
            {
                var paid = stored.Value.Enter(PhysicalConnectionState.UnderConstruction, Actor(caller), "payment recorded", now, ResourceIds.NewETag())
                    with { PaymentTime = now };
                var plan = await allocator.AllocateOrQueueAsync(paid, stored.Unchanged, cancellationToken);
                return (plan.Connection, plan.Operations.ToList(), plan.Events.ToList());
            });
    }

    /// <inheritdoc />
    public override Task<V1.PhysicalConnection> CompletePhysicalConnectionConstruction(V1.CompletePhysicalConnectionConstructionRequest request, ServerCallContext context) =>
        ChangeAsync(request, request.Region, request.Id, request.Etag, PhysicalConnectionOperation.CompleteConstruction, context, ownerOnly: false,
            (caller, stored, now, _) => stored.Value.Port is null
                ? throw new DomainException(ErrorCode.FailedPrecondition, "PORT_NOT_ALLOCATED",
                    $"Physical connection '{stored.Value.Id}' is still waiting for a port; construction cannot be complete.")
                {
                    Resource = new ResourceReference(ResourceType, stored.Value.Id),
                    PreconditionViolations = [new PreconditionViolation("PORT", $"{ResourceType}/{stored.Value.Id}", "no port is allocated yet")],
                }
                : Transition(stored, PhysicalConnectionState.AwaitingConfirmation, caller, "construction complete; awaiting the customer's confirmation", now));

    /// <inheritdoc />
    public override Task<V1.PhysicalConnection> ConfirmPhysicalConnection(V1.ConfirmPhysicalConnectionRequest request, ServerCallContext context) =>
        ChangeAsync(request, request.Region, request.Id, request.Etag, PhysicalConnectionOperation.Confirm, context, ownerOnly: true,
            (caller, stored, now, _) => Transition(stored, PhysicalConnectionState.Available, caller, "confirmed by the customer", now));

    /// <inheritdoc />
    public override async Task<HttpBody> GetPhysicalConnectionLoa(V1.GetPhysicalConnectionLoaRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        ValidateAddress(request.Region, request.Id);
        var connection = (await LoadAsync(caller, request.Region, request.Id, context.CancellationToken)).Value;
        if (connection.Port is not { } port || connection.IsDeleted)
        {
            throw new DomainException(ErrorCode.FailedPrecondition, "PORT_NOT_ALLOCATED",
                $"Physical connection '{connection.Id}' has no allocated port, so there is no LOA-CFA yet (it is issued once payment is recorded and a port is allocated).")
            {
                Resource = new ResourceReference(ResourceType, connection.Id),
                PreconditionViolations = [new PreconditionViolation("PORT", $"{ResourceType}/{connection.Id}", "no port is allocated")],
            };
        }

        var location = (await inventory.GetLocationAsync(connection.LocationId, context.CancellationToken))?.Value;
        var device = (await inventory.GetDeviceAsync(port.AccessDeviceId, context.CancellationToken))?.Value;
        var pdf = LoaDocument.Render(new LoaContent(
            connection.AccountId, connection.Id, connection.Name, connection.Region, connection.LocationId,
            location?.Code ?? "", location?.Name ?? "", location?.Address ?? "",
            port.AccessDeviceId, device?.Name ?? "", port.PortName, PhysicalConnectionMapper.ToProto(connection.PortSpeed).ToString().TrimStart('_'),
            connection.BandwidthMbps, connection.Provider, clock.GetUtcNow()));
        return new HttpBody { ContentType = "application/pdf", Data = ByteString.CopyFrom(pdf) };
    }

    /// <summary>
    /// The shape of every change to one connection: validate the address and request id, then in an
    /// optimistic transaction load it (NOT_FOUND for other accounts), check the client's etag and the
    /// state machine, let <paramref name="decide"/> plan the writes, and publish the state change.
    /// </summary>
    private async Task<V1.PhysicalConnection> ChangeAsync(
        IMessage request,
        string region,
        string id,
        string etag,
        PhysicalConnectionOperation operation,
        ServerCallContext context,
        bool ownerOnly,
        Func<Caller, Versioned<PhysicalConnection>, DateTimeOffset, CancellationToken, Task<(PhysicalConnection After, List<StateOperation> Operations, List<OutgoingEvent> Events)>> decide,
        RequestValidation? validation = null)
    {
        var method = request.Descriptor.Name.Replace("Request", "", StringComparison.Ordinal);
        // Roles are enforced before this runs, from the method's declared access (MethodAccess, asked by ErrorInterceptor).
        var caller = context.GetCaller();
        validation ??= new RequestValidation();
        ValidateAddress(validation, region, id);
        var requestId = ProtobufTransactions.RequestIdOf(request, $"physical-connections/{operation}", caller, validation);
        validation.ThrowIfInvalid();

        return await transactions.RunAsync(requestId, async cancellationToken =>
        {
            var stored = await LoadAsync(caller, region, id, cancellationToken);
            var before = stored.Value;
            if (!string.IsNullOrEmpty(etag) && !string.Equals(etag, before.ETag, StringComparison.Ordinal))
            {
                throw DomainException.StaleETag(ResourceType, id);
            }

            // Only the owning account may confirm its line: operators see it but cannot accept it for the customer.
            if (ownerOnly && !string.Equals(caller.AccountId, before.AccountId, StringComparison.Ordinal))
            {
                throw DomainException.RoleRequired("owner", method);
            }

            if (!PhysicalConnectionStateMachine.Allows(before, operation))
            {
                throw DomainException.WrongState(ResourceType, id, PhysicalConnectionMapper.WireName(before.State), OperationVerb(operation));
            }

            var (after, operations, events) = await decide(caller, stored, clock.GetUtcNow(), cancellationToken);
            var message = PhysicalConnectionMapper.ToProto(after);
            if (after.State != before.State)
            {
                events.Insert(0, PhysicalConnectionEvents.StateChanged(message, PhysicalConnectionMapper.ToProto(before.State)));
            }

            return new TransactionPlan<V1.PhysicalConnection>(operations, events, message);
        }, V1.PhysicalConnection.Parser, $"physical connection {id}", context.CancellationToken);
    }

    private static Task<(PhysicalConnection, List<StateOperation>, List<OutgoingEvent>)> Transition(
        Versioned<PhysicalConnection> stored, PhysicalConnectionState target, Caller caller, string reason, DateTimeOffset now)
    {
        var after = stored.Value.Enter(target, Actor(caller), reason, now, ResourceIds.NewETag());
        return Task.FromResult((after, new List<StateOperation> { PhysicalConnectionStore.Put(after, stored.Unchanged) }, new List<OutgoingEvent>()));
    }

    private async Task<StateOperation> ReleaseQuotaAsync(PhysicalConnection connection, CancellationToken cancellationToken)
    {
        var (usage, usageUnchanged) = await store.GetUsageAsync(connection.AccountId, connection.Region, cancellationToken);
        return PhysicalConnectionStore.PutUsage(connection.AccountId, connection.Region, new AccountUsage(Math.Max(0, usage.Connections - 1)), usageUnchanged);
    }

    /// <summary>Who did it, as history and events record it.</summary>
    private static string Actor(Caller caller) => $"{(caller.IsOperator ? Role.Operator : Role.Customer)}:{caller.AccountId}";

    private static string OperationVerb(PhysicalConnectionOperation operation) => operation switch
    {
        PhysicalConnectionOperation.RecordPayment => "record payment for",
        PhysicalConnectionOperation.CompleteConstruction => "complete construction of",
        _ => operation.ToString().ToLowerInvariant(),
    };

    private void ValidateAddress(string region, string id)
    {
        var validation = new RequestValidation();
        ValidateAddress(validation, region, id);
        validation.ThrowIfInvalid();
    }

    private void ValidateAddress(RequestValidation validation, string region, string id)
    {
        regions.ValidateAddress(validation, region, id, PhysicalConnection.IdPrefix, "a physical connection");
    }

    /// <summary>The connection if it exists in <paramref name="region"/> and the caller may see it; NOT_FOUND otherwise.</summary>
    private async Task<Versioned<PhysicalConnection>> LoadAsync(Caller caller, string region, string id, CancellationToken cancellationToken)
    {
        return caller.Visible(await store.GetAsync(id, cancellationToken), region, ResourceType, id);
    }

    private static DomainException InUse(PhysicalConnection connection) =>
        new(ErrorCode.FailedPrecondition, "PHYSICAL_CONNECTION_IN_USE",
            $"Physical connection '{connection.Id}' is used by {string.Join(", ", connection.Dependants)}; delete them first.")
        {
            Resource = new ResourceReference(ResourceType, connection.Id),
            PreconditionViolations =
            [
                .. connection.VirtualInterfaceIds.Select(v => new PreconditionViolation("VIRTUAL_INTERFACE", v, $"virtual interface {v} uses this physical connection")),
                .. connection.HostedHolds.Select(h => new PreconditionViolation("HOSTED_CONNECTION", h.HostedConnectionId,
                    $"hosted connection {h.HostedConnectionId} (VLAN {h.Vlan}, {h.BandwidthMbps} Mbit/s) is allocated on this physical connection")),
            ],
        };
}
