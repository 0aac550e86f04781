using DirectConnect.PhysicalConnections.Domain;
using Google.Protobuf.WellKnownTypes;
using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.PhysicalConnections.Api;

/// <summary>Locations and access devices to and from <c>directconnect.v1</c>.</summary>
internal static class InventoryMapper
{
    public static V1.Location ToProto(Location location) => new()
    {
        Id = location.Id,
        Region = location.Region,
        Code = location.Code,
        Name = location.Name,
        Address = location.Address,
        CreateTime = Timestamp.FromDateTimeOffset(location.CreateTime),
        UpdateTime = Timestamp.FromDateTimeOffset(location.UpdateTime),
        Etag = location.ETag,
    };

    public static V1.AccessDevice ToProto(AccessDevice device)
    {
        var message = new V1.AccessDevice
        {
            Id = device.Id,
            Region = device.Region,
            LocationId = device.LocationId,
            Name = device.Name,
            Vendor = device.Vendor,
            Model = device.Model,
            State = device.IsDeleted ? V1.AccessDevice.Types.State.Deleted : V1.AccessDevice.Types.State.Active,
            CreateTime = Timestamp.FromDateTimeOffset(device.CreateTime),
            UpdateTime = Timestamp.FromDateTimeOffset(device.UpdateTime),
            Etag = device.ETag,
        };
        message.Ports.AddRange(device.Ports.Select(p => new V1.AccessDevice.Types.Port
        {
            Name = p.Name,
            Speed = PhysicalConnectionMapper.ToProto(p.Speed),
            AllocatedPhysicalConnectionId = p.AllocatedTo ?? "",
        }));
        return message;
    }
}
