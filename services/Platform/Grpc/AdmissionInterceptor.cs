using Grpc.Core;
using Grpc.Core.Interceptors;

namespace DirectConnect.Platform.Grpc;

/// <summary>An interceptor that decides, before a method runs, whether the call may proceed (it throws when not).</summary>
public abstract class AdmissionInterceptor : Interceptor
{
    /// <summary>Throws a <see cref="Errors.DomainException"/> when the call must not proceed.</summary>
    protected abstract void Admit(ServerCallContext context);

    /// <inheritdoc />
    public sealed override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request,
        ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Admit(context);
        return continuation(request, context);
    }

    /// <inheritdoc />
    public sealed override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context,
        ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        Admit(context);
        return continuation(request, responseStream, context);
    }
}
