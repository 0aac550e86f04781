using DirectConnect.Contracts.V1;

namespace DirectConnect.BorderGateways.Api;

/// <summary>
/// Border gateways (<c>directconnect.v1.BorderGatewayService</c>). Every method answers
/// UNIMPLEMENTED (the generated base) until the border-gateway issue lands.
/// </summary>
public sealed class BorderGatewayGrpcService : BorderGatewayService.BorderGatewayServiceBase;
