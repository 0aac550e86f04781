using V1 = DirectConnect.Contracts.V1;

namespace DirectConnect.PhysicalConnections.Api;

/// <summary>Locations (<c>directconnect.v1.LocationService</c>): UNIMPLEMENTED until the operator-inventory issue lands.</summary>
public sealed class LocationGrpcService : V1.LocationService.LocationServiceBase;

/// <summary>Access devices (<c>directconnect.v1.AccessDeviceService</c>): UNIMPLEMENTED until the operator-inventory issue lands.</summary>
public sealed class AccessDeviceGrpcService : V1.AccessDeviceService.AccessDeviceServiceBase;
