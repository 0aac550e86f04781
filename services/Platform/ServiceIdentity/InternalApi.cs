using System.Collections.Frozen;
using DirectConnect.Contracts.Internal.V1;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace DirectConnect.Platform.ServiceIdentity;

/// <summary>Marks an endpoint of the internal API (<c>directconnect.internal.v1</c>): a public edge neither serves nor lists it.</summary>
public sealed class InternalApiMetadata
{
    /// <summary>The one instance.</summary>
    public static readonly InternalApiMetadata Instance = new();

    private InternalApiMetadata()
    {
    }
}

/// <summary>
/// The internal API's methods (<c>directconnect.internal.v1</c>) by gRPC path, each with the app-ids
/// it allows (<c>option (directconnect.internal.v1.callers)</c>), read once from the contracts.
/// </summary>
public sealed class InternalMethodCatalog
{
    private readonly FrozenDictionary<string, MethodDescriptor> _methods =
        Services().SelectMany(s => s.Methods).ToFrozenDictionary(m => $"/{m.Service.FullName}/{m.Name}", StringComparer.Ordinal);

    /// <summary>Which module serves each internal service (as <c>DirectConnect:Modules</c> names it).</summary>
    public static readonly IReadOnlyDictionary<string, string> ModuleOfService = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        [PhysicalConnectionReservationService.Descriptor.FullName] = "PhysicalConnections",
        [BorderGatewayReservationService.Descriptor.FullName] = "BorderGateways",
        [DataPlaneService.Descriptor.FullName] = "VirtualInterfaces",
    };

    /// <summary>The internal method at <paramref name="path"/>, or null.</summary>
    public MethodDescriptor? Find(string path) => _methods.GetValueOrDefault(path);

    /// <summary>The app-ids <paramref name="method"/> allows; empty when it declares none (nobody may call it).</summary>
    public static IReadOnlyList<string> CallersOf(MethodDescriptor method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return method.GetOptions()?.GetExtension(CallersExtensions.Callers)?.AppIds.ToArray() ?? [];
    }

    /// <summary>Every service of the internal API, found through the generated reflection classes.</summary>
    public static IReadOnlyList<Google.Protobuf.Reflection.ServiceDescriptor> Services() =>
        Tenancy.MethodAccessCatalog.ServicesOf(typeof(Callers).Assembly, "directconnect.internal.v1");
}

/// <summary>Wiring of the internal API into a host.</summary>
public static class InternalApi
{
    /// <summary>The authorization policy of internal endpoints: a service identity, and nothing else.</summary>
    public const string Policy = "InternalApi";

    /// <summary>
    /// Adds service tokens (<see cref="ServiceCredentials"/>), the <c>ServiceIdentity</c>
    /// authentication scheme and the internal API's policy.
    /// </summary>
    public static IServiceCollection AddServiceIdentity(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.Configure<ServiceIdentityOptions>(configuration.GetSection(ServiceIdentityOptions.Section));
        services.TryAddSingleton<ServiceCredentials>();
        services.TryAddSingleton<InternalMethodCatalog>();
        services.AddAuthentication()
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ServiceIdentityAuthenticationHandler>(
                ServiceIdentityAuthenticationHandler.SchemeName, null);
        services.AddAuthorizationBuilder().AddPolicy(Policy, new AuthorizationPolicyBuilder(ServiceIdentityAuthenticationHandler.SchemeName)
            .RequireClaim(ServiceCredentials.ServiceClaim)
            .Build());
        return services;
    }

    /// <summary>Maps <typeparamref name="TService"/> as part of the internal API: service identities only, marked internal.</summary>
    public static IEndpointConventionBuilder MapInternalGrpcService<TService>(this IEndpointRouteBuilder endpoints)
        where TService : class =>
        endpoints.MapGrpcService<TService>()
            .RequireAuthorization(Policy)
            .WithMetadata(InternalApiMetadata.Instance);
}
