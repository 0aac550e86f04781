using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace DirectConnect.Gateway.OpenApi;

/// <summary>
/// The protobuf types whose JSON form is not their C# shape (the proto3 JSON mapping): timestamps are
/// RFC 3339 strings, durations <c>"1.5s"</c>, field masks one comma-separated string, 64-bit integers
/// decimal strings (a JSON number cannot hold them exactly), bytes base64, wrappers their value or null,
/// <c>Struct</c>/<c>Value</c>/<c>ListValue</c> free-form JSON and <c>Any</c> an object with <c>@type</c>.
/// Mapped by type, so every field and parameter of such a type is described the same way.
/// </summary>
internal static class WellKnownTypeSchemas
{
    private static OpenApiSchema Text(string? format = null, string? description = null, string? pattern = null, bool nullable = false) =>
        new() { Type = "string", Format = format, Description = description, Pattern = pattern, Nullable = nullable };

    // No `format: int64` beside `type: string`: generators that know that format know it for integers only (Kiota warns and drops it).
    private const string Int64Text = "A 64-bit integer as a decimal string, e.g. \"64512\" (the proto3 JSON form; a number is accepted too).";
    private const string SignedDigits = "^-?[0-9]+$";
    private const string Digits = "^[0-9]+$";

    private static readonly Dictionary<System.Type, Func<OpenApiSchema>> Mappings = new()
    {
        [typeof(Timestamp)] = () => Text("date-time", "A UTC instant in RFC 3339 form, e.g. 2026-05-01T08:30:00Z."),
        [typeof(Duration)] = () => Text(description: "A duration in seconds with an `s` suffix, e.g. \"1.5s\".", pattern: "^-?[0-9]+(\\.[0-9]{1,9})?s$"),
        [typeof(FieldMask)] = () => Text(description: "Field paths in lowerCamelCase, separated by commas, e.g. \"name,description\"."),
        [typeof(Struct)] = () => new OpenApiSchema { Type = "object", AdditionalPropertiesAllowed = true, Description = "Any JSON object." },
        [typeof(Value)] = () => new OpenApiSchema { Description = "Any JSON value." },
        [typeof(ListValue)] = () => new OpenApiSchema { Type = "array", Items = new OpenApiSchema(), Description = "A JSON array of any values." },
        [typeof(NullValue)] = () => new OpenApiSchema { Description = "JSON null." },
        [typeof(Any)] = () => new OpenApiSchema
        {
            Type = "object",
            Required = new SortedSet<string> { "@type" },
            Properties = new Dictionary<string, OpenApiSchema> { ["@type"] = Text(description: "The type URL of the packed message, e.g. type.googleapis.com/google.rpc.ErrorInfo.") },
            AdditionalPropertiesAllowed = true,
            Description = "A message of the type named by `@type`, its fields beside it.",
        },
        [typeof(Empty)] = () => new OpenApiSchema { Type = "object", Description = "An empty object." },
        [typeof(long)] = () => Text(description: Int64Text, pattern: SignedDigits),
        [typeof(long?)] = () => Text(description: Int64Text, pattern: SignedDigits),
        [typeof(ulong)] = () => Text(description: Int64Text, pattern: Digits),
        [typeof(ulong?)] = () => Text(description: Int64Text, pattern: Digits),
        [typeof(uint)] = () => new OpenApiSchema { Type = "integer", Format = "int64", Minimum = 0, Maximum = uint.MaxValue },
        [typeof(ByteString)] = () => Text("byte", "Bytes, base64-encoded."),
        // Wrappers are their value, or null when unset.
        [typeof(Int64Value)] = () => Text(description: Int64Text, pattern: SignedDigits, nullable: true),
        [typeof(UInt64Value)] = () => Text(description: Int64Text, pattern: Digits, nullable: true),
        [typeof(Int32Value)] = () => new OpenApiSchema { Type = "integer", Format = "int32", Nullable = true },
        [typeof(UInt32Value)] = () => new OpenApiSchema { Type = "integer", Format = "int64", Minimum = 0, Maximum = uint.MaxValue, Nullable = true },
        [typeof(BoolValue)] = () => new OpenApiSchema { Type = "boolean", Nullable = true },
        [typeof(StringValue)] = () => Text(nullable: true),
        [typeof(BytesValue)] = () => Text("byte", "Bytes, base64-encoded.", nullable: true),
        [typeof(FloatValue)] = () => new OpenApiSchema { Type = "number", Format = "float", Nullable = true },
        [typeof(DoubleValue)] = () => new OpenApiSchema { Type = "number", Format = "double", Nullable = true },
    };

    /// <summary>Maps every type above to its JSON schema.</summary>
    public static void MapWellKnownTypes(this SwaggerGenOptions swagger)
    {
        foreach (var (type, schema) in Mappings)
        {
            swagger.MapType(type, schema);
        }
    }
}
