using System.Globalization;
using DirectConnect.Platform.Errors;
using Google.Protobuf.Reflection;
using Microsoft.Extensions.Primitives;

namespace DirectConnect.Platform.Rest;

/// <summary>
/// Checks a REST request's query parameters against its request message: each must name a field the query
/// may set (by its JSON or proto name, a nested one with dots: <c>pageSize</c>, <c>page_size</c>) — not one
/// the path or the body sets, and none at all when the body is the whole request — given once unless the
/// field is repeated, with a value of the field's type. Anything else is a violation naming the parameter:
/// a parameter nothing reads must not be dropped without a word.
/// </summary>
internal static class QueryCheck
{
    /// <summary>Records a violation for every query parameter of <paramref name="query"/> that <paramref name="binding"/> does not take as given.</summary>
    public static void Check(IEnumerable<KeyValuePair<string, StringValues>> query, RestBinding binding, RequestValidation validation)
    {
        var given = new Dictionary<FieldDescriptor, string>();
        foreach (var (name, values) in query)
        {
            var path = Resolve(binding.Input, name);
            if (path is null)
            {
                // Named as written: a parameter without a name by what follows its '='.
                validation.Add(name.Length > 0 ? name : "=" + values, Unknown(name, binding));
                continue;
            }

            var field = path[^1];
            var protoPath = string.Join('.', path.Select(f => f.Name));
            if (binding.PathFields.Contains(path[0]))
            {
                validation.Add(protoPath, "is set by the URL path; a query parameter may not set it");
                continue;
            }

            if (binding.WholeBody || path[0] == binding.BodyField)
            {
                validation.Add(protoPath, binding.WholeBody
                    ? "goes in the JSON body: this method takes no query parameters"
                    : "goes in the JSON body, not in the query");
                continue;
            }

            if (path.Take(path.Count - 1).Any(f => f.IsRepeated) || !CanBeQueried(field))
            {
                validation.Add(protoPath, field.FieldType == FieldType.Message && !field.IsRepeated && field.MessageType.Fields.InFieldNumberOrder() is [var first, ..]
                    ? $"is a message: set its fields, e.g. {name}.{first.JsonName}"
                    : "cannot be given as a query parameter");
                continue;
            }

            if (given.TryGetValue(field, out var earlier))
            {
                validation.Add(protoPath, $"is given twice, as {earlier} and as {name}");
                continue;
            }

            given.Add(field, name);
            if (values.Count > 1 && !field.IsRepeated)
            {
                validation.Add(protoPath, $"is given {values.Count.ToString(CultureInfo.InvariantCulture)} times; give it once");
                continue;
            }

            foreach (var value in values)
            {
                if (Problem(field, value ?? "") is { } problem)
                {
                    validation.Add(protoPath, problem);
                    break;
                }
            }
        }
    }

    /// <summary>The fields a dotted parameter name leads to (each segment a JSON or proto name), or null when one does not exist.</summary>
    private static List<FieldDescriptor>? Resolve(MessageDescriptor message, string name)
    {
        var path = new List<FieldDescriptor>();
        MessageDescriptor? current = message;
        foreach (var segment in name.Split('.'))
        {
            if (current is null || !ProtoValues.FieldsByName(current).TryGetValue(segment, out var field))
            {
                return null;
            }

            path.Add(field);
            current = field.FieldType == FieldType.Message && !field.IsMap ? field.MessageType : null;
        }

        return path;
    }

    /// <summary>Whether the query can set <paramref name="field"/>: a scalar or enum, a wrapper, or a time, duration or field mask (as text).</summary>
    private static bool CanBeQueried(FieldDescriptor field) =>
        !field.IsMap && (field.FieldType != FieldType.Message ||
                         ProtoValues.IsWrapper(field.MessageType) || ProtoValues.StringFormOf(field.MessageType) is not null);

    private static string Unknown(string name, RestBinding binding)
    {
        var accepted = Queryable(binding).ToList();
        var hint = string.Equals(name, "access_token", StringComparison.OrdinalIgnoreCase)
            ? "; send the token in the Authorization header"
            : "";
        return accepted.Count == 0
            ? $"unknown query parameter{hint}; this method takes none"
            : $"unknown query parameter{hint}; this method takes {string.Join(", ", accepted)}";
    }

    /// <summary>The query parameters of <paramref name="binding"/>'s method by their JSON names (top-level ones; nested ones are named with dots).</summary>
    private static IEnumerable<string> Queryable(RestBinding binding) => binding.WholeBody
        ? []
        : binding.Input.Fields.InFieldNumberOrder()
            .Where(f => !binding.PathFields.Contains(f) && f != binding.BodyField && (CanBeQueried(f) || f.FieldType == FieldType.Message))
            .Select(f => f.JsonName);

    /// <summary>What is wrong with <paramref name="value"/> as a query value of <paramref name="field"/>, or null when nothing is.</summary>
    private static string? Problem(FieldDescriptor field, string value)
    {
        if (field.FieldType == FieldType.Message)
        {
            if (ProtoValues.IsWrapper(field.MessageType))
            {
                return Problem(field.MessageType.FindFieldByNumber(1), value);
            }

            return field.MessageType.FullName == "google.protobuf.FieldMask" || ParsesAsText(field.MessageType, value)
                ? null
                : ProtoValues.StringFormOf(field.MessageType);
        }

        return field.FieldType switch
        {
            FieldType.String => null,
            FieldType.Bool => value is "true" or "false" or "True" or "False" or "TRUE" or "FALSE" ? null : $"must be true or false, not {ProtoValues.Quote(value)}",
            FieldType.Enum => ProtoValues.FindEnumValue(field.EnumType, value) is null ? ProtoValues.UnknownEnumValue(field.EnumType, value) : null,
            FieldType.Bytes => Convert.TryFromBase64String(value, new byte[value.Length], out _) ? null : "must be base64",
            FieldType.Double or FieldType.Float => IsNumber(value, field.FieldType) ? null : $"must be a number ({ProtoValues.TypeName(field.FieldType)}), not {ProtoValues.Quote(value)}",
            _ => ProtoValues.IsIntegerText(value, field.FieldType) ? null : $"{ProtoValues.IntegerExpected(field.FieldType)}, not {ProtoValues.Quote(value)}",
        };
    }

    // As the query binding reads it (invariant, NaN and Infinity included), without surrounding spaces; a float within its range.
    private static bool IsNumber(string value, FieldType type) =>
        value.Length > 0 && !char.IsWhiteSpace(value[0]) && !char.IsWhiteSpace(value[^1]) &&
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) &&
        (type == FieldType.Double || !double.IsFinite(number) || Math.Abs(number) <= float.MaxValue);

    private static bool ParsesAsText(MessageDescriptor message, string value)
    {
        try
        {
            message.Parser.ParseJson($"\"{System.Text.Json.JsonEncodedText.Encode(value).Value}\"");
            return true;
        }
        catch (Exception error) when (error is Google.Protobuf.InvalidProtocolBufferException or FormatException or ArgumentException)
        {
            return false;
        }
    }
}
