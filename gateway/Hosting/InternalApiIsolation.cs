using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.ServiceIdentity;
using Google.Protobuf.Reflection;
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
    /// Registers reflection (both <c>grpc.reflection.v1</c>, which grpcurl asks first, and
    /// <c>v1alpha</c>) over the public services only (the endpoints not marked
    /// <see cref="InternalApiMetadata"/>), in place of grpc-dotnet's, which lists every mapped service.
    /// Besides the services' files it serves those of the error model (<c>google/rpc/status.proto</c>
    /// and <c>error_details.proto</c>), so that a tool without the protos can decode the
    /// <c>google.rpc.Status</c> in <c>grpc-status-details-bin</c> and every detail it carries.
    /// </summary>
    public static IServiceCollection AddPublicGrpcReflection(this IServiceCollection services)
    {
        // grpc-dotnet's AddGrpcReflection uses TryAdd, so these registrations win.
        services.AddSingleton(provider => PublicReflection.From(provider.GetRequiredService<EndpointDataSource>()));
        services.AddSingleton(provider => provider.GetRequiredService<PublicReflection>().V1Alpha());
        services.AddSingleton(provider => provider.GetRequiredService<PublicReflection>().V1());
        return services.AddGrpcReflection();
    }

    /// <summary>What reflection serves: the public services' names, and the files defining them and the error model.</summary>
    private sealed record PublicReflection(IReadOnlyList<string> Services, IReadOnlyList<FileDescriptor> Files)
    {
        public static PublicReflection From(EndpointDataSource endpoints)
        {
            var descriptors = endpoints.Endpoints
                .Where(e => e.Metadata.GetMetadata<InternalApiMetadata>() is null)
                .Select(e => e.Metadata.GetMetadata<GrpcMethodMetadata>()?.ServiceType)
                .OfType<Type>()
                .Distinct()
                .Select(DescriptorOf)
                .OfType<ServiceDescriptor>()
                .ToList();
            // SymbolRegistry adds each file's dependencies too; error_details.proto holds every detail type
            // (ErrorInfo, BadRequest, PreconditionFailure, QuotaFailure, ResourceInfo, RetryInfo, Help, LocalizedMessage).
            var files = descriptors.Select(d => d.File)
                .Append(Google.Rpc.Status.Descriptor.File)
                .Append(Google.Rpc.ErrorInfo.Descriptor.File)
                .Distinct()
                .ToList();
            return new PublicReflection(descriptors.Select(d => d.FullName).ToList(), files);
        }

        public ReflectionServiceImpl V1Alpha() => new(Services, SymbolRegistry.FromFiles(Files));

        public ReflectionV1ServiceImpl V1() => new(Services, SymbolRegistry.FromFiles(Files));
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

            if (StatusResponses.GrpcResponseContentType(context.Request) is { } contentType)
            {
                // What grpc-dotnet answers for a service it does not know (gRPC-Web too, in its own content type).
                context.Response.StatusCode = StatusCodes.Status200OK;
                context.Response.ContentType = contentType;
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
