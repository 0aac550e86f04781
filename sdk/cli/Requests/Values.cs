using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace DirectConnect.Cli.Requests;

/// <summary>
/// A typed word from the command line as the field's JSON value (proto3 JSON, which the request is
/// then parsed from): numbers checked here, so that each bad one is named by its option; enum values
/// by their short name (<c>frr</c> for <c>ROUTER_VENDOR_FRR</c>) or their full one.
/// </summary>
public static class Values
{
    /// <summary>The JSON value of <paramref name="text"/> for a (single) <paramref name="field"/>, or null with <paramref name="problem"/> set.</summary>
    public static JsonNode? ToJson(FieldDescriptor field, string text, out string? problem)
    {
        problem = null;
        switch (field.FieldType)
        {
            case FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32:
                return Whole(text, int.MinValue, int.MaxValue, out problem) is { } i ? JsonValue.Create(i) : null;
            case FieldType.UInt32 or FieldType.Fixed32:
                return Whole(text, 0, uint.MaxValue, out problem) is { } u ? JsonValue.Create(u) : null;
            case FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64:
                return Whole(text, long.MinValue, long.MaxValue, out problem) is { } l ? JsonValue.Create(l.ToString(CultureInfo.InvariantCulture)) : null;
            case FieldType.UInt64 or FieldType.Fixed64:
                if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ul))
                {
                    return JsonValue.Create(ul.ToString(CultureInfo.InvariantCulture));
                }

                problem = $"\"{text}\" is not a whole number of 0 or more";
                return null;
            case FieldType.Double or FieldType.Float:
                if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    return JsonValue.Create(d);
                }

                problem = $"\"{text}\" is not a number";
                return null;
            case FieldType.Bool:
                if (bool.TryParse(text, out var b))
                {
                    return JsonValue.Create(b);
                }

                problem = $"\"{text}\" is not true or false";
                return null;
            case FieldType.Enum:
                if (EnumValue(field.EnumType, text) is { } value)
                {
                    return JsonValue.Create(value.Name);
                }

                problem = $"\"{text}\" is not one of {string.Join(", ", ShortNames(field.EnumType))}";
                return null;
            case FieldType.Message:
                // A well-known type in its JSON form (a Timestamp `2026-12-04T10:00:00Z`, a Duration `30s`), or an object as JSON.
                return Message(field.MessageType, text, out problem);
            default:
                return JsonValue.Create(text);
        }
    }

    /// <summary>A message's JSON from the text of an option: the JSON form of a well-known type, or a JSON object.</summary>
    public static JsonNode? Message(MessageDescriptor type, string text, out string? problem)
    {
        problem = null;
        var json = text.TrimStart().StartsWith('{') || text.TrimStart().StartsWith('[') ? text : JsonSerializer.Serialize(text);
        try
        {
            var node = JsonNode.Parse(json);
            foreach (var item in node as JsonArray ?? [node])
            {
                JsonParser.Default.Parse(item?.ToJsonString() ?? "null", type);
            }

            return node;
        }
        catch (Exception e) when (e is InvalidProtocolBufferException or InvalidJsonException or JsonException or FormatException)
        {
            problem = $"not a {type.Name} in JSON: {e.Message}";
            return null;
        }
    }

    /// <summary>The value named <paramref name="text"/>: its full name or its name without the enum's prefix, in any case; never the UNSPECIFIED one.</summary>
    public static EnumValueDescriptor? EnumValue(EnumDescriptor type, string text)
    {
        var wanted = text.Trim().Replace('-', '_');
        var prefix = Prefix(type);
        return type.Values.FirstOrDefault(v => v.Number != 0 &&
            (string.Equals(v.Name, wanted, StringComparison.OrdinalIgnoreCase) ||
             string.Equals(v.Name[prefix.Length..], wanted, StringComparison.OrdinalIgnoreCase)));
    }

    /// <summary>The values a person types: <c>available</c>, <c>under-construction</c>, <c>ios-xe</c>.</summary>
    public static IReadOnlyList<string> ShortNames(EnumDescriptor type)
    {
        var prefix = Prefix(type);
        return type.Values.Where(v => v.Number != 0).Select(v => ShortName(v.Name, prefix)).ToList();
    }

    /// <summary>The short name of a value as printed (<c>STATE_AVAILABLE</c> → <c>available</c>).</summary>
    public static string ShortName(EnumValueDescriptor value) => ShortName(value.Name, Prefix(value.EnumDescriptor));

    private static string ShortName(string name, string prefix) => name[prefix.Length..].Replace('_', '-').ToLowerInvariant();

    // The prefix all values share, up to an underscore: `STATE_` of STATE_UNSPECIFIED, STATE_APPLYING, …
    private static string Prefix(EnumDescriptor type)
    {
        var names = type.Values.Select(v => v.Name).ToList();
        var prefix = names[0];
        foreach (var name in names)
        {
            var i = 0;
            while (i < prefix.Length && i < name.Length && prefix[i] == name[i])
            {
                i++;
            }

            prefix = prefix[..i];
        }

        var underscore = prefix.LastIndexOf('_');
        return underscore < 0 ? "" : prefix[..(underscore + 1)];
    }

    private static long? Whole(string text, long min, long max, out string? problem)
    {
        problem = null;
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max)
        {
            return value;
        }

        problem = $"\"{text}\" is not a whole number from {min} to {max}";
        return null;
    }
}
