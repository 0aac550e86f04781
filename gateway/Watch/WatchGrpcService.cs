using System.Globalization;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Tenancy;
using Grpc.Core;

namespace DirectConnect.Gateway.Watch;

/// <summary>
/// The gRPC form of the watch: the caller's account's changes as a server stream, within the bounds of
/// <see cref="WatchStreams"/>. When its lifetime is over the stream ends with status OK after the last change.
/// </summary>
public sealed class WatchGrpcService(WatchStreams streams) : WatchService.WatchServiceBase
{
    /// <summary>The response header naming the position the watch starts after (gRPC metadata and HTTP alike).</summary>
    public const string StartPositionHeader = "watch-start-position";

    /// <inheritdoc />
    public override async Task WatchChanges(WatchChangesRequest request, IServerStreamWriter<Change> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        var caller = context.GetCaller();
        using var watch = await streams.OpenAsync(caller.AccountId, request.Region, request.AfterPosition, request.StartAtHead, context.CancellationToken);
        // Headers go out now, as over server-sent events: the client knows its watch is open before the first change,
        // and where it starts.
        await context.WriteResponseHeadersAsync([new Metadata.Entry(StartPositionHeader, watch.StartPosition.ToString(CultureInfo.InvariantCulture))]);
        await foreach (var change in watch.Changes.WithCancellation(context.CancellationToken))
        {
            await responseStream.WriteAsync(change, context.CancellationToken);
        }
    }
}
