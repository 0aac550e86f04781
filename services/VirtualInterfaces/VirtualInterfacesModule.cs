using DirectConnect.VirtualInterfaces.Api;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;

namespace DirectConnect.VirtualInterfaces;

/// <summary>Wires the VirtualInterfaces module into a host.</summary>
public static class VirtualInterfacesModule
{
    /// <summary>Registers the module's services.</summary>
    public static IHostApplicationBuilder AddVirtualInterfaces(this IHostApplicationBuilder builder) => builder;

    /// <summary>Maps the module's gRPC services.</summary>
    public static IEndpointRouteBuilder MapVirtualInterfaces(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGrpcService<VirtualInterfaceGrpcService>();
        return endpoints;
    }
}
