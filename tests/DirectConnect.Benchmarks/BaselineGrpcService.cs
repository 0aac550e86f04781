using DirectConnect.Benchmarks.Baseline;
using Grpc.Core;
using Microsoft.AspNetCore.Authorization;

namespace DirectConnect.Benchmarks;

/// <summary>The api benchmark's baseline: gRPC methods that do nothing, mapped into the gateway application.</summary>
internal sealed class BaselineGrpcService : BaselineService.BaselineServiceBase
{
    public override Task<NoopResponse> Noop(NoopRequest request, ServerCallContext context) => Task.FromResult(new NoopResponse());

    [AllowAnonymous]
    public override Task<NoopResponse> NoopAnonymous(NoopRequest request, ServerCallContext context) => Task.FromResult(new NoopResponse());
}
