using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Tenancy;
using Grpc.Core;

namespace DirectConnect.Gateway.Watch;

/// <summary>The gRPC form of the watch: the caller's account's changes as a server stream.</summary>
public sealed class WatchGrpcService(ChangeFeedReader reader) : WatchService.WatchServiceBase
{
    /// <inheritdoc />
    public override async Task WatchChanges(WatchChangesRequest request, IServerStreamWriter<Change> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var caller = context.GetCaller();
        var changes = await reader.OpenAsync(request.Region, caller.AccountId, request.AfterPosition, context.CancellationToken);
        await foreach (var change in changes.WithCancellation(context.CancellationToken))
        {
            await responseStream.WriteAsync(change, context.CancellationToken);
        }
    }
}
