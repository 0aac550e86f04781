using Microsoft.OpenApi.Models;

namespace DirectConnect.Gateway.OpenApi;

/// <summary>
/// The OpenAPI document of the REST/JSON API (<c>/openapi/v1.json</c>): Swashbuckle over the transcoded
/// gRPC methods (Microsoft.AspNetCore.Grpc.Swagger), described from the protobuf descriptors by the
/// filters of this folder so that OpenAPI generators (openapi-typescript, Kiota, …) produce working clients.
/// </summary>
public static class OpenApiSetup
{
    /// <summary>Registers the document's generator.</summary>
    public static IServiceCollection AddOpenApiDocument(this IServiceCollection services)
    {
        services.AddGrpcSwagger();
        services.AddSwaggerGen(swagger =>
        {
            swagger.SwaggerDoc("v1", new OpenApiInfo
            {
                Title = "DirectConnect API",
                Version = "v1",
                Description = "Dedicated-line connectivity: physical connections, border gateways, virtual interfaces, VPC catalog, routes and reachability.",
                // The project's licence (LICENSE at the repository root).
                License = new OpenApiLicense { Name = "Apache-2.0", Url = new Uri("https://www.apache.org/licenses/LICENSE-2.0") },
            });
            // Nested proto types (every resource has its own State) need qualified schema ids.
            swagger.CustomSchemaIds(type => (type.FullName ?? type.Name)
                .Replace("DirectConnect.Contracts.V1.", "", StringComparison.Ordinal)
                .Replace("+Types+", ".", StringComparison.Ordinal)
                .Replace('+', '.'));
            var contractsXml = Path.Combine(AppContext.BaseDirectory, "DirectConnect.Contracts.xml");
            if (File.Exists(contractsXml))
            {
                swagger.IncludeGrpcXmlComments(contractsXml, includeControllerXmlComments: true);
            }

            swagger.MapWellKnownTypes();
            swagger.SchemaFilter<FieldBehaviorSchemaFilter>();
            swagger.SchemaFilter<ErrorSchemaFilter>();
            swagger.OperationFilter<ProtoOperationFilter>();
            swagger.DocumentFilter<UnusedSchemasFilter>();

            swagger.AddSecurityDefinition("bearer", new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A token with the account claim and the customer or operator role.",
            });
            swagger.AddSecurityRequirement(new OpenApiSecurityRequirement
            {
                [new OpenApiSecurityScheme { Reference = new OpenApiReference { Type = ReferenceType.SecurityScheme, Id = "bearer" } }] = [],
            });
        });
        return services;
    }

    // Where the documents are served.
    private const string DocumentPathBase = "/openapi";

    /// <summary>
    /// Serves the document at <c>/openapi/{documentName}.json</c>. Its server is <paramref name="publicRestUrl"/> when
    /// configured (the address clients use, e.g. behind a TLS proxy), else the scheme and host the document was fetched
    /// with: absolute either way, as generators want one (Kiota warns about a relative <c>/</c> and cannot use it
    /// from a saved file).
    /// </summary>
    public static IApplicationBuilder UseOpenApiDocument(this IApplicationBuilder app, string? publicRestUrl)
    {
        var configured = string.IsNullOrWhiteSpace(publicRestUrl) ? null : publicRestUrl.TrimEnd('/');
        if (configured is not null && !(Uri.TryCreate(configured, UriKind.Absolute, out var url) && url.Scheme is "http" or "https"))
        {
            throw new InvalidOperationException($"DirectConnect:PublicRestUrl must be an absolute http or https URL, e.g. https://dx.example.com; it is '{configured}'.");
        }

        // Only its own paths go through Swashbuckle's middleware, which resolves a document provider on every request it sees.
        return app.UseWhen(context => context.Request.Path.StartsWithSegments(DocumentPathBase, StringComparison.Ordinal), openApi => openApi.UseSwagger(options =>
        {
            options.RouteTemplate = DocumentPathBase.TrimStart('/') + "/{documentName}.json";
            options.PreSerializeFilters.Add((document, request) => document.Servers =
            [
                new OpenApiServer
                {
                    Url = configured ?? $"{request.Scheme}://{request.Host}{request.PathBase}",
                    Description = configured is null ? "The gateway's REST/JSON address this document was fetched from." : "The gateway's REST/JSON address.",
                },
            ]);
        }));
    }
}
