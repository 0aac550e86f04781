using System.Reflection;
using DirectConnect.Platform.Grpc;
using Google.Api;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Microsoft.OpenApi.Models;

namespace DirectConnect.Gateway.OpenApi;

/// <summary>What the OpenAPI filters read from the protobuf descriptors, in one place.</summary>
internal static class ProtoContracts
{
    /// <summary>The descriptor of a generated message type; null for any other type.</summary>
    public static MessageDescriptor? MessageOf(Type type) =>
        typeof(IMessage).IsAssignableFrom(type)
            ? type.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static)?.GetValue(null) as MessageDescriptor
            : null;

    /// <summary>The field's <c>google.api.field_behavior</c> annotations.</summary>
    public static IReadOnlyCollection<FieldBehavior> Behaviors(FieldDescriptor field) =>
        field.GetOptions()?.GetExtension(FieldBehaviorExtensions.FieldBehavior) ?? [];

    public static bool IsRequired(FieldDescriptor field) => Behaviors(field).Contains(FieldBehavior.Required);

    /// <summary>
    /// The field a JSON path (<c>a.b</c>, lowerCamelCase as in query strings and the document) names in
    /// <paramref name="message"/>, or null.
    /// </summary>
    public static FieldDescriptor? FieldAt(MessageDescriptor message, string jsonPath)
    {
        FieldDescriptor? field = null;
        foreach (var name in jsonPath.Split('.'))
        {
            field = message.Fields.InDeclarationOrder().FirstOrDefault(f => f.JsonName == name || f.Name == name);
            if (field is null)
            {
                return null;
            }

            if (field.FieldType == FieldType.Message)
            {
                message = field.MessageType;
            }
        }

        return field;
    }

    /// <summary>The google.rpc error-detail messages an error may carry (<see cref="StatusResponses.DetailMessages"/>).</summary>
    public static IReadOnlyList<MessageDescriptor> ErrorDetails => StatusResponses.DetailMessages;

    /// <summary>The <c>@type</c> of a message packed in a <c>google.protobuf.Any</c>.</summary>
    public static string TypeUrl(MessageDescriptor message) => "type.googleapis.com/" + message.FullName;

    /// <summary>A reference to the component schema <paramref name="id"/>.</summary>
    public static OpenApiSchema Reference(string id) =>
        new() { Reference = new OpenApiReference { Type = ReferenceType.Schema, Id = id } };
}
