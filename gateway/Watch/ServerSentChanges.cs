using System.Globalization;
using System.Text;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Tenancy;
using Google.Protobuf;
using Microsoft.AspNetCore.Http.Features;

namespace DirectConnect.Gateway.Watch;

/// <summary>
/// The REST form of the watch, as server-sent events at the path of the transcoded method (which
/// it takes precedence over): <c>id:</c> the position, <c>event: change</c>, <c>data:</c> the
/// Change as proto JSON. It resumes after the <c>Last-Event-ID</c> header (what a reconnecting
/// EventSource sends) or else after <c>?afterPosition=</c>. Errors found before the stream starts
/// are answered like transcoded errors (a <c>google.rpc.Status</c> JSON body with the mapped HTTP
/// status); an error after it started is sent as an <c>event: error</c> with that body, and ends it.
/// Bounded like the gRPC form (<see cref="WatchStreams"/>): when its lifetime is over the response
/// ends, and an EventSource reconnects by itself with the id of the last event it got.
/// </summary>
public static class ServerSentChanges
{
    /// <summary>The path, the same as the transcoded <c>WatchChanges</c> rule.</summary>
    public const string Pattern = "/v1/regions/{region}/changes:watch";

    /// <summary>What the endpoint answers with once the watch is open.</summary>
    public const string ContentType = "text/event-stream";

    /// <summary>The stream's format, for the OpenAPI document.</summary>
    public const string Description =
        "Server-sent events, sent as the changes are recorded: each change is one event with `id:` its position, `event: change` and " +
        "`data:` the Change as JSON. An error after the stream started is an `event: error` whose `data:` is a google.rpc.Status, and ends it. " +
        "The response ends when the watch's lifetime is over; reconnect with `Last-Event-ID` (an EventSource does) to resume after the last event.";

    private static readonly JsonFormatter Formatter = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithTypeRegistry(StatusResponses.DetailTypes));

    // Proto JSON as transcoding writes it: default values included, on one line without padding
    // (Google.Protobuf's formatter pads "{ a: 1 }"; re-serialising compacts it).
    private static string Json(IMessage message) => System.Text.Json.Nodes.JsonNode.Parse(Formatter.Format(message))!.ToJsonString();

    /// <summary>Serves one watch until the client goes away or the watch's lifetime is over.</summary>
    public static async Task ServeAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var cancellationToken = http.RequestAborted;
        WatchStreams.OpenWatch watch;
        try
        {
            var caller = http.GetCaller();
            var region = http.GetRouteValue("region") as string ?? "";
            var streams = http.RequestServices.GetRequiredService<WatchStreams>();
            var (afterPosition, startAtHead) = Start(http.Request);
            watch = await streams.OpenAsync(caller.AccountId, region, afterPosition, startAtHead, cancellationToken);
        }
        catch (DomainException error)
        {
            await StatusResponses.WriteAsync(http, RpcStatusMapper.ToStatus(error));
            return;
        }

        using (watch)
        {
            http.Response.Headers[WatchGrpcService.StartPositionHeader] = watch.StartPosition.ToString(CultureInfo.InvariantCulture);
            await StreamAsync(http, watch.Changes, cancellationToken);
        }
    }

    // The response ends when the changes do (the watch's lifetime is over: the client reconnects with
    // Last-Event-ID) or the client goes away.
    private static async Task StreamAsync(HttpContext http, IAsyncEnumerable<Change> changes, CancellationToken cancellationToken)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = ContentType;
        http.Response.Headers.CacheControl = "no-cache";
        http.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        // Headers go out now: the client knows its watch is open before the first change.
        await http.Response.StartAsync(cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
        try
        {
            await using var enumerator = changes.GetAsyncEnumerator(cancellationToken);
            while (true)
            {
                string frame;
                try
                {
                    if (!await enumerator.MoveNextAsync())
                    {
                        return;
                    }

                    var change = enumerator.Current;
                    frame = $"id: {change.Position.ToString(CultureInfo.InvariantCulture)}\nevent: change\ndata: {Json(change)}\n\n";
                }
                catch (DomainException error)
                {
                    frame = $"event: error\ndata: {Json(RpcStatusMapper.ToStatus(error))}\n\n";
                    await WriteAsync(http, frame, cancellationToken);
                    return;
                }

                await WriteAsync(http, frame, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away: that is how a watch ends.
        }
    }

    private static async Task WriteAsync(HttpContext http, string frame, CancellationToken cancellationToken)
    {
        await http.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(frame), cancellationToken);
        await http.Response.Body.FlushAsync(cancellationToken);
    }

    // Last-Event-ID (a reconnecting EventSource) wins over the query it reconnects with, startAtHead included.
    private static (long AfterPosition, bool StartAtHead) Start(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        var validation = new RequestValidation();
        var resuming = request.Headers["Last-Event-ID"].ToString() is { Length: > 0 };
        var (text, field) = resuming
            ? (request.Headers["Last-Event-ID"].ToString(), "Last-Event-ID")
            : (Query(request, "afterPosition", "after_position"), "after_position");
        var position = 0L;
        validation.Check(text.Length == 0 || long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out position), field, "is not an integer position");
        var head = Query(request, "startAtHead", "start_at_head");
        validation.Check(head.Length == 0 || bool.TryParse(head, out _), "start_at_head", "is not true or false");
        validation.ThrowIfInvalid();
        return (position, !resuming && head.Length > 0 && bool.Parse(head));
    }

    private static string Query(Microsoft.AspNetCore.Http.HttpRequest request, string camel, string snake) =>
        request.Query.TryGetValue(camel, out var value) ? value.ToString() : request.Query[snake].ToString();
}
