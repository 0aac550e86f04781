using System.Globalization;
using System.Text;
using System.Text.Json;
using DirectConnect.Platform.Errors;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace DirectConnect.Platform.Rest;

/// <summary>
/// Reads a REST request's JSON body against the proto message it fills, field by field, and records every
/// value that does not fit — an unknown field, a field given twice, a string where a number belongs, an
/// enum value that does not exist — naming each by its proto path (<c>physical_connection.bandwidth_mbps</c>,
/// <c>ports[3].speed</c>) as the API's other violations do. Accepts proto3 JSON (google.protobuf's JSON
/// mapping): a field by its JSON or proto name, <c>null</c> for a field's default, integers as numbers or
/// strings, enum values by name or number.
/// </summary>
internal static class JsonBodyCheck
{
    /// <summary>The outcome: the violations, and the path where the JSON stopped being JSON (null when it is JSON throughout).</summary>
    public sealed record Result(string? SyntaxErrorAt, string? SyntaxError);

    /// <summary>
    /// Checks <paramref name="json"/> (UTF-8, no BOM) as the value of the body: a <paramref name="message"/> object
    /// whose fields are named from <paramref name="path"/> (the body field's name, or empty for a whole-request body).
    /// <paramref name="pathValue"/> gives, for a whole-request body, the value the URL path set for a field, if it set one.
    /// </summary>
    public static Result Check(ReadOnlyMemory<byte> json, MessageDescriptor message, string path, RequestValidation validation,
        Func<FieldDescriptor, string?> pathValue)
    {
        var walk = new Walk(validation, json, pathValue) { At = path };
        var reader = new Utf8JsonReader(json.Span, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        try
        {
            if (!reader.Read())
            {
                return new Result(path, "is empty, not a JSON object");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return new Result(path, $"must be a JSON object ({message.Name}), not {Got(ref reader)}");
            }

            ReadMessage(ref reader, message, path, walk, isRoot: true);
            if (reader.Read())
            {
                walk.At = path;
                return new Result(path, "has more after the JSON object");
            }

            return new Result(null, null);
        }
        catch (JsonException error)
        {
            return new Result(walk.At, SyntaxError(error));
        }
    }

    /// <summary>The reader's text without its own position suffix, with the position as people count (from 1).</summary>
    private static string SyntaxError(JsonException error)
    {
        var text = error.Message;
        var cut = text.IndexOf(" LineNumber:", StringComparison.Ordinal);
        text = cut > 0 ? text[..cut] : text;
        return error.LineNumber is { } line && error.BytePositionInLine is { } column
            ? $"is not valid JSON at line {line + 1}, byte {column + 1}: {text}"
            : $"is not valid JSON: {text}";
    }

    private sealed class Walk(RequestValidation validation, ReadOnlyMemory<byte> json, Func<FieldDescriptor, string?> pathValue)
    {
        public RequestValidation Validation { get; } = validation;
        public ReadOnlyMemory<byte> Json { get; } = json;
        public Func<FieldDescriptor, string?> PathValue { get; } = pathValue;

        /// <summary>The path being read: where a syntax error is reported.</summary>
        public string At { get; set; } = "";
    }

    private static string Join(string path, string name) => path.Length == 0 ? name : $"{path}.{name}";

    private static void ReadMessage(ref Utf8JsonReader reader, MessageDescriptor message, string path, Walk walk, bool isRoot = false)
    {
        var fields = ProtoValues.FieldsByName(message);
        var seen = new Dictionary<FieldDescriptor, string>();
        Dictionary<OneofDescriptor, FieldDescriptor>? oneofs = null;
        while (true)
        {
            walk.At = path;
            reader.Read();
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return;
            }

            if (TryGetString(ref reader) is not { } name)
            {
                walk.Validation.Add(path, "has a field name with invalid UTF-8 or an unpaired surrogate");
                reader.Read();
                reader.Skip();
                continue;
            }

            fields.TryGetValue(name, out var field);
            var fieldPath = Join(path, field?.Name ?? name);
            walk.At = fieldPath;
            reader.Read();
            if (field is null)
            {
                walk.Validation.Add(fieldPath, $"unknown field {ProtoValues.Quote(name)}: {message.Name} has no such field");
                reader.Skip();
                continue;
            }

            if (seen.TryGetValue(field, out var earlier))
            {
                walk.Validation.Add(fieldPath, earlier == name ? "is given more than once" : $"is given twice, as {earlier} and as {name}");
            }
            else
            {
                seen.Add(field, name);
            }

            if (field.RealContainingOneof is { } oneof && reader.TokenType != JsonTokenType.Null)
            {
                oneofs ??= [];
                if (oneofs.TryGetValue(oneof, out var other) && other != field)
                {
                    walk.Validation.Add(fieldPath, $"is set with {other.Name}; at most one of {oneof.Name} may be");
                }

                oneofs.TryAdd(oneof, field);
            }

            if (isRoot && walk.PathValue(field) is { } inPath)
            {
                // A whole-request body may repeat what the path says, but must not contradict it: the path would win silently.
                if (reader.TokenType != JsonTokenType.String || ReadString(ref reader, fieldPath, walk) is not { } inBody || inBody != inPath)
                {
                    walk.Validation.Add(fieldPath, $"is {ProtoValues.Quote(inPath)} in the URL path; the body must not say otherwise");
                }

                reader.Skip();
                continue;
            }

            ReadField(ref reader, field, fieldPath, walk);
        }
    }

