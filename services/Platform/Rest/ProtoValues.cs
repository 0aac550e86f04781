using System.Collections.Concurrent;
using System.Globalization;
using Google.Protobuf.Reflection;

namespace DirectConnect.Platform.Rest;

/// <summary>
/// What a REST value must look like for its proto field, and how to say what is wrong with one, in API terms:
/// the proto type and enum value names, never a .NET type.
/// </summary>
internal static class ProtoValues
{
    /// <summary>The longest piece of a caller's value quoted back in a description.</summary>
    private const int MaxQuoted = 40;

    private static readonly ConcurrentDictionary<MessageDescriptor, IReadOnlyDictionary<string, FieldDescriptor>> Names = new();

    /// <summary>
    /// The fields of <paramref name="message"/> by the names JSON may give them: the JSON name (<c>bandwidthMbps</c>) and the
    /// proto name (<c>bandwidth_mbps</c>), the JSON name winning a clash, as google.protobuf's and transcoding's parsers have it.
    /// </summary>
    public static IReadOnlyDictionary<string, FieldDescriptor> FieldsByName(MessageDescriptor message) =>
        Names.GetOrAdd(message, m =>
        {
            var names = new Dictionary<string, FieldDescriptor>(StringComparer.Ordinal);
            foreach (var field in m.Fields.InFieldNumberOrder())
            {
                names[field.Name] = field;
            }

            foreach (var field in m.Fields.InFieldNumberOrder())
            {
                names[field.JsonName] = field;
            }

            return names;
        });

    /// <summary>Whether a field of <paramref name="type"/> holds an integer, and of what width and sign.</summary>
    public static (bool Integer, bool Wide, bool Unsigned) IntegerKind(FieldType type) => type switch
    {
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => (true, false, false),
        FieldType.UInt32 or FieldType.Fixed32 => (true, false, true),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => (true, true, false),
        FieldType.UInt64 or FieldType.Fixed64 => (true, true, true),
        _ => (false, false, false),
    };

    /// <summary>The proto name of an integer type, as the API documents it.</summary>
    public static string TypeName(FieldType type) => type switch
    {
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => "int32",
        FieldType.UInt32 or FieldType.Fixed32 => "uint32",
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => "int64",
        FieldType.UInt64 or FieldType.Fixed64 => "uint64",
        FieldType.Float => "float",
        FieldType.Double => "double",
        _ => type.ToString().ToLowerInvariant(),
    };

