using Google.Api;
using Google.Protobuf.Reflection;
using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace DirectConnect.Gateway.OpenApi;

/// <summary>
/// A message's schema from its descriptor's annotations, so a new field is described right without
/// code of its own: <c>REQUIRED</c> fields are <c>required</c>, <c>OUTPUT_ONLY</c> ones <c>readOnly</c>
/// (a client never sends them) and <c>INPUT_ONLY</c> ones <c>writeOnly</c> (never returned: the BGP
/// auth key), and nothing else is. <c>bytes</c> fields are base64 strings, and no field is <c>nullable</c>
/// but those proto3 JSON writes as null.
/// </summary>
internal sealed class FieldBehaviorSchemaFilter : ISchemaFilter
{
    public void Apply(OpenApiSchema schema, SchemaFilterContext context)
    {
        if (context.MemberInfo is not null || ProtoContracts.MessageOf(context.Type) is not { } message || schema.Properties is null)
        {
            return;
        }

        foreach (var field in message.Fields.InFieldNumberOrder())
        {
            if (!schema.Properties.TryGetValue(field.JsonName, out var property))
            {
                continue;
            }

            var behaviors = ProtoContracts.Behaviors(field);
            if (behaviors.Contains(FieldBehavior.Required))
            {
                schema.Required.Add(field.JsonName);
            }

            if (field.FieldType == FieldType.Bytes)
            {
                (property.Items ?? property).Format = "byte";
            }

            if (!NullInJson(field))
            {
                // Proto3 JSON writes no null but for the types above: a C# reference type or a get-only property
                // (as the generator reads them) says nothing about the wire.
                foreach (var part in new[] { property, property.Items, property.AdditionalProperties }.OfType<OpenApiSchema>())
                {
                    part.Nullable = false;
                }
            }

            property.ReadOnly = false;
            if (behaviors.Contains(FieldBehavior.OutputOnly))
            {
                schema.Properties[field.JsonName] = Extendable(property);
                schema.Properties[field.JsonName].ReadOnly = true;
            }
            else if (behaviors.Contains(FieldBehavior.InputOnly))
            {
                schema.Properties[field.JsonName] = Extendable(property);
                schema.Properties[field.JsonName].WriteOnly = true;
            }
        }
    }

    // The wrappers and google.protobuf.Value are the only fields whose JSON may be null.
    private static bool NullInJson(FieldDescriptor field) =>
        field.FieldType == FieldType.Message && !field.IsRepeated && !field.IsMap &&
        field.MessageType.File.Package == "google.protobuf" &&
        (field.MessageType.Name.EndsWith("Value", StringComparison.Ordinal) && field.MessageType.Name != nameof(Google.Protobuf.WellKnownTypes.ListValue));

    // In OpenAPI 3.0 whatever stands beside a $ref is ignored: a referenced type is wrapped in allOf to carry readOnly.
    private static OpenApiSchema Extendable(OpenApiSchema property) =>
        property.Reference is null ? property : new OpenApiSchema { AllOf = [property] };
}
