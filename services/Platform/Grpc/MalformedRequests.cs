using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using DirectConnect.Platform.Errors;
using Google.Protobuf;
using Grpc.AspNetCore.Server;
using Grpc.AspNetCore.Server.Model;
using Grpc.Core;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DirectConnect.Platform.Grpc;

/// <summary>
/// Unparseable request messages are bad input: INVALID_ARGUMENT with reason <c>MALFORMED_REQUEST</c>.
/// grpc-dotnet deserializes a request before any interceptor runs, and answers a parser exception
/// with a bare UNKNOWN ("Exception was thrown by handler."); only an <see cref="RpcException"/> it
/// passes through as it is. So services are bound here, as grpc-dotnet's own binder does it, but
/// with request marshallers that turn <see cref="InvalidProtocolBufferException"/> (garbage,
/// truncated messages, invalid wire types, invalid UTF-8 in strings) into that status.
/// </summary>
public static class MalformedRequests
{
    /// <summary>The ErrorInfo reason of a request whose bytes are not a message of the method's request type.</summary>
    public const string Reason = "MALFORMED_REQUEST";

    /// <summary>
    /// Binds every gRPC service with the guarded request marshallers, in place of grpc-dotnet's default binder.
    /// Call after the last <c>AddGrpc()</c>: each call adds the default binder back.
    /// </summary>
    public static IServiceCollection AddMalformedRequestsAsInvalidArgument(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var grpcServer = typeof(GrpcServiceOptions).Assembly;
        foreach (var binder in services.Where(d => d.ServiceType == typeof(IServiceMethodProvider<>) && d.ImplementationType?.Assembly == grpcServer).ToList())
        {
            services.Remove(binder);
        }

        services.TryAddEnumerable(ServiceDescriptor.Singleton(typeof(IServiceMethodProvider<>), typeof(GuardedServiceMethodProvider<>)));
        return services;
    }

    /// <summary>The status of an unparseable request of type <typeparamref name="TRequest"/>.</summary>
    public static RpcException Malformed<TRequest>(InvalidProtocolBufferException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        // The parser's messages are fixed descriptions of what is wrong with the bytes; nothing internal.
        var error = new DomainException(ErrorCode.InvalidArgument, Reason,
            $"The request is not a valid {typeof(TRequest).Name} message: {exception.Message}")
        {
            Metadata = new Dictionary<string, string> { ["requestType"] = typeof(TRequest).Name },
        };
        return RpcStatusMapper.ToRpcException(RpcStatusMapper.ToStatus(error));
    }

    /// <summary><paramref name="method"/> with a request deserializer that fails with <see cref="Malformed{TRequest}"/>.</summary>
    public static Method<TRequest, TResponse> Guard<TRequest, TResponse>(Method<TRequest, TResponse> method)
        where TRequest : class where TResponse : class
    {
        ArgumentNullException.ThrowIfNull(method);
        var inner = method.RequestMarshaller;
        var guarded = new Marshaller<TRequest>(inner.ContextualSerializer, context =>
        {
            try
            {
                return inner.ContextualDeserializer(context);
            }
            catch (InvalidProtocolBufferException exception)
            {
                throw Malformed<TRequest>(exception);
            }
        });
        return new Method<TRequest, TResponse>(method.Type, method.ServiceName, method.Name, guarded, method.ResponseMarshaller);
    }

    /// <summary>grpc-dotnet's binder (the generated <c>BindService</c>, handlers found by name, the same endpoint metadata), with guarded methods.</summary>
    private sealed class GuardedServiceMethodProvider<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TService>
        : IServiceMethodProvider<TService> where TService : class
    {
        public void OnServiceMethodDiscovery(ServiceMethodProviderContext<TService> context)
        {
            var bind = FindBindMethod();
            if (bind is not null)
            {
                bind.Invoke(null, [new Binder<TService>(context, bind.GetParameters()[1].ParameterType), null]);
            }
        }

        private static MethodInfo? FindBindMethod()
        {
            for (var type = typeof(TService); type is not null; type = type.BaseType)
            {
                if (type.GetCustomAttribute<BindServiceMethodAttribute>() is { } attribute)
                {
                    return attribute.BindType.GetMethod(attribute.BindMethodName, BindingFlags.Public | BindingFlags.Static,
                        binder: null, [typeof(ServiceBinderBase), type], modifiers: null);
                }
            }

            return null;
        }
    }

    private sealed class Binder<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.All)] TService>(
        ServiceMethodProviderContext<TService> context, Type declaringType) : ServiceBinderBase where TService : class
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<UnaryServerMethod<TService, TRequest, TResponse>>(method.Name, [typeof(TRequest), typeof(ServerCallContext)]);
            context.AddUnaryMethod(Guard(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<ServerStreamingServerMethod<TService, TRequest, TResponse>>(method.Name,
                [typeof(TRequest), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]);
            context.AddServerStreamingMethod(Guard(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<ClientStreamingServerMethod<TService, TRequest, TResponse>>(method.Name,
                [typeof(IAsyncStreamReader<TRequest>), typeof(ServerCallContext)]);
            context.AddClientStreamingMethod(Guard(method), metadata, invoker);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler)
        {
            var (invoker, metadata) = Model<DuplexStreamingServerMethod<TService, TRequest, TResponse>>(method.Name,
                [typeof(IAsyncStreamReader<TRequest>), typeof(IServerStreamWriter<TResponse>), typeof(ServerCallContext)]);
            context.AddDuplexStreamingMethod(Guard(method), metadata, invoker);
        }

        private (TDelegate Invoker, List<object> Metadata) Model<TDelegate>(string name, Type[] parameters) where TDelegate : Delegate
        {
            var handler = FindHandler(name, parameters) ?? throw new InvalidOperationException($"Could not find '{name}' on {typeof(TService)}.");
            var metadata = new List<object>();
            metadata.AddRange(typeof(TService).GetCustomAttributes(inherit: true)); // type first: lower priority
            metadata.AddRange(handler.GetCustomAttributes(inherit: true));
            metadata.Add(new HttpMethodMetadata(["POST"], acceptCorsPreflight: true));
            return ((TDelegate)Delegate.CreateDelegate(typeof(TDelegate), handler), metadata);
        }

        /// <summary>The public instance override of the generated base's virtual method (a method hiding it is skipped).</summary>
        private MethodInfo? FindHandler(string name, Type[] parameters)
        {
            for (var type = typeof(TService); type is not null; type = type.BaseType)
            {
                var method = type.GetMethod(name, BindingFlags.Public | BindingFlags.Instance, binder: null, parameters, modifiers: null);
                if (method is null)
                {
                    return null;
                }

                if (method.IsVirtual && method.GetBaseDefinition().DeclaringType == declaringType)
                {
                    return method;
                }
            }

            return null;
        }
    }
}
