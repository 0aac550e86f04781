using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Tenancy;
using Google.Api;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace DirectConnect.Gateway.OpenApi;

/// <summary>
/// Each transcoded operation from its gRPC method, so a new method is described right without code of
/// its own: its <c>operationId</c> is the method name (unique across the API; what generators name
/// client methods after), a <c>REQUIRED</c> query field is a required parameter, a body's fields bound
/// from the path are not repeated in it, an update's body requires nothing (its field mask says what
/// changes), a <c>google.api.HttpBody</c> result is bytes of the media type the method declares, a
/// stream served by another endpoint (the watch as server-sent events) is described as that endpoint
/// serves it, and errors are a <c>google.rpc.Status</c> for every 4xx and 5xx.
/// </summary>
internal sealed class ProtoOperationFilter(EndpointDataSource endpoints) : IOperationFilter
{
    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        if (context.ApiDescription.ActionDescriptor.EndpointMetadata.OfType<GrpcJsonTranscodingMetadata>().FirstOrDefault() is not { } transcoding)
        {
            return;
        }

        var method = transcoding.MethodDescriptor;
        operation.OperationId = method.Name;
        foreach (var parameter in operation.Parameters.Where(p => p.In == ParameterLocation.Query))
        {
            if (ProtoContracts.FieldAt(method.InputType, parameter.Name) is { } field && ProtoContracts.IsRequired(field))
            {
                parameter.Required = true;
            }
        }

        DescribeBody(operation, context, transcoding.HttpRule.Body, method);
        DescribeResult(operation, context, method);
        DescribeErrors(operation, context);
    }

    private static void DescribeBody(OpenApiOperation operation, OperationFilterContext context, string body, MethodDescriptor method)
    {
        if (operation.RequestBody is null)
        {
            return;
        }

        var schemas = operation.RequestBody.Content.Values.Select(c => c.Schema).Where(s => s?.Reference is not null).ToArray();
        if (body == "*")
        {
            // The whole request is the body, but what the path binds comes from the path: it is not asked for twice.
            operation.RequestBody.Required = true;
            var fromPath = operation.Parameters.Where(p => p.In == ParameterLocation.Path).Select(p => p.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var component in schemas.Select(s => context.SchemaRepository.Schemas[s.Reference.Id]))
            {
                foreach (var name in fromPath)
                {
                    component.Properties.Remove(name);
                    component.Required.Remove(name);
                }
            }

            return;
        }

        var bodyField = method.InputType.FindFieldByName(body);
        operation.RequestBody.Required = bodyField is not null && ProtoContracts.IsRequired(bodyField);
        var masked = method.InputType.Fields.InDeclarationOrder().Any(f => f.FieldType == FieldType.Message && f.MessageType.FullName == FieldMask.Descriptor.FullName);
        if (!masked)
        {
            return;
        }

        // An update (AIP-134) sends only the fields its mask names: the resource's required fields are required
        // when it is created, not in every change to it.
        foreach (var content in operation.RequestBody.Content.Values.Where(c => c.Schema?.Reference is not null))
        {
            content.Schema = ProtoContracts.Reference(UpdateSchema(context.SchemaRepository, content.Schema.Reference.Id));
        }
    }

    private static string UpdateSchema(SchemaRepository repository, string resourceId)
    {
        var id = resourceId + ".Update";
        if (!repository.Schemas.ContainsKey(id))
        {
            var resource = repository.Schemas[resourceId];
            repository.AddDefinition(id, new OpenApiSchema
            {
                Type = resource.Type,
                Description = $"The changes to a {resourceId}: the fields named in `updateMask` (or, without one, every updatable field that is set). Fields a new one requires may be left out.",
                Properties = new Dictionary<string, OpenApiSchema>(resource.Properties),
                AdditionalPropertiesAllowed = resource.AdditionalPropertiesAllowed,
                AdditionalProperties = resource.AdditionalProperties,
            });
        }

        return id;
    }

    private void DescribeResult(OpenApiOperation operation, OperationFilterContext context, MethodDescriptor method)
    {
        if (!operation.Responses.TryGetValue("200", out var ok))
        {
            return;
        }

        if (method.OutputType.FullName == HttpBody.Descriptor.FullName)
        {
            // The body is the bytes themselves, not an HttpBody message as JSON.
            var mediaType = method.GetOptions()?.GetExtension(MediaTypeExtensions.ResponseMediaType) is { Length: > 0 } declared ? declared : "application/octet-stream";
            ok.Content = new Dictionary<string, OpenApiMediaType>
            {
                [mediaType] = new() { Schema = new OpenApiSchema { Type = "string", Format = "binary" } },
            };
            return;
        }

        if (method.IsServerStreaming && ServedAs(method) is { } served)
        {
            var item = context.SchemaGenerator.GenerateSchema(method.OutputType.ClrType, context.SchemaRepository);
            ok.Description = served.Description ?? ok.Description;
            ok.Content = served.ContentTypes.ToDictionary(type => type, _ => new OpenApiMediaType
            {
                Schema = new OpenApiSchema { Type = "string", Description = $"A stream of events; each carries one {item.Reference?.Id ?? method.OutputType.Name} as JSON." },
            });
        }
    }

    /// <summary>
    /// The endpoint that serves a method's REST form in place of its transcoded route (it declares the
    /// method and what it produces), e.g. the watch as server-sent events; null when transcoding serves it.
    /// </summary>
    private (IReadOnlyList<string> ContentTypes, string? Description)? ServedAs(MethodDescriptor method)
    {
        foreach (var endpoint in endpoints.Endpoints)
        {
            if (endpoint.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>() is null &&
                endpoint.Metadata.GetMetadata<PublicMethodMetadata>()?.Method.FullName == method.FullName &&
                endpoint.Metadata.GetOrderedMetadata<IProducesResponseTypeMetadata>().FirstOrDefault(p => p.StatusCode == StatusCodes.Status200OK) is { } produces)
            {
                return ([.. produces.ContentTypes], endpoint.Metadata.GetMetadata<IEndpointDescriptionMetadata>()?.Description);
            }
        }

        return null;
    }

    private static void DescribeErrors(OpenApiOperation operation, OperationFilterContext context)
    {
        var status = context.SchemaGenerator.GenerateSchema(typeof(Google.Rpc.Status), context.SchemaRepository);
        operation.Responses.Remove("default");
        operation.Responses["4XX"] = Error(status,
            "Refused: a google.rpc.Status whose ErrorInfo detail gives the reason, e.g. INVALID_ARGUMENT or FAILED_PRECONDITION (400, with the bad fields or " +
            "violated preconditions as details), UNAUTHENTICATED (401), PERMISSION_DENIED (403), NOT_FOUND (404), ABORTED or ALREADY_EXISTS (409), " +
            "REQUEST_TOO_LARGE (413), RATE_LIMITED (429, with Retry-After).");
        operation.Responses["5XX"] = Error(status,
            "Failed: a google.rpc.Status, e.g. INTERNAL (500, with only a trace id to quote), UNAVAILABLE (503) or DEADLINE_EXCEEDED (504).");
    }

    private static OpenApiResponse Error(OpenApiSchema status, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType> { ["application/json"] = new() { Schema = status } },
    };
}
