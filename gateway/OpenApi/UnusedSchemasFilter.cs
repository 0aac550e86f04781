using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace DirectConnect.Gateway.OpenApi;

/// <summary>
/// Drops the component schemas no operation reaches: types the generator met on the way and that the
/// filters then described otherwise (the LOA's <c>HttpBody</c>, once its result is bytes). Generators
/// would otherwise emit types no call uses.
/// </summary>
internal sealed class UnusedSchemasFilter : IDocumentFilter
{
    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<OpenApiSchema>(document.Paths.Values
            .SelectMany(path => path.Operations.Values)
            .SelectMany(operation => operation.Parameters.Select(p => p.Schema)
                .Concat(operation.RequestBody?.Content.Values.Select(c => c.Schema) ?? [])
                .Concat(operation.Responses.Values.SelectMany(r => r.Content.Values.Select(c => c.Schema))))
            .Where(schema => schema is not null));
        while (pending.TryPop(out var schema))
        {
            if (schema.Reference is { } reference)
            {
                if (reached.Add(reference.Id) && document.Components.Schemas.TryGetValue(reference.Id, out var component))
                {
                    pending.Push(component);
                }

                continue;
            }

            foreach (var next in schema.AllOf.Concat(schema.OneOf).Concat(schema.AnyOf).Concat(schema.Properties.Values)
                         .Append(schema.Items).Append(schema.AdditionalProperties).Append(schema.Not).OfType<OpenApiSchema>())
            {
                pending.Push(next);
            }
        }

        foreach (var id in document.Components.Schemas.Keys.Where(id => !reached.Contains(id)).ToArray())
        {
            document.Components.Schemas.Remove(id);
        }
    }
}
