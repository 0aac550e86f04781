using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace DirectConnect.Gateway.OpenApi;

/// <summary>
/// <c>google.rpc.Status</c> with typed details: each detail is one of the google.rpc error-detail
/// messages the server writes (<see cref="ProtoContracts.ErrorDetails"/>), told apart by its
/// <c>@type</c> (a discriminator), rather than an untyped <c>Any</c>. A generated client can then read
/// an error's <c>ErrorInfo.reason</c> as a typed field.
/// </summary>
internal sealed class ErrorSchemaFilter : ISchemaFilter
{
    /// <summary>The component of one detail: a oneOf of the detail messages.</summary>
    public const string DetailId = "ErrorDetail";

    public void Apply(OpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.MemberInfo is not null || ProtoContracts.MessageOf(context.Type) is not { } message)
        {
            return;
        }

        if (message.FullName == Google.Rpc.Status.Descriptor.FullName && schema.Properties.TryGetValue("details", out var details))
        {
            details.Items = DetailSchema(context);
        }
        else if (ProtoContracts.ErrorDetails.Contains(message))
        {
            var typeUrl = ProtoContracts.TypeUrl(message);
            schema.Properties = new Dictionary<string, OpenApiSchema>
            {
                ["@type"] = new() { Type = "string", Enum = [new Microsoft.OpenApi.Any.OpenApiString(typeUrl)], Description = "What kind of detail this is." },
            }.Concat(schema.Properties).ToDictionary();
            schema.Required.Add("@type");
        }
    }

    private static OpenApiSchema DetailSchema(SchemaFilterContext context)
    {
        if (!context.SchemaRepository.Schemas.ContainsKey(DetailId))
        {
            var members = ProtoContracts.ErrorDetails.Select(d => (Url: ProtoContracts.TypeUrl(d), Schema: context.SchemaGenerator.GenerateSchema(d.ClrType, context.SchemaRepository))).ToArray();
            context.SchemaRepository.AddDefinition(DetailId, new OpenApiSchema
            {
                Description = $"One detail of an error, told apart by its `@type`: {string.Join(", ", ProtoContracts.ErrorDetails.Select(d => d.Name))}. " +
                              "Every error carries an ErrorInfo, whose `reason` is the stable error code.",
                OneOf = [.. members.Select(m => m.Schema)],
                Discriminator = new OpenApiDiscriminator
                {
                    PropertyName = "@type",
                    Mapping = members.ToDictionary(m => m.Url, m => "#/components/schemas/" + m.Schema.Reference.Id),
                },
            });
        }

        return ProtoContracts.Reference(DetailId);
    }
}
