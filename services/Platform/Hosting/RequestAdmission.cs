using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.RateLimiting;
using DirectConnect.Platform.Telemetry;
using DirectConnect.Platform.Tenancy;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace DirectConnect.Platform.Hosting;

/// <summary>
/// What happens to a call of the public API after authentication and before its endpoint reads the
/// request: the caller's account is charged one token (<see cref="AccountRateLimiter"/>), and the
/// size of a request that did not declare it (a gRPC message, a chunked body) is checked against
/// <see cref="RequestLimitOptions.MaxRequestBytes"/> (a declared one <see cref="DeclaredSizeLimit"/>
/// checked first). Both run before any byte of the body is parsed, so neither a throttled caller nor
/// an oversized request costs the JSON or protobuf parse. Refusals are the API's <c>google.rpc.Status</c>
/// on either transport (<see cref="StatusResponses"/>), and count in <see cref="RpcMetrics"/> like any call.
/// </summary>
public sealed class RequestAdmission(RequestDelegate next, AccountRateLimiter limiter, MethodAccessCatalog catalog, RpcMetrics metrics,
    IOptions<RequestLimitOptions> limits)
{
    /// <summary>The ErrorInfo reason of a request over the size limit.</summary>
    public const string TooLarge = "REQUEST_TOO_LARGE";

    private readonly int _maxBytes = limits.Value.Validated();

    /// <summary>Admits or refuses <paramref name="http"/>.</summary>
    public async Task InvokeAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var endpoint = http.GetEndpoint();
        var method = MethodOf(endpoint, catalog);
        var started = Stopwatch.GetTimestamp();
        if (method is null)
        {
            // Not a public method (health, reflection, the internal API, the Dapr callback; forwarded routes are
            // admitted where they are served): no rate limit, but a gRPC message over the limit gets the same
            // status as on a public method, not gRPC's own details-less RESOURCE_EXHAUSTED.
            if (endpoint?.Metadata.GetMetadata<GrpcMethodMetadata>() is { } grpc && IsGrpc(http.Request) &&
                grpc.Method.Type is global::Grpc.Core.MethodType.Unary or global::Grpc.Core.MethodType.ServerStreaming)
            {
                try
                {
                    await RequireGrpcMessageWithinLimitAsync(http);
                }
                catch (DomainException refused)
                {
                    await RefuseAsync(http, refused, null, metrics, started);
                    return;
                }
            }

            await next(http);
            return;
        }

        try
        {
            limiter.Acquire(http.GetCaller());
            var size = RequireSizeAsync(http, method);
            if (!size.IsCompletedSuccessfully)
            {
                await size;
            }
        }
        catch (DomainException refused)
        {
            await RefuseAsync(http, refused, method, metrics, started);
            return;
        }

        await next(http);
    }

    /// <summary>The public method <paramref name="endpoint"/> serves, if it serves one.</summary>
    internal static MethodDescriptor? MethodOf(Endpoint? endpoint, MethodAccessCatalog catalog) =>
        endpoint?.Metadata.GetMetadata<PublicMethodMetadata>()?.Method
        ?? (endpoint?.Metadata.GetMetadata<GrpcMethodMetadata>() is { } grpc ? catalog.Find(grpc.Method.FullName) : null);

    /// <summary>Answers <paramref name="http"/> with <paramref name="refused"/>, counted as a call of <paramref name="method"/> when there is one.</summary>
    internal static async Task RefuseAsync(HttpContext http, DomainException refused, MethodDescriptor? method, RpcMetrics metrics, long started)
    {
        if (method is not null)
        {
            metrics.Record(MethodAccessCatalog.PathOf(method), RpcStatusMapper.ToCode(refused.Code), started);
        }

        await StatusResponses.WriteAsync(http, RpcStatusMapper.ToStatus(refused),
            refused.Reason == TooLarge ? StatusCodes.Status413PayloadTooLarge : null);
    }

    private ValueTask RequireSizeAsync(HttpContext http, MethodDescriptor method)
    {
        var request = http.Request;
        if (IsGrpc(request))
        {
            // One request message (unary and server-streaming methods): its length is in the 5-byte frame header.
            return method.IsClientStreaming ? ValueTask.CompletedTask : RequireGrpcMessageWithinLimitAsync(http);
        }

        if (request.ContentLength is not null)
        {
            return ValueTask.CompletedTask; // declared, so DeclaredSizeLimit checked it
        }

        return http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true ? BufferUndeclaredBodyAsync(http) : ValueTask.CompletedTask;
    }

    private async ValueTask BufferUndeclaredBodyAsync(HttpContext http)
    {
        var request = http.Request;
        // A chunked body (or an HTTP/2 one without content-length) announces no size: read it here, and stop at the first byte past the limit, so that
        // the endpoint parses only a body known to fit.
        var buffered = new MemoryStream();
        http.Response.RegisterForDispose(buffered);
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
            {
                if (buffered.Length + read > _maxBytes)
                {
                    throw RequestTooLarge(_maxBytes, null);
                }

                buffered.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // Kestrel's own limit (the same number) noticed first.
            throw RequestTooLarge(_maxBytes, null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        buffered.Position = 0;
        request.Body = buffered;
    }

    private static bool IsGrpc(HttpRequest request) => request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    /// <summary>Refuses a gRPC request whose (one) message's frame header announces more than the limit, or whose body Kestrel finds over its own.</summary>
    private ValueTask RequireGrpcMessageWithinLimitAsync(HttpContext http)
    {
        // A unary call's message usually arrives with its headers: its frame header is then read without waiting.
        long? length;
        try
        {
            if (!TryPeekArrivedGrpcMessageLength(http.Request, out length))
            {
                return RequireGrpcMessageWithinLimitSlowAsync(http);
            }
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw RequestTooLarge(_maxBytes, null);
        }

        return length > _maxBytes ? throw RequestTooLarge(_maxBytes, length) : ValueTask.CompletedTask;
    }

    /// <summary>
    /// The message length in the frame header of a binary gRPC body, when the header has arrived (null when the body ended
    /// before it: gRPC refuses such a body itself); false when it has not arrived yet, or the body is gRPC-Web's base64 form.
    /// Nothing is consumed or examined.
    /// </summary>
    private static bool TryPeekArrivedGrpcMessageLength(HttpRequest request, out long? length)
    {
        length = null;
        if (request.ContentType?.StartsWith("application/grpc-web-text", StringComparison.OrdinalIgnoreCase) == true)
        {
            return false;
        }

        var reader = request.BodyReader;
        if (!reader.TryRead(out var result))
        {
            return false;
        }

        var buffer = result.Buffer;
        var arrived = buffer.Length >= ServiceDefaults.GrpcFrameHeaderBytes;
        if (arrived)
        {
            Span<byte> head = stackalloc byte[ServiceDefaults.GrpcFrameHeaderBytes];
            buffer.Slice(0, ServiceDefaults.GrpcFrameHeaderBytes).CopyTo(head);
            length = BinaryPrimitives.ReadUInt32BigEndian(head[1..]);
        }

        reader.AdvanceTo(buffer.Start);
        return arrived || result.IsCompleted;
    }

    private async ValueTask RequireGrpcMessageWithinLimitSlowAsync(HttpContext http)
    {
        long? length;
        try
        {
            length = await PeekGrpcMessageLengthAsync(http.Request, http.RequestAborted);
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // A body sent without its length (chunked) may arrive in one read longer than Kestrel's backstop allows.
            throw RequestTooLarge(_maxBytes, null);
        }

        if (length > _maxBytes)
        {
            throw RequestTooLarge(_maxBytes, length);
        }
    }

    private static async Task<long?> PeekGrpcMessageLengthAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        // gRPC-Web's text form sends the frame in base64: its first 8 characters hold the 5-byte header.
        var text = request.ContentType?.StartsWith("application/grpc-web-text", StringComparison.OrdinalIgnoreCase) == true;
        var needed = text ? 8 : ServiceDefaults.GrpcFrameHeaderBytes;
        var reader = request.BodyReader;
        var result = await reader.ReadAtLeastAsync(needed, cancellationToken);
        var buffer = result.Buffer;
        var length = buffer.Length >= needed ? FrameLength(buffer.Slice(0, needed).ToArray(), text) : null;

        // Nothing consumed or examined: gRPC reads the message as it was sent (a short body it refuses itself).
        reader.AdvanceTo(buffer.Start);
        return length;
    }

    /// <summary>The message length in a gRPC frame's header <paramref name="head"/> (base64 when <paramref name="text"/>); null when it is not one.</summary>
    private static long? FrameLength(byte[] head, bool text)
    {
        if (text)
        {
            var decoded = new byte[6];
            if (Base64.DecodeFromUtf8(head, decoded, out _, out var written) != OperationStatus.Done || written < ServiceDefaults.GrpcFrameHeaderBytes)
            {
                return null; // not base64: gRPC-Web refuses it itself
            }

            head = decoded;
        }

        return BinaryPrimitives.ReadUInt32BigEndian(head.AsSpan(1));
    }

    /// <summary>RESOURCE_EXHAUSTED with reason <see cref="TooLarge"/>: the request (of <paramref name="size"/> bytes, when known) is over <paramref name="maxBytes"/>.</summary>
    internal static DomainException RequestTooLarge(int maxBytes, long? size) =>
        new(ErrorCode.ResourceExhausted, TooLarge,
            size is { } bytes
                ? $"The request is {bytes} bytes; the limit is {maxBytes} bytes."
                : $"The request is larger than the limit of {maxBytes} bytes.")
        {
            Metadata = new Dictionary<string, string> { ["maxBytes"] = maxBytes.ToString(CultureInfo.InvariantCulture) },
            QuotaViolations = [new QuotaViolation("request", $"at most {maxBytes} bytes per request")],
        };
}