    /// <summary>Whether <paramref name="text"/> is a decimal integer (an optional minus, then digits only) in the range of <paramref name="type"/>.</summary>
    public static bool IsIntegerText(string text, FieldType type)
    {
        var (_, wide, unsigned) = IntegerKind(type);
        var digits = text.StartsWith('-') && !unsigned ? text.AsSpan(1) : text.AsSpan();
        if (digits.Length == 0 || digits.ContainsAnyExceptInRange('0', '9'))
        {
            return false;
        }

        return (wide, unsigned) switch
        {
            (false, false) => int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            (false, true) => uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _),
            (true, false) => long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _),
            (true, true) => ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out _),
        };
    }

    /// <summary>Whether <paramref name="value"/> (a JSON number) is a whole number in the range of <paramref name="type"/>.</summary>
    public static bool IsInRange(double value, FieldType type)
    {
        var (_, wide, unsigned) = IntegerKind(type);
        if (Math.Floor(value) != value)
        {
            return false;
        }

        return (wide, unsigned) switch
        {
            (false, false) => value is >= int.MinValue and <= int.MaxValue,
            (false, true) => value is >= 0 and <= uint.MaxValue,
            // A JSON number is a double to most JSON parsers: past 2^53 it may not be the integer that was meant.
            (true, false) => Math.Abs(value) <= MaxExactInteger,
            (true, true) => value is >= 0 and <= MaxExactInteger,
        };
    }

    /// <summary>The largest integer every double holds exactly (2^53).</summary>
    public const double MaxExactInteger = 9007199254740992d;

    /// <summary>What an integer of <paramref name="type"/> must be.</summary>
    public static string IntegerExpected(FieldType type)
    {
        var (_, wide, unsigned) = IntegerKind(type);
        var range = (wide, unsigned) switch
        {
            (false, false) => "from -2147483648 to 2147483647",
            (false, true) => "from 0 to 4294967295",
            (true, false) => "from -9223372036854775808 to 9223372036854775807",
            (true, true) => "from 0 to 18446744073709551615",
        };
        return $"must be an integer {range} ({TypeName(type)})";
    }

    /// <summary>The value of <paramref name="enumType"/> that <paramref name="text"/> names: its name exactly, or the decimal number of a defined value.</summary>
    public static EnumValueDescriptor? FindEnumValue(EnumDescriptor enumType, string text) =>
        enumType.FindValueByName(text) ??
        (text.Length > 0 && !text.AsSpan(text.StartsWith('-') ? 1 : 0).ContainsAnyExceptInRange('0', '9') &&
         int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number)
            ? enumType.FindValueByNumber(number)
            : null);

    /// <summary>
    /// Why <paramref name="given"/> is not a value of <paramref name="enumType"/>: the values there are, and the full name when
    /// the caller wrote a short or lower-case form of one (<c>FRR</c> for <c>ROUTER_VENDOR_FRR</c>).
    /// </summary>
    public static string UnknownEnumValue(EnumDescriptor enumType, string given)
    {
        var values = enumType.Values.Where(v => v.Number != 0).Select(v => v.Name).ToList();
        if (values.Count == 0)
        {
            values = [.. enumType.Values.Select(v => v.Name)];
        }

        var meant = Suggest(enumType, given);
        return $"unknown value {Quote(given)}{(meant is null ? "" : $" (did you mean {meant}?)")}; one of {string.Join(", ", values)}";
    }

    /// <summary>The full value name the caller probably meant, when the text is a short or differently cased form of exactly one.</summary>
    private static string? Suggest(EnumDescriptor enumType, string given)
    {
        var upper = given.ToUpperInvariant();
        var zero = enumType.FindValueByNumber(0)?.Name ?? "";
        var prefix = zero.EndsWith("UNSPECIFIED", StringComparison.Ordinal) ? zero[..^"UNSPECIFIED".Length] : "";
        return enumType.FindValueByName(upper)?.Name ?? (prefix.Length > 0 ? enumType.FindValueByName(prefix + upper)?.Name : null);
    }

    /// <summary><paramref name="text"/> quoted for a description, cut short when long (a description quotes the caller, within bounds).</summary>
    public static string Quote(string text) => "\"" + Cut(text) + "\"";

    /// <summary><paramref name="text"/> cut short when long, never between the halves of a surrogate pair.</summary>
    public static string Cut(string text) =>
        text.Length <= MaxQuoted ? text : string.Concat(text.AsSpan(0, char.IsHighSurrogate(text[MaxQuoted - 1]) ? MaxQuoted - 1 : MaxQuoted), "…");

    /// <summary>The well-known types whose JSON is a string (RFC 3339 time, a duration, field paths).</summary>
    public static string? StringFormOf(MessageDescriptor message) => message.FullName switch
    {
        "google.protobuf.Timestamp" => "must be an RFC 3339 time in UTC or with an offset, e.g. \"2026-01-31T12:00:00Z\"",
        "google.protobuf.Duration" => "must be a duration in seconds with the suffix s, e.g. \"3.5s\"",
        "google.protobuf.FieldMask" => "must be field paths separated by commas, e.g. \"name,description\"",
        _ => null,
    };

    /// <summary>Whether <paramref name="message"/> is one of the wrappers (google.protobuf.Int32Value…), whose JSON is the wrapped value.</summary>
    public static bool IsWrapper(MessageDescriptor message) =>
        message.File.Name == "google/protobuf/wrappers.proto";

    /// <summary>Whether <paramref name="message"/> has a JSON form of its own rather than an object of its fields (google.protobuf.Struct, Value, ListValue, Any).</summary>
    public static bool IsDynamic(MessageDescriptor message) =>
        message.FullName is "google.protobuf.Struct" or "google.protobuf.Value" or "google.protobuf.ListValue" or "google.protobuf.Any";
}
