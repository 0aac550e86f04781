using System.Diagnostics;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Hosting;
using DirectConnect.Platform.Telemetry;
using DirectConnect.Platform.Tenancy;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectConnect.Platform.Grpc;

/// <summary>
/// The one interceptor of every call, and the one place where failures become wire errors: domain errors become their rich
/// status; anything unexpected is logged with its trace id and answered with a bare INTERNAL that carries only that trace
/// id — never an exception message or a stack trace. Around a unary or server-streaming call it also does, in this order,
/// what separate interceptors used to: records the call in <see cref="RpcMetrics"/> with the code the client gets
/// (outermost), and asks <see cref="MethodAccess"/> whether the caller may call the method (before it runs, inside the
/// error translation, so a refusal is the API's status). One interceptor, created once, is one async frame per call
/// instead of three, each of them created for every call.
/// </summary>
public sealed partial class ErrorInterceptor(ILogger<ErrorInterceptor> logger, IOptions<RequestLimitOptions> limits, RpcMetrics metrics, MethodAccess access)
    : Interceptor
{
    private readonly int _maxBytes = limits.Value.Validated();

    /// <inheritdoc />
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request,
        ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.Unknown;
        try
        {
            access.Admit(context);
            var response = await continuation(request, context);
            code = StatusCode.OK;
            return response;
        }
        catch (Exception exception) when (Translate(exception, context) is { } translated)
        {
            code = translated.StatusCode;
            throw translated;
        }
        catch (RpcException passedOn)
        {
            code = passedOn.StatusCode;
            throw;
        }
        finally
        {
            metrics.Record(context.Method, code, started);
        }
    }

    /// <inheritdoc />
    public override async Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(continuation);
        var started = Stopwatch.GetTimestamp();
        var code = StatusCode.Unknown;
        try
        {
            access.Admit(context);
            await continuation(request, responseStream, context);
            code = StatusCode.OK;
        }
        catch (Exception exception) when (Translate(exception, context) is { } translated)
        {
            code = translated.StatusCode;
            throw translated;
        }
        catch (RpcException passedOn)
        {
            code = passedOn.StatusCode;
            throw;
        }
        finally
        {
            metrics.Record(context.Method, code, started);
        }
    }

    /// <inheritdoc />
    public override async Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            // The request's messages are read while the method runs: one over the size limit is refused here.
            return await continuation(MessageSizeLimit.Bounded(requestStream, _maxBytes), context);
        }
        catch (Exception exception) when (Translate(exception, context) is { } translated)
        {
            throw translated;
        }
    }

    /// <inheritdoc />
    public override async Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            await continuation(MessageSizeLimit.Bounded(requestStream, _maxBytes), responseStream, context);
        }
        catch (Exception exception) when (Translate(exception, context) is { } translated)
        {
            throw translated;
        }
    }

    private RpcException? Translate(Exception exception, ServerCallContext context)
    {
        switch (exception)
        {
            case DomainException domain:
                SetRetryAfter(context, domain.RetryDelay);
                return RpcStatusMapper.ToRpcException(RpcStatusMapper.ToStatus(domain));
            case RpcException rpc:
                // Already a wire error (e.g. another module's, passed on); its retry hint too.
                SetRetryAfter(context, rpc.GetRpcStatus()?.Detail<Google.Rpc.RetryInfo>()?.RetryDelay?.ToTimeSpan());
                return null;
            case OperationCanceledException when context.CancellationToken.IsCancellationRequested:
                return new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled."));
            default:
                var traceId = Activity.Current?.TraceId.ToString() ?? context.GetHttpContext().TraceIdentifier;
                LogUnexpected(context.Method, traceId, exception);
                return RpcStatusMapper.ToRpcException(RpcStatusMapper.Internal(traceId));
        }
    }

    private static void SetRetryAfter(ServerCallContext context, TimeSpan? delay)
    {
        if (delay is { } after && context.GetHttpContext().Response is { HasStarted: false } response)
        {
            // REST clients and proxies read Retry-After; gRPC clients read the RetryInfo detail.
            response.Headers.RetryAfter = StatusResponses.RetryAfter(after);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Unexpected failure in {Method} (trace id {TraceId})")]
    private partial void LogUnexpected(string method, string traceId, Exception exception);
}
