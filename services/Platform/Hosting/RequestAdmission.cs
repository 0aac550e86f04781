using System.Buffers;
using System.Buffers.Binary;
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
/// request's size is checked against <see cref="RequestLimitOptions.MaxRequestBytes"/>. Both run
/// before any byte of the body is parsed, so neither a throttled caller nor an oversized request
/// costs the JSON or protobuf parse. Refusals are the API's <c>google.rpc.Status</c> on either
/// transport (<see cref="StatusResponses"/>), and count in <see cref="RpcMetrics"/> like any call.
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
        var method = MethodOf(http.GetEndpoint());
        if (method is null)
        {
            // Not a public method served here (health, reflection, the Dapr callback, forwarded routes):
            // the transport's own limits apply (Kestrel's body size, gRPC's message size).
            await next(http);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            limiter.Acquire(http.GetCaller());
            await RequireSizeAsync(http, method);
        }
        catch (DomainException refused)
        {
            metrics.Record(MethodAccessCatalog.PathOf(method), RpcStatusMapper.ToCode(refused.Code), started);
            await StatusResponses.WriteAsync(http, RpcStatusMapper.ToStatus(refused),
                refused.Reason == TooLarge ? StatusCodes.Status413PayloadTooLarge : null);
            return;
        }

        await next(http);
    }

    private MethodDescriptor? MethodOf(Endpoint? endpoint) =>
        endpoint?.Metadata.GetMetadata<PublicMethodMetadata>()?.Method
        ?? (endpoint?.Metadata.GetMetadata<GrpcMethodMetadata>() is { } grpc ? catalog.Find(grpc.Method.FullName) : null);

    private async Task RequireSizeAsync(HttpContext http, MethodDescriptor method)
    {
        var request = http.Request;
        if (request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
        {
            // One request message (unary and server-streaming methods): its length is in the 5-byte frame header.
            if (!method.IsClientStreaming && await PeekGrpcMessageLengthAsync(request, http.RequestAborted) is { } length && length > _maxBytes)
            {
                throw RequestTooLarge(length);
            }

            return;
        }

        if (request.ContentLength is { } declared)
        {
            if (declared > _maxBytes)
            {
                throw RequestTooLarge(declared);
            }

            return;
        }

        if (http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
        {
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
                        throw RequestTooLarge(null);
                    }

                    buffered.Write(chunk, 0, read);
                }
            }
            catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
            {
                // Kestrel's own limit (the same number) noticed first.
                throw RequestTooLarge(null);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(chunk);
            }

            buffered.Position = 0;
            request.Body = buffered;
        }
    }

    private static async Task<long?> PeekGrpcMessageLengthAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var reader = request.BodyReader;
        var result = await reader.ReadAtLeastAsync(5, cancellationToken);
        var buffer = result.Buffer;
        long? length = null;
        if (buffer.Length >= 5)
        {
            var header = new byte[5];
            buffer.Slice(0, 5).CopyTo(header);
            length = BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(1));
        }

        // Nothing consumed or examined: gRPC reads the message as it was sent (a short body it refuses itself).
        reader.AdvanceTo(buffer.Start);
        return length;
    }

    private DomainException RequestTooLarge(long? size) =>
        new(ErrorCode.ResourceExhausted, TooLarge,
            size is { } bytes
                ? $"The request is {bytes} bytes; the limit is {_maxBytes} bytes."
                : $"The request is larger than the limit of {_maxBytes} bytes.")
        {
            Metadata = new Dictionary<string, string> { ["maxBytes"] = _maxBytes.ToString(CultureInfo.InvariantCulture) },
            QuotaViolations = [new QuotaViolation("request", $"at most {_maxBytes} bytes per request")],
        };
}
