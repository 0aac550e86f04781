using DirectConnect.Platform.ServiceIdentity;
using ServiceDescriptor = Google.Protobuf.Reflection.ServiceDescriptor;
using Grpc.AspNetCore.Server;
using Grpc.Reflection;

namespace DirectConnect.Gateway.Hosting;

/// <summary>
/// Keeps the internal API (<c>directconnect.internal.v1</c>) off the public face. A process that is
/// the public edge and also hosts modules (the embedded default) serves their internal API only on
/// a loopback listener of its own, which serves nothing else: on the public ports an internal
/// method answers exactly as a method that does not exist (gRPC <c>UNIMPLEMENTED</c>, REST 404),
/// before any authentication. Reflection lists public services only, in every process.
/// </summary>
public static class InternalApiIsolation
{
    /// <summary>
    /// Registers reflection over the public services only (the endpoints not marked
    /// <see cref="InternalApiMetadata"/>), in place of grpc-dotnet's, which lists every mapped service.
    /// </summary>
    public static IServiceCollection AddPublicGrpcReflection(this IServiceCollection services)
    {
        // grpc-dotnet's AddGrpcReflection uses TryAdd, so this registration wins.
        services.AddSingleton(provider =>
        {
            var descriptors = provider.GetRequiredService<EndpointDataSource>().Endpoints
                .Where(e => e.Metadata.GetMetadata<InternalApiMetadata>() is null)
                .Select(e => e.Metadata.GetMetadata<GrpcMethodMetadata>()?.ServiceType)
                .OfType<Type>()
                .Distinct()
                .Select(DescriptorOf)
                .OfType<ServiceDescriptor>()
                .ToList();
            return new ReflectionServiceImpl(descriptors);
        });
        return services.AddGrpcReflection();
    }

    /// <summary>
    /// Answers a request that reached the wrong listener as if its method did not exist: an internal
    /// method on a public port, or anything but an internal method on the internal port.
    /// </summary>
    public static IApplicationBuilder UseInternalApiIsolation(this IApplicationBuilder app, GatewayEndpoints endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return app.Use(async (context, next) =>
        {
            var isInternal = context.GetEndpoint()?.Metadata.GetMetadata<InternalApiMetadata>() is not null;
            if (isInternal == endpoints.IsInternalListener(context.Connection.LocalPort))
            {
                await next(context);
                return;
            }

            if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true)
            {
                // What grpc-dotnet answers for a service it does not know.
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = "application/grpc";
                context.Response.Headers["grpc-status"] = "12";
                context.Response.Headers["grpc-message"] = "Service is unimplemented.";
                await context.Response.CompleteAsync();
                return;
            }

            context.Response.StatusCode = StatusCodes.Status404NotFound;
        });
    }

    // The generated service base's declaring class holds the descriptor (as grpc-dotnet's reflection finds it).
    private static ServiceDescriptor? DescriptorOf(Type serviceType)
    {
        var baseType = serviceType.BaseType;
        while (baseType?.BaseType?.BaseType is not null)
        {
            baseType = baseType.BaseType;
        }

        return baseType?.DeclaringType?.GetProperty("Descriptor", System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)
            ?.GetValue(null) as ServiceDescriptor;
    }
}
