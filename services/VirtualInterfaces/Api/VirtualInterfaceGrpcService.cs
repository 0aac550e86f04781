using DirectConnect.Contracts.V1;

namespace DirectConnect.VirtualInterfaces.Api;

/// <summary>
/// Private virtual interfaces (<c>directconnect.v1.VirtualInterfaceService</c>). Every method
/// answers UNIMPLEMENTED (the generated base) until the virtual-interface issue lands.
/// </summary>
public sealed class VirtualInterfaceGrpcService : VirtualInterfaceService.VirtualInterfaceServiceBase;