    private static void ReadField(ref Utf8JsonReader reader, FieldDescriptor field, string path, Walk walk)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return; // proto3 JSON: null is the field's default
        }

        if (field.IsMap)
        {
            if (!Expect(ref reader, JsonTokenType.StartObject, path, "must be a JSON object (a map)", walk))
            {
                return;
            }

            var key = field.MessageType.FindFieldByNumber(1);
            var value = field.MessageType.FindFieldByNumber(2);
            while (true)
            {
                walk.At = path;
                reader.Read();
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    return;
                }

                var name = TryGetString(ref reader) ?? "";
                var entryPath = $"{path}[{ProtoValues.Quote(name)}]";
                walk.At = entryPath;
                if (key.FieldType == FieldType.Bool ? name is not ("true" or "false")
                    : ProtoValues.IntegerKind(key.FieldType).Integer && !ProtoValues.IsIntegerText(name, key.FieldType))
                {
                    walk.Validation.Add(entryPath, $"has a key that is not a {ProtoValues.TypeName(key.FieldType)}");
                }

                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    walk.Validation.Add(entryPath, "must not be null");
                    continue;
                }

                ReadSingle(ref reader, value, entryPath, walk);
            }
        }

        if (field.IsRepeated)
        {
            if (!Expect(ref reader, JsonTokenType.StartArray, path, "must be a JSON array", walk))
            {
                return;
            }

            for (var index = 0; ; index++)
            {
                walk.At = path;
                reader.Read();
                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    return;
                }

                var elementPath = $"{path}[{index.ToString(CultureInfo.InvariantCulture)}]";
                walk.At = elementPath;
                if (reader.TokenType == JsonTokenType.Null)
                {
                    walk.Validation.Add(elementPath, "must not be null");
                    continue;
                }

                ReadSingle(ref reader, field, elementPath, walk);
            }
        }

        ReadSingle(ref reader, field, path, walk);
    }

    /// <summary>One value of <paramref name="field"/>'s type (an element, for a repeated field).</summary>
    private static void ReadSingle(ref Utf8JsonReader reader, FieldDescriptor field, string path, Walk walk)
    {
        switch (field.FieldType)
        {
            case FieldType.Message or FieldType.Group:
                ReadMessageValue(ref reader, field.MessageType, path, walk);
                return;
            case FieldType.String:
                if (Expect(ref reader, JsonTokenType.String, path, "must be a string", walk))
                {
                    ReadString(ref reader, path, walk);
                }

                return;
            case FieldType.Bool:
                if (reader.TokenType is not (JsonTokenType.True or JsonTokenType.False))
                {
                    Refuse(ref reader, path, "must be true or false", walk);
                }

                return;
            case FieldType.Enum:
                ReadEnum(ref reader, field.EnumType, path, walk);
                return;
            case FieldType.Bytes:
                if (Expect(ref reader, JsonTokenType.String, path, "must be a base64 string", walk) &&
                    ReadString(ref reader, path, walk) is { } base64 && !IsBase64(base64))
                {
                    walk.Validation.Add(path, "must be a base64 string");
                }

                return;
            case FieldType.Double or FieldType.Float:
                ReadFloatingPoint(ref reader, field.FieldType, path, walk);
                return;
            default:
                ReadInteger(ref reader, field.FieldType, path, walk);
                return;
        }
    }

    private static void ReadMessageValue(ref Utf8JsonReader reader, MessageDescriptor message, string path, Walk walk)
    {
        if (ProtoValues.IsWrapper(message))
        {
            ReadSingle(ref reader, message.FindFieldByNumber(1), path, walk);
            return;
        }

        if (ProtoValues.StringFormOf(message) is { } form)
        {
            if (Expect(ref reader, JsonTokenType.String, path, form, walk) && ReadString(ref reader, path, walk) is { } text &&
                !ParsesAs(message, $"\"{JsonEncodedText.Encode(text).Value}\""))
            {
                walk.Validation.Add(path, form);
            }

            return;
        }

        if (ProtoValues.IsDynamic(message))
        {
            // Struct, Value, ListValue, Any have JSON forms of their own: google.protobuf's parser is their reference.
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            var raw = Encoding.UTF8.GetString(walk.Json.Span[start..(int)reader.BytesConsumed]);
            if (!ParsesAs(message, raw))
            {
                walk.Validation.Add(path, $"is not a valid {message.FullName}");
            }

            return;
        }

        if (Expect(ref reader, JsonTokenType.StartObject, path, $"must be a JSON object ({message.Name})", walk))
        {
            ReadMessage(ref reader, message, path, walk);
        }
    }

    private static bool ParsesAs(MessageDescriptor message, string json)
    {
        try
        {
            message.Parser.ParseJson(json);
            return true;
        }
        catch (Exception error) when (error is InvalidProtocolBufferException or InvalidJsonException or FormatException or ArgumentException)
        {
            return false;
        }
    }

    private static void ReadEnum(ref Utf8JsonReader reader, EnumDescriptor enumType, string path, Walk walk)
    {
        string given;
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                if (ReadString(ref reader, path, walk) is not { } name)
                {
                    return;
                }

                if (enumType.FindValueByName(name) is not null)
                {
                    return;
                }

                given = name;
                break;
            case JsonTokenType.Number:
                if (reader.TryGetInt32(out var number) && enumType.FindValueByNumber(number) is not null)
                {
                    return;
                }

                given = NumberText(ref reader);
                break;
            default:
                Refuse(ref reader, path, $"must be a value of {enumType.Name} by name, e.g. {ProtoValues.Quote(enumType.Values[^1].Name)}", walk);
                return;
        }

        walk.Validation.Add(path, ProtoValues.UnknownEnumValue(enumType, given));
    }

    private static void ReadInteger(ref Utf8JsonReader reader, FieldType type, string path, Walk walk)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (!reader.TryGetDouble(out var value) || !ProtoValues.IsInRange(value, type))
                {
                    var wide = ProtoValues.IntegerKind(type).Wide;
                    walk.Validation.Add(path, wide && Math.Floor(value) == value && Math.Abs(value) > ProtoValues.MaxExactInteger
                        ? $"is larger than a JSON number holds exactly: give a 64-bit integer this large as a string, e.g. {ProtoValues.Quote(NumberText(ref reader))}"
                        : $"{ProtoValues.IntegerExpected(type)}, not {ProtoValues.Cut(NumberText(ref reader))}");
                }

                return;
            case JsonTokenType.String:
                if (ReadString(ref reader, path, walk) is { } text && !ProtoValues.IsIntegerText(text, type))
                {
                    walk.Validation.Add(path, $"{ProtoValues.IntegerExpected(type)}, not {ProtoValues.Quote(text)}");
                }

                return;
            default:
                Refuse(ref reader, path, ProtoValues.IntegerExpected(type), walk);
                return;
        }
    }

    private static void ReadFloatingPoint(ref Utf8JsonReader reader, FieldType type, string path, Walk walk)
    {
        var expected = $"must be a number ({ProtoValues.TypeName(type)})";
        double value;
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                if (!reader.TryGetDouble(out value))
                {
                    walk.Validation.Add(path, $"{expected} within range");
                    return;
                }

                break;
            case JsonTokenType.String:
                if (ReadString(ref reader, path, walk) is not { } text)
                {
                    return;
                }

                if (text is "NaN" or "Infinity" or "-Infinity")
                {
                    return;
                }

                if (!double.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                        CultureInfo.InvariantCulture, out value))
                {
                    walk.Validation.Add(path, $"{expected}, not {ProtoValues.Quote(text)}");
                    return;
                }

                break;
            default:
                Refuse(ref reader, path, expected, walk);
                return;
        }

        if (double.IsInfinity(value) || (type == FieldType.Float && Math.Abs(value) > float.MaxValue))
        {
            walk.Validation.Add(path, $"{expected} within range");
        }
    }

    /// <summary>The string at the reader, or null (recorded) when it is not text: invalid UTF-8, or an unpaired surrogate escape.</summary>
    private static string? ReadString(ref Utf8JsonReader reader, string path, Walk walk)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            walk.Validation.Add(path, "contains invalid UTF-8 or an unpaired surrogate, which is not allowed");
            return null;
        }
    }

    private static bool Expect(ref Utf8JsonReader reader, JsonTokenType type, string path, string description, Walk walk)
    {
        if (reader.TokenType == type)
        {
            return true;
        }

        Refuse(ref reader, path, description, walk);
        return false;
    }

    /// <summary>Records that the value at the reader is not what <paramref name="description"/> says, and skips it.</summary>
    private static void Refuse(ref Utf8JsonReader reader, string path, string description, Walk walk)
    {
        walk.Validation.Add(path, $"{description}, not {Got(ref reader)}");
        reader.Skip();
    }

    /// <summary>What the value at the reader is, in JSON's words (a string is quoted, cut short).</summary>
    private static string Got(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.Null => "null",
        JsonTokenType.Number => ProtoValues.Cut(NumberText(ref reader)),
        JsonTokenType.String => TryGetString(ref reader) is { } text ? ProtoValues.Quote(text) : "a string",
        _ => reader.TokenType.ToString(),
    };

    private static string NumberText(ref Utf8JsonReader reader) => Encoding.UTF8.GetString(reader.ValueSpan);

    private static string? TryGetString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private static bool IsBase64(string text)
    {
        // proto3 JSON accepts standard and URL-safe base64, with or without padding.
        var standard = text.Replace('-', '+').Replace('_', '/');
        standard += new string('=', (4 - (standard.Length % 4)) % 4);
        return Convert.TryFromBase64String(standard, new byte[standard.Length], out _);
    }
}
