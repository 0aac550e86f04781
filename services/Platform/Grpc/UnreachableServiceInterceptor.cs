using DirectConnect.Platform.Errors;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Logging;

namespace DirectConnect.Platform.Grpc;

/// <summary>
/// On a module's calls to another: a call that never reached the other module — UNAVAILABLE
/// without a status of ours, such as Grpc.Net.Client's bare "Error connecting to subchannel." or
/// a sidecar's refusal — fails with <see cref="DomainException.ServiceUnavailable"/>'s status instead,
/// naming the module and saying when to retry, as the edge answers for a module that is down. The
/// transport's text (which holds the module's address) goes to the log only. Modules call each
/// other with unary calls only, so only those are intercepted.
/// </summary>
internal sealed partial class UnreachableServiceInterceptor(string module, ILogger logger) : Interceptor
{
    /// <inheritdoc />
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request,
        ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var call = continuation(request, context);
        return new AsyncUnaryCall<TResponse>(TranslateAsync(call.ResponseAsync, context.Method.ServiceName),
            call.ResponseHeadersAsync, call.GetStatus, call.GetTrailers, call.Dispose);
    }

    private async Task<TResponse> TranslateAsync<TResponse>(Task<TResponse> response, string service)
    {
        try
        {
            return await response.ConfigureAwait(false);
        }
        catch (RpcException exception) when (exception.StatusCode == StatusCode.Unavailable && exception.GetRpcStatus() is null)
        {
            LogUnreachable(module, service, exception);
            throw RpcStatusMapper.ToRpcException(RpcStatusMapper.ToStatus(DomainException.ServiceUnavailable(module, service)));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Module {Module} ({Service}) could not be reached")]
    private partial void LogUnreachable(string module, string service, Exception exception);
}
