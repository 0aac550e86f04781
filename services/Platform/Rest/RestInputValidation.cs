using System.Diagnostics;
using System.Text;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Hosting;
using DirectConnect.Platform.Telemetry;
using DirectConnect.Platform.Tenancy;
using HttpBody = Google.Api.HttpBody;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace DirectConnect.Platform.Rest;

/// <summary>
/// The REST form of every public method reads its input here, before JSON transcoding does, against the
/// method's request message as its descriptors and HTTP rule define it (<see cref="RestBinding"/>): each query
/// parameter (<see cref="QueryCheck"/>) and the JSON body (<see cref="JsonBodyCheck"/>). Whatever does not fit
/// is INVALID_ARGUMENT naming every bad field by its proto path, with an <c>ErrorInfo</c> and a
/// <c>BadRequest</c> — transcoding's own errors carry neither, name .NET types, and it drops unknown fields and
/// parameters without a word. A body that cannot be read as JSON at all is reason <c>MALFORMED_REQUEST</c>.
/// A body that passes is handed on as google.protobuf writes the message it holds (proto3 JSON in its one
/// spelling), so transcoding parses exactly what was checked. Runs after <see cref="RequestAdmission"/> (the
/// body is known to be within the size limit) and checks the method's declared access first, as the gRPC
/// form does before its method runs.
/// </summary>
public sealed class RestInputValidation(RequestDelegate next, MethodAccessCatalog catalog, RpcMetrics metrics, IOptions<RequestLimitOptions> limits)
{
    private readonly int _maxBytes = limits.Value.Validated();

    /// <summary>Checks <paramref name="http"/>'s input when it calls a public method over REST.</summary>
    public async Task InvokeAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (BindingOf(http.GetEndpoint()) is not { } binding || catalog.Find(MethodAccessCatalog.PathOf(binding.Method)) is null)
        {
            await next(http);
            return;
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            MethodAccess.RequireAccess(http.GetCaller(), binding.Method);
            await CheckAsync(http, binding);
        }
        catch (DomainException refused)
        {
            await RequestAdmission.RefuseAsync(http, refused, binding.Method, metrics, started);
            return;
        }

