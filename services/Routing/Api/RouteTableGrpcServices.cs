using DirectConnect.Contracts.V1;

namespace DirectConnect.Routing.Api;

/// <summary>VPC and border-gateway route tables (<c>directconnect.v1.RouteService</c>): UNIMPLEMENTED until the routing issue lands.</summary>
public sealed class RouteGrpcService : RouteService.RouteServiceBase;

/// <summary>Reachability traces (<c>directconnect.v1.ReachabilityService</c>): UNIMPLEMENTED until the routing issue lands.</summary>
public sealed class ReachabilityGrpcService : ReachabilityService.ReachabilityServiceBase;
