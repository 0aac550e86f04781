using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.Core;
using Microsoft.AspNetCore.Http;

namespace DirectConnect.Platform.Grpc;

/// <summary>
/// Writes a <c>google.rpc.Status</c> as the response of a request that never reached a gRPC method
/// (a refused token, a server-sent-events endpoint): over gRPC as a trailers-only response with
/// <c>grpc-status-details-bin</c>, over HTTP as the same JSON body JSON transcoding writes, with
/// the standard HTTP status for the code. Clients see one error shape whichever way they come.
/// </summary>
public static class StatusResponses
{
    /// <summary>The detail messages an error may carry (the OpenAPI document lists exactly these).</summary>
    public static readonly IReadOnlyList<MessageDescriptor> DetailMessages =
    [
        ErrorInfo.Descriptor, BadRequest.Descriptor, PreconditionFailure.Descriptor, QuotaFailure.Descriptor,
        ResourceInfo.Descriptor, RetryInfo.Descriptor, Help.Descriptor, LocalizedMessage.Descriptor,
    ];

    /// <summary>The detail types an error may carry, for JSON.</summary>
    public static readonly TypeRegistry DetailTypes = TypeRegistry.FromMessages(DetailMessages);

    private static readonly JsonFormatter Json = new(JsonFormatter.Settings.Default.WithTypeRegistry(DetailTypes));

    /// <summary>
    /// Writes <paramref name="status"/> as the whole response of <paramref name="context"/>; over HTTP with
    /// <paramref name="httpStatus"/> when given (413 for a body over the size limit), else the code's standard one.
    /// </summary>
    public static async Task WriteAsync(HttpContext context, Google.Rpc.Status status, int? httpStatus = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(status);
        var response = context.Response;
        if (GrpcResponseContentType(context.Request) is { } contentType)
        {
            response.StatusCode = StatusCodes.Status200OK;
            response.ContentType = contentType;
            response.Headers["grpc-status"] = status.Code.ToString(System.Globalization.CultureInfo.InvariantCulture);
            response.Headers["grpc-message"] = Uri.EscapeDataString(status.Message);
            response.Headers["grpc-status-details-bin"] = Convert.ToBase64String(status.ToByteArray());
            await response.CompleteAsync().ConfigureAwait(false);
            return;
        }

        response.StatusCode = httpStatus ?? HttpStatusOf((StatusCode)status.Code);
        if (status.Details.Select(d => d.TryUnpack<RetryInfo>(out var retry) ? retry : null).FirstOrDefault(r => r is not null) is { RetryDelay: { } delay })
        {
            response.Headers.RetryAfter = RetryAfter(delay.ToTimeSpan());
        }

        response.ContentType = "application/json; charset=utf-8";
        await response.WriteAsync(Json.Format(status), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>
    /// The content type of a trailers-only answer to <paramref name="request"/> when it is a gRPC call, else null: gRPC-Web
    /// (binary or base64 text) when it came as gRPC-Web and no gRPC-Web translation runs on it (as on the distributed
    /// edge's forwarded routes), since a gRPC-Web client refuses an answer of another content type.
    /// </summary>
    public static string? GrpcResponseContentType(Microsoft.AspNetCore.Http.HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var type = request.ContentType;
        return type?.StartsWith("application/grpc-web-text", StringComparison.OrdinalIgnoreCase) == true ? "application/grpc-web-text"
            : type?.StartsWith("application/grpc-web", StringComparison.OrdinalIgnoreCase) == true ? "application/grpc-web"
            : type?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true ? "application/grpc"
            : null;
    }

    /// <summary>An HTTP <c>Retry-After</c> value for <paramref name="delay"/>: whole seconds, rounded up, at least one.</summary>
    public static string RetryAfter(TimeSpan delay) =>
        Math.Max(1, (long)Math.Ceiling(delay.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The HTTP status Google's APIs use for <paramref name="code"/>.</summary>
    public static int HttpStatusOf(StatusCode code) => code switch
    {
        StatusCode.OK => StatusCodes.Status200OK,
        StatusCode.Cancelled => 499,
        StatusCode.InvalidArgument or StatusCode.FailedPrecondition or StatusCode.OutOfRange => StatusCodes.Status400BadRequest,
        StatusCode.Unauthenticated => StatusCodes.Status401Unauthorized,
        StatusCode.PermissionDenied => StatusCodes.Status403Forbidden,
        StatusCode.NotFound => StatusCodes.Status404NotFound,
        StatusCode.AlreadyExists or StatusCode.Aborted => StatusCodes.Status409Conflict,
        StatusCode.ResourceExhausted => StatusCodes.Status429TooManyRequests,
        StatusCode.Unimplemented => StatusCodes.Status501NotImplemented,
        StatusCode.Unavailable => StatusCodes.Status503ServiceUnavailable,
        StatusCode.DeadlineExceeded => StatusCodes.Status504GatewayTimeout,
        _ => StatusCodes.Status500InternalServerError,
    };
}