        await next(http);
    }

    /// <summary>How the REST endpoint <paramref name="endpoint"/> binds its method's request, or null when it is not one.</summary>
    internal static RestBinding? BindingOf(Endpoint? endpoint)
    {
        if (endpoint?.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is { } transcoded)
        {
            return RestBinding.Of(transcoded.MethodDescriptor, transcoded.HttpRule);
        }

        // An endpoint of its own serving a public method over plain HTTP (the watch's server-sent events).
        return endpoint?.Metadata.GetMetadata<PublicMethodMetadata>() is { } method && endpoint.Metadata.GetMetadata<GrpcMethodMetadata>() is null
            ? RestBinding.Of(method.Method)
            : null;
    }

    private async Task CheckAsync(HttpContext http, RestBinding binding)
    {
        var validation = new RequestValidation();
        QueryCheck.Check(http.Request.Query, binding, validation);
        var body = await ReadBodyAsync(http);
        var malformed = false;
        byte[]? canonical = null;
        if (binding.Body.Length == 0)
        {
            if (body.Length > 0)
            {
                validation.Add("", "this method takes no request body; its fields go in the URL");
                malformed = true;
            }
        }
        else if (BodyMessage(binding) is { } message)
        {
            var bodyPath = binding.BodyField?.Name ?? "";
            // No body at all is an empty message (as Google's APIs take it): `curl -X POST …:confirm` needs no `-d '{}'`.
            var json = body.Length == 0 ? "{}"u8.ToArray() : Utf8Json(http.Request.ContentType, body, bodyPath, validation);
            if (json is null)
            {
                malformed = true;
            }
            else
            {
                var pathValues = binding.WholeBody
                    ? (Func<FieldDescriptor, string?>)(field => binding.PathFields.Contains(field) ? http.GetRouteValue(field.Name) as string : null)
                    : _ => null;
                var result = JsonBodyCheck.Check(json, message, bodyPath, validation, pathValues);
                if (result.SyntaxError is { } syntaxError)
                {
                    validation.Add(result.SyntaxErrorAt ?? bodyPath, syntaxError);
                    malformed = true;
                }
                else if (validation.Violations.Count == 0)
                {
                    canonical = Canonical(json, message, bodyPath, validation);
                    malformed = canonical is null;
                }
            }
        }

        if (validation.Violations.Count > 0)
        {
            throw malformed ? Malformed(validation) : DomainException.InvalidArgument(validation.Violations, validation.Omitted);
        }

        if (canonical is not null)
        {
            http.Request.Body = new MemoryStream(canonical, writable: false);
            http.Request.ContentLength = canonical.Length;
            http.Request.ContentType = "application/json; charset=utf-8";
        }
    }

    /// <summary>The message the body holds: the request (<c>*</c>) or its body field's message; null for a body checked by no one here (google.api.HttpBody, a repeated field).</summary>
    private static MessageDescriptor? BodyMessage(RestBinding binding) =>
        binding.WholeBody ? binding.Input
        : binding.BodyField is { FieldType: FieldType.Message, IsRepeated: false } field && field.MessageType.FullName != HttpBody.Descriptor.FullName ? field.MessageType
        : null;

    /// <summary>
    /// The body as UTF-8 JSON: it must say it is JSON (<c>application/json</c> or <c>+json</c>, as transcoding requires) and be
    /// in UTF-8 or another charset .NET knows (then it is re-encoded). Null, with the violation recorded, when it is not.
    /// </summary>
    private static byte[]? Utf8Json(string? contentType, byte[] body, string bodyPath, RequestValidation validation)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var media) ||
            !(media.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase)))
        {
            validation.Add(bodyPath, $"must be JSON (Content-Type: application/json), not {(string.IsNullOrEmpty(contentType) ? "a body without a Content-Type" : ProtoValues.Quote(contentType))}");
            return null;
        }

        var charset = media.Charset.Value;
        if (string.IsNullOrEmpty(charset) || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            return body.AsSpan().StartsWith(Encoding.UTF8.Preamble) ? body[Encoding.UTF8.Preamble.Length..] : body;
        }

        try
        {
            var encoding = Encoding.GetEncoding(charset, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            return Encoding.UTF8.GetBytes(encoding.GetString(body).TrimStart('\uFEFF'));
        }
        catch (Exception error) when (error is ArgumentException or DecoderFallbackException)
        {
            validation.Add(bodyPath, $"is in charset {ProtoValues.Quote(charset)}, which cannot be read; send UTF-8");
            return null;
        }
    }

    /// <summary>
    /// The body as google.protobuf writes the message it holds, for transcoding to read. Its parser is the reference for proto3
    /// JSON: should it refuse what <see cref="JsonBodyCheck"/> let through, that is recorded as a violation of the body.
    /// </summary>
    private static byte[]? Canonical(byte[] json, MessageDescriptor message, string bodyPath, RequestValidation validation)
    {
        try
        {
            return Encoding.UTF8.GetBytes(JsonFormatter.Default.Format(message.Parser.ParseJson(Encoding.UTF8.GetString(json))));
        }
        catch (InvalidProtocolBufferException error)
        {
            validation.Add(bodyPath, $"is not a valid {message.Name}: {error.Message}");
            return null;
        }
    }

    /// <summary>The whole body (within the size limit: larger ones were refused before), or none.</summary>
    private async Task<byte[]> ReadBodyAsync(HttpContext http)
    {
        var request = http.Request;
        if (request.ContentLength == 0 || (request.ContentLength is null && http.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody != true))
        {
            return [];
        }

        using var buffer = new MemoryStream();
        try
        {
            await request.Body.CopyToAsync(buffer, http.RequestAborted);
        }
        catch (BadHttpRequestException tooLarge) when (tooLarge.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            throw RequestAdmission.RequestTooLarge(_maxBytes, null);
        }

        return buffer.ToArray();
    }

    /// <summary>INVALID_ARGUMENT with reason <c>MALFORMED_REQUEST</c>: the body could not be read as the JSON of its message.</summary>
    private static DomainException Malformed(RequestValidation validation)
    {
        var first = validation.Violations[0];
        var message = validation.Violations.Count + validation.Omitted > 1
            ? DomainException.InvalidArgument(validation.Violations, validation.Omitted).Message
            : first.Field.Length == 0 ? $"The request body {first.Description}." : $"Invalid {first.Field}: {first.Description}";
        return new DomainException(ErrorCode.InvalidArgument, MalformedRequests.Reason, message)
        {
            FieldViolations = DomainException.InvalidArgument(validation.Violations, validation.Omitted).FieldViolations,
        };
    }
}