/// <summary>
/// First in the pipeline: a request that declares a body over <see cref="RequestLimitOptions.MaxRequestBytes"/>
/// (<c>Content-Length</c>) is refused from that header alone, before authentication and before any byte of
/// the body is read, whichever endpoint it is for (REST 413, RESOURCE_EXHAUSTED with reason
/// <see cref="RequestAdmission.TooLarge"/>). Kestrel then drops the unread body, for a few seconds at most, so
/// that a client still sending it gets the answer rather than a connection closed under it.
/// </summary>
public sealed class DeclaredSizeLimit(RequestDelegate next, MethodAccessCatalog catalog, RpcMetrics metrics, IOptions<RequestLimitOptions> limits)
{
    private readonly int _maxBytes = limits.Value.Validated();

    /// <summary>Refuses <paramref name="http"/> when it declares too large a body.</summary>
    public async Task InvokeAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var allowed = AllowedBodyBytes(http.Request.ContentType, _maxBytes);
        if (http.Request.ContentLength is not { } declared || declared <= allowed)
        {
            if (allowed > _maxBytes + ServiceDefaults.GrpcFrameHeaderBytes && http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } backstop)
            {
                backstop.MaxRequestBodySize = allowed; // Kestrel's own limit, measured as the body is sent (base64)
            }

            await next(http);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = null; // what Kestrel may drop after the answer; nothing of it is parsed
        }

        await RequestAdmission.RefuseAsync(http, RequestAdmission.RequestTooLarge(_maxBytes, declared),
            RequestAdmission.MethodOf(http.GetEndpoint(), catalog), metrics, started);
    }

    /// <summary>
    /// The largest body a request of <paramref name="contentType"/> may declare when its message may be <paramref name="maxBytes"/>:
    /// a gRPC (and gRPC-Web) body adds the frame header, whose length the message's own check (<see cref="RequestAdmission"/>)
    /// reads exactly; <c>grpc-web-text</c> sends that frame in base64, 4 characters for every 3 bytes.
    /// </summary>
    internal static long AllowedBodyBytes(string? contentType, int maxBytes)
    {
        if (contentType?.StartsWith("application/grpc-web-text", StringComparison.OrdinalIgnoreCase) == true)
        {
            return ((maxBytes + ServiceDefaults.GrpcFrameHeaderBytes + 2L) / 3) * 4;
        }

        return contentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true ? maxBytes + ServiceDefaults.GrpcFrameHeaderBytes : maxBytes;
    }
}
