using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Paging;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;
using Grpc.Core;
using Microsoft.Extensions.Options;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.PhysicalConnections.Api;

/// <summary>
/// <c>directconnect.v1.LocationService</c>: operators add locations; everyone may read them,
/// since customers choose one when they order a line.
/// </summary>
public sealed class LocationGrpcService(InventoryStore inventory, OptimisticTransaction transactions, RegionCatalog regions, TimeProvider clock,
    IOptions<PhysicalConnectionOptions> options)
    : V1.LocationService.LocationServiceBase
{
    /// <inheritdoc />
    public override async Task<V1.Location> CreateLocation(V1.CreateLocationRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        if (validation.Check(request.Location is not null, "location", "is required"))
        {
            Location.Validate(validation, "location.", request.Location!.Code, request.Location.Name, request.Location.Address);
        }

        var requestId = ProtobufTransactions.RequestIdOf(request, "locations/create", caller, validation);
        validation.ThrowIfInvalid();

        return await transactions.RunAsync(requestId, async cancellationToken =>
        {
            var (index, indexUnchanged) = await inventory.GetLocationIndexAsync(request.Region, cancellationToken);
            // Locations are never deleted: the region's index, written under its ETag with every new one, is the count.
            Quotas.Require(index.Ids.Count, options.Value.LocationQuotaPerRegion, "LOCATION", $"region:{request.Region}", "locations per region");
            var now = clock.GetUtcNow();
            var location = new Location
            {
                Id = ResourceIds.New(Location.IdPrefix),
                Region = request.Region,
                Code = request.Location!.Code,
                Name = request.Location.Name,
                Address = request.Location.Address,
                CreateTime = now,
                UpdateTime = now,
                ETag = ResourceIds.NewETag(),
            };
            if (await inventory.IsLocationCodeTakenAsync(request.Region, location.Code, cancellationToken))
            {
                throw new DomainException(ErrorCode.AlreadyExists, "LOCATION_CODE_TAKEN",
                    $"A location with code '{location.Code}' already exists in {request.Region}.")
                {
                    FieldViolations = [new FieldViolation("location.code", "is already used in this region")],
                };
            }

            return new TransactionPlan<V1.Location>(
                [
                    InventoryStore.PutLocation(location, ETagCondition.MustNotExist),
                    InventoryStore.ClaimLocationCode(location),
                    InventoryStore.PutLocationIndex(request.Region, index.With(location.Id), indexUnchanged),
                    // Its devices' count starts here, so its first device need not count the region's devices.
                    InventoryStore.PutDeviceCount(location.Id, 0, ETagCondition.MustNotExist),
                ],
                [],
                InventoryMapper.ToProto(location));
        }, V1.Location.Parser, "the region's locations", context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<V1.Location> GetLocation(V1.GetLocationRequest request, ServerCallContext context)
    {
        context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        validation.Check(ResourceIds.IsWellFormed(request.Id, Location.IdPrefix), "id", $"is not a location id (expected {Location.IdPrefix}…)");
        validation.ThrowIfInvalid();
        var location = await inventory.GetLocationAsync(request.Id, context.CancellationToken);
        return location is not null && location.Value.Region == request.Region
            ? InventoryMapper.ToProto(location.Value)
            : throw DomainException.NotFound("Location", request.Id);
    }

    /// <inheritdoc />
    public override async Task<V1.ListLocationsResponse> ListLocations(V1.ListLocationsRequest request, ServerCallContext context)
    {
        context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        var page = PageRequest.Parse(validation, request.PageSize, request.PageToken, request.Region);
        validation.ThrowIfInvalid();
        var (index, _) = await inventory.GetLocationIndexAsync(request.Region, context.CancellationToken);
        var result = await IndexPager.PageAsync(index, page, ids => inventory.GetLocationsAsync(ids, context.CancellationToken), _ => true, l => l.Id);
        var response = new V1.ListLocationsResponse { NextPageToken = result.NextPageToken };
        response.Locations.AddRange(result.Items.Select(InventoryMapper.ToProto));
        return response;
    }
}
