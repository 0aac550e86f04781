using DirectConnect.Contracts.V1;

namespace DirectConnect.Routing.Api;

/// <summary>Reachability traces (<c>directconnect.v1.ReachabilityService</c>): UNIMPLEMENTED until the trace lands (routing issue, second part).</summary>
public sealed class ReachabilityGrpcService : ReachabilityService.ReachabilityServiceBase;
