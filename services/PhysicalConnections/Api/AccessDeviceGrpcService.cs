using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Paging;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;
using DirectConnect.PhysicalConnections.Application;
using DirectConnect.PhysicalConnections.Domain;
using DirectConnect.PhysicalConnections.Storage;
using Grpc.Core;
using Microsoft.Extensions.Options;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.PhysicalConnections.Api;

/// <summary>
/// <c>directconnect.v1.AccessDeviceService</c> (operators only): devices and their ports. Adding a
/// device puts its free ports into the pools in the same transaction and publishes
/// <c>AccessDeviceAdded</c>, on which waiting connections are served. A device can be deleted
/// only while none of its ports is held.
/// </summary>
public sealed class AccessDeviceGrpcService(
    InventoryStore inventory,
    PortAllocator allocator,
    OptimisticTransaction transactions,
    RegionCatalog regions,
    TimeProvider clock,
    IOptions<PhysicalConnectionOptions> options) : V1.AccessDeviceService.AccessDeviceServiceBase
{
    private const string ResourceType = "AccessDevice";

    /// <inheritdoc />
    public override async Task<V1.AccessDevice> CreateAccessDevice(V1.CreateAccessDeviceRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        var ports = new List<(string Name, PortSpeed? Speed)>();
        if (validation.Check(request.AccessDevice is not null, "access_device", "is required"))
        {
            var device = request.AccessDevice!;
            validation.Check(ResourceIds.IsWellFormed(device.LocationId, Location.IdPrefix), "access_device.location_id",
                string.IsNullOrEmpty(device.LocationId) ? "is required" : $"is not a location id (expected {Location.IdPrefix}…)");
            ports.AddRange(device.Ports.Select(p => (p.Name, PhysicalConnectionMapper.ToDomain(p.Speed))));
            AccessDevice.Validate(validation, "access_device.", device.Name, device.Vendor, device.Model, ports);
        }

        var requestId = ProtobufTransactions.RequestIdOf(request, "access-devices/create", caller, validation);
        validation.ThrowIfInvalid();

        await inventory.RequireLocationAsync(request.Region, request.AccessDevice!.LocationId, "access_device.location_id", context.CancellationToken);

        return await transactions.RunAsync(requestId, async cancellationToken =>
        {
            var (index, indexUnchanged) = await inventory.GetDeviceIndexAsync(request.Region, cancellationToken);
            var locationId = request.AccessDevice.LocationId;
            var (count, countUnchanged) = await inventory.GetDeviceCountAsync(request.Region, locationId, cancellationToken);
            Quotas.Require(count, options.Value.AccessDeviceQuotaPerLocation, "ACCESS_DEVICE", $"location:{locationId}",
                "access devices (not deleted) per location");
            var now = clock.GetUtcNow();
            var device = new AccessDevice
            {
                Id = ResourceIds.New(AccessDevice.IdPrefix),
                Region = request.Region,
                LocationId = request.AccessDevice.LocationId,
                Name = request.AccessDevice.Name,
                Vendor = request.AccessDevice.Vendor,
                Model = request.AccessDevice.Model,
                Ports = ports.Select(p => new DevicePort(p.Name, p.Speed!.Value)).ToArray(),
                CreateTime = now,
                UpdateTime = now,
                ETag = ResourceIds.NewETag(),
            };
            var message = InventoryMapper.ToProto(device);
            return new TransactionPlan<V1.AccessDevice>(
                [
                    InventoryStore.PutDevice(device, ETagCondition.MustNotExist),
                    InventoryStore.PutDeviceIndex(request.Region, index.With(device.Id), indexUnchanged),
                    InventoryStore.PutDeviceCount(locationId, count + 1, countUnchanged),
                    .. await allocator.AddDeviceAsync(device, cancellationToken),
                ],
                [PhysicalConnectionEvents.DeviceAdded(message)],
                message);
        }, V1.AccessDevice.Parser, $"the devices of {request.AccessDevice.LocationId}", context.CancellationToken);
    }

    /// <inheritdoc />
    public override async Task<V1.AccessDevice> GetAccessDevice(V1.GetAccessDeviceRequest request, ServerCallContext context)
    {
        ValidateAddress(new RequestValidation(), request.Region, request.Id).ThrowIfInvalid();
        return InventoryMapper.ToProto((await LoadAsync(request.Region, request.Id, context.CancellationToken)).Value);
    }

    /// <inheritdoc />
    public override async Task<V1.ListAccessDevicesResponse> ListAccessDevices(V1.ListAccessDevicesRequest request, ServerCallContext context)
    {
        var validation = new RequestValidation();
        regions.Validate(validation, request.Region);
        validation.Check(Enum.IsDefined(request.State), "state", $"unknown state {(int)request.State}");
        var page = PageRequest.Parse(validation, request.PageSize, request.PageToken, $"{request.Region}|{request.State}|{request.ShowDeleted}");
        validation.ThrowIfInvalid();

        var (index, _) = await inventory.GetDeviceIndexAsync(request.Region, context.CancellationToken);
        var result = await IndexPager.PageAsync(index, page,
            ids => inventory.GetDevicesAsync(ids, context.CancellationToken),
            d => (request.ShowDeleted || !d.IsDeleted) &&
                 (request.State == V1.AccessDevice.Types.State.Unspecified || (request.State == V1.AccessDevice.Types.State.Deleted) == d.IsDeleted),
            d => d.Id);
        var response = new V1.ListAccessDevicesResponse { NextPageToken = result.NextPageToken };
        response.AccessDevices.AddRange(result.Items.Select(InventoryMapper.ToProto));
        return response;
    }

    /// <inheritdoc />
    public override async Task<V1.AccessDevice> DeleteAccessDevice(V1.DeleteAccessDeviceRequest request, ServerCallContext context)
    {
        var caller = context.GetCaller();
        var validation = ValidateAddress(new RequestValidation(), request.Region, request.Id);
        var requestId = ProtobufTransactions.RequestIdOf(request, "access-devices/delete", caller, validation);
        validation.ThrowIfInvalid();

        return await transactions.RunAsync(requestId, async cancellationToken =>
        {
            var stored = await LoadAsync(request.Region, request.Id, cancellationToken);
            var device = stored.Value;
            if (!string.IsNullOrEmpty(request.Etag) && request.Etag != device.ETag)
            {
                throw DomainException.StaleETag(ResourceType, device.Id);
            }

            if (device.IsDeleted)
            {
                throw DomainException.WrongState(ResourceType, device.Id, "STATE_DELETED", "delete");
            }

            if (device.Holders.Count > 0)
            {
                throw new DomainException(ErrorCode.FailedPrecondition, "ACCESS_DEVICE_IN_USE",
                    $"Access device '{device.Id}' has ports held by {string.Join(", ", device.Holders)}; delete those connections first.")
                {
                    Resource = new ResourceReference(ResourceType, device.Id),
                    PreconditionViolations = device.Holders
                        .Select(h => new PreconditionViolation("PHYSICAL_CONNECTION", h, $"physical connection {h} holds a port of this device"))
                        .ToArray(),
                };
            }

            var deleted = device with { State = AccessDeviceState.Deleted, UpdateTime = clock.GetUtcNow(), ETag = ResourceIds.NewETag() };
            var message = InventoryMapper.ToProto(deleted);
            // The quota's slot is free again in the delete's own transaction.
            var (count, countUnchanged) = await inventory.GetDeviceCountAsync(device.Region, device.LocationId, cancellationToken);
            return new TransactionPlan<V1.AccessDevice>(
                [
                    InventoryStore.PutDevice(deleted, stored.Unchanged),
                    InventoryStore.PutDeviceCount(device.LocationId, count - 1, countUnchanged),
                    .. await allocator.RemoveDeviceAsync(device, cancellationToken),
                ],
                [PhysicalConnectionEvents.DeviceDeleted(message)],
                message);
        }, V1.AccessDevice.Parser, $"access device {request.Id}", context.CancellationToken);
    }

    private RequestValidation ValidateAddress(RequestValidation validation, string region, string id) =>
        regions.ValidateAddress(validation, region, id, AccessDevice.IdPrefix, "an access device");

    private async Task<Versioned<AccessDevice>> LoadAsync(string region, string id, CancellationToken cancellationToken)
    {
        var device = await inventory.GetDeviceAsync(id, cancellationToken);
        return device is not null && device.Value.Region == region ? device : throw DomainException.NotFound(ResourceType, id);
    }
}
