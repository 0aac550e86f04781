using System.Globalization;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace DirectConnect.IntegrationTests;

/// <summary>How a generated request is made sure to be invalid.</summary>
internal enum Poison
{
    /// <summary>The region is not one of the deployment (empty, huge, control characters, look-alikes…); other fields anything.</summary>
    BadRegion,

    /// <summary>The region is served, but every other string field holds a control character (so no text or id can pass).</summary>
    PoisonedStrings,
}

/// <summary>
/// Seeded generator of bad requests, driven by the request descriptors: field values of every
/// kind (huge, empty, control characters, unicode, out-of-range numbers, unknown enum numbers),
/// written straight to the protobuf wire (so wrong wire types and invalid UTF-8 are possible) or
/// to JSON (wrong JSON types, numbers out of every range, unknown enum names).
/// </summary>
internal sealed class BadInputGenerator(int seed, IReadOnlyList<string> regions, IList<string> knownIds)
{
    /// <summary>A string of 512 KiB: big, but a request holds at most one, so it alone does not pass the 1 MiB request limit.</summary>
    private static readonly string Huge = new('x', 1 << 19);

    private static readonly string[] Strings =
    [
        "", " ", "   \t", "\n", "\u0000", "a\u0001b", "\u007f", "\u0085", "\u001b[31mred", "\u202eevil", "\ufeff",
        "名前", "😀😀", "\ud800", "\udfff", "é" + "\u0301", "Ａ", "ǅ",
        "'; DROP TABLE state;--", "../../etc/passwd", "%00", "%zz", "${jndi:ldap://x}", "{{7*7}}", "<script>", "\\",
        "null", "undefined", "NaN", "-1", "0", "1e400", "18446744073709551616", "true",
        "CN-NORTH-1", "cn-north-1 ", " cn-north-1", "cn-north-1\u0000", "cn-north-9", "cn_north_1", "*",
        "dxpc-", "dxpc-ZZZ", "dxpc-0000000000000000", "dxpc-" + new string('0', 40), "loc-", "vpc-", "vpc-abc", "10.0.0.0/8",
        "10.0.0.0/33", "300.1.1.1/24", "::/0", "0.0.0.0/0", "a,b", "name,description", "*,name",
    ];

    private static readonly string[] ControlPoisons = ["\u0000", "\u0001", "\u001b", "\u007f", "\u0085", "\u0008"];

    private static readonly long[] Integers =
    [
        0, -1, 1, 2, -2, 100, 1000, 1001, 65535, 65536, 4095, 4096, 4094, int.MaxValue, int.MinValue, (long)int.MaxValue + 1,
        uint.MaxValue, long.MaxValue, long.MinValue, -4294967296, 1_000_000_000_000,
    ];

    private static readonly double[] Doubles =
    [
        double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, double.MaxValue, double.Epsilon, -1e308, 0.5,
    ];

    private static readonly WireFormat.WireType[] WireTypes =
        [WireFormat.WireType.Varint, WireFormat.WireType.Fixed32, WireFormat.WireType.Fixed64, WireFormat.WireType.LengthDelimited];

    private static readonly byte[][] InvalidUtf8 = [[0x80], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xFF, 0xFE], [0x61, 0xE2, 0x82]];

    private readonly Random _random = new(seed);
    private bool _hugeUsed;

    public int Seed => seed;

    public Random Random => _random;

    public T Pick<T>(params T[] items) => items[_random.Next(items.Length)];

    public T Pick<T>(IList<T> items) => items[_random.Next(items.Count)];

    public bool Chance(double probability) => _random.NextDouble() < probability;

    /// <summary>A region code that is certainly not served.</summary>
    public string BadRegion()
    {
        string value;
        do
        {
            value = Chance(0.05) ? Huge : Pick(Strings);
        }
        while (regions.Contains(value, StringComparer.Ordinal));

        return value;
    }

    /// <summary>Any string, from the bad palette, an id of a real resource, or random text.</summary>
    public string AnyString()
    {
        var roll = _random.Next(100);
        if (roll < 3 && !_hugeUsed)
        {
            _hugeUsed = true;
            return Huge;
        }

        return roll switch
        {
            < 8 => new string(Pick('a', '0', '-', '\u00e9', '\u4e2d'), _random.Next(1000, 70_000)),
            < 20 when knownIds.Count > 0 => Pick(knownIds),
            < 30 => RandomUnicode(_random.Next(1, 40)),
            _ => Pick(Strings),
        };
    }

    /// <summary>A string no validation of text or ids can accept: it holds a control character (never \n or \t).</summary>
    public string PoisonedString()
    {
        var poison = Pick(ControlPoisons);
        var basis = AnyString();
        var at = _random.Next(basis.Length + 1);
        return basis[..at] + poison + basis[at..];
    }

    private string RandomUnicode(int length)
    {
        var builder = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            // Any BMP scalar value that is not a surrogate: letters, symbols, controls, private use.
            int c;
            do
            {
                c = _random.Next(0x10000);
            }
            while (c is >= 0xD800 and <= 0xDFFF);

            builder.Append((char)c);
        }

        return builder.ToString();
    }

    public long AnyInteger() => Chance(0.8) ? Pick(Integers) : _random.NextInt64(long.MinValue, long.MaxValue);

    // ---------------------------------------------------------------- protobuf wire

    /// <summary>The wire bytes of a request of <paramref name="descriptor"/>, made invalid by <paramref name="poison"/>; strings are valid UTF-8.</summary>
    public byte[] Message(MessageDescriptor descriptor, Poison poison, string validRegion)
    {
        _hugeUsed = false;
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        WriteFields(output, descriptor, poison, validRegion, depth: 0);
        output.Flush();
        return buffer.ToArray();
    }

    private void WriteFields(CodedOutputStream output, MessageDescriptor descriptor, Poison poison, string validRegion, int depth)
    {
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            if (depth == 0 && field.Name == "region")
            {
                WriteTag(output, field.FieldNumber, WireFormat.WireType.LengthDelimited);
                output.WriteString(poison == Poison.BadRegion ? BadRegion() : validRegion);
                continue;
            }

            // Poisoned requests carry every string field (an absent etag would mean "unconditional").
            var mustWrite = poison == Poison.PoisonedStrings && field.FieldType == FieldType.String;
            if (!mustWrite && !Chance(depth == 0 ? 0.8 : 0.6))
            {
                continue;
            }

            var count = field.IsRepeated ? (Chance(0.1) ? _random.Next(50, 300) : _random.Next(0, 4)) : 1;
            if (mustWrite && count == 0)
            {
                count = 1;
            }

            for (var i = 0; i < count; i++)
            {
                if (Chance(0.03))
                {
                    WriteWrongWireType(output, field);
                }
                else
                {
                    WriteValue(output, field, poison, validRegion, depth);
                }
            }
        }

        if (Chance(0.05))
        {
            // An unknown field, of any wire type.
            var number = _random.Next(1000, 5000);
            WriteTag(output, number, WireFormat.WireType.Varint);
            output.WriteInt64(AnyInteger());
        }
    }

    private static void WriteTag(CodedOutputStream output, int number, WireFormat.WireType type) =>
        output.WriteTag(WireFormat.MakeTag(number, type));

    private void WriteWrongWireType(CodedOutputStream output, FieldDescriptor field)
    {
        var natural = NaturalWireType(field);
        var wrong = Pick(WireTypes.Where(t => t != natural).ToArray());
        WriteTag(output, field.FieldNumber, wrong);
        switch (wrong)
        {
            case WireFormat.WireType.Varint:
                output.WriteInt64(AnyInteger());
                break;
            case WireFormat.WireType.Fixed32:
                output.WriteFixed32((uint)_random.Next());
                break;
            case WireFormat.WireType.Fixed64:
                output.WriteFixed64((ulong)_random.NextInt64());
                break;
            default:
                output.WriteBytes(ByteString.CopyFrom(RandomBytes(_random.Next(0, 40))));
                break;
        }
    }

    private static WireFormat.WireType NaturalWireType(FieldDescriptor field) => field.FieldType switch
    {
        FieldType.Double or FieldType.Fixed64 or FieldType.SFixed64 => WireFormat.WireType.Fixed64,
        FieldType.Float or FieldType.Fixed32 or FieldType.SFixed32 => WireFormat.WireType.Fixed32,
        FieldType.String or FieldType.Bytes or FieldType.Message => WireFormat.WireType.LengthDelimited,
        _ => WireFormat.WireType.Varint,
    };

    private void WriteValue(CodedOutputStream output, FieldDescriptor field, Poison poison, string validRegion, int depth)
    {
        var number = field.FieldNumber;
        switch (field.FieldType)
        {
            case FieldType.String:
                WriteTag(output, number, WireFormat.WireType.LengthDelimited);
                output.WriteString(poison == Poison.PoisonedStrings ? PoisonedString() : AnyString());
                break;
            case FieldType.Bytes:
                WriteTag(output, number, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFrom(RandomBytes(_random.Next(0, 100))));
                break;
            case FieldType.Bool:
                WriteTag(output, number, WireFormat.WireType.Varint);
                output.WriteInt64(Chance(0.7) ? _random.Next(2) : AnyInteger());
                break;
            case FieldType.Enum:
                WriteTag(output, number, WireFormat.WireType.Varint);
                var values = field.EnumType.Values;
                output.WriteInt32(Chance(0.5) ? values[_random.Next(values.Count)].Number : (int)Pick(-1, 999, int.MaxValue, int.MinValue, values.Count));
                break;
            case FieldType.Double:
                WriteTag(output, number, WireFormat.WireType.Fixed64);
                output.WriteDouble(Pick(Doubles));
                break;
            case FieldType.Float:
                WriteTag(output, number, WireFormat.WireType.Fixed32);
                output.WriteFloat((float)Pick(Doubles));
                break;
            case FieldType.Fixed32 or FieldType.SFixed32:
                WriteTag(output, number, WireFormat.WireType.Fixed32);
                output.WriteFixed32(unchecked((uint)AnyInteger()));
                break;
            case FieldType.Fixed64 or FieldType.SFixed64:
                WriteTag(output, number, WireFormat.WireType.Fixed64);
                output.WriteFixed64(unchecked((ulong)AnyInteger()));
                break;
            case FieldType.SInt32:
                WriteTag(output, number, WireFormat.WireType.Varint);
                output.WriteSInt32(unchecked((int)AnyInteger()));
                break;
            case FieldType.SInt64:
                WriteTag(output, number, WireFormat.WireType.Varint);
                output.WriteSInt64(AnyInteger());
                break;
            case FieldType.Message:
                WriteTag(output, number, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFrom(NestedMessage(field.MessageType, poison, validRegion, depth + 1)));
                break;
            default: // int32, int64, uint32, uint64: varints, any 64-bit value
                WriteTag(output, number, WireFormat.WireType.Varint);
                output.WriteInt64(AnyInteger());
                break;
        }
    }

    private byte[] NestedMessage(MessageDescriptor descriptor, Poison poison, string validRegion, int depth)
    {
        using var buffer = new MemoryStream();
        var output = new CodedOutputStream(buffer);
        if (depth <= 4)
        {
            WriteFields(output, descriptor, poison, validRegion, depth);
        }

        output.Flush();
        return buffer.ToArray();
    }

    public byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Bytes that no protobuf parser can accept, built from a well-formed request of <paramref name="descriptor"/>.</summary>
    public (string Kind, byte[] Bytes) Unparseable(MessageDescriptor descriptor, string validRegion)
    {
        var valid = Message(descriptor, Poison.BadRegion, validRegion);
        var stringField = descriptor.Fields.InFieldNumberOrder().FirstOrDefault(f => f.FieldType == FieldType.String && !f.IsRepeated);
        switch (_random.Next(6))
        {
            case 0 when stringField is not null:
            {
                // A string field holding invalid UTF-8 (a lone continuation byte, an overlong '/', a surrogate, 0xFF).
                var bad = Pick(InvalidUtf8);
                using var buffer = new MemoryStream();
                var output = new CodedOutputStream(buffer);
                WriteTag(output, stringField.FieldNumber, WireFormat.WireType.LengthDelimited);
                output.WriteBytes(ByteString.CopyFrom(bad));
                output.Flush();
                return ("invalid UTF-8 in " + stringField.Name, [.. valid, .. buffer.ToArray()]);
            }

            case 1:
                // A length-delimited field whose length runs past the end of the message.
                return ("truncated length", [.. valid, 0x0A, 0x7F, 0x61, 0x62]);
            case 2:
                // Tag zero is never valid.
                return ("tag zero", [.. valid, 0x00, .. RandomBytes(_random.Next(0, 10))]);
            case 3:
                // Wire types 6 and 7 do not exist; 3/4 are groups, ended wrongly here.
                return ("bad wire type", [.. valid, (byte)((1 << 3) | _random.Next(6, 8)), 0x01]);
            case 4:
                // A varint longer than ten bytes.
                return ("endless varint", [.. valid, 0x08, .. Enumerable.Repeat((byte)0xFF, 11), 0x01]);
            default:
                // A cut in the middle of a well-formed message that ends in a length-delimited field.
                byte[] whole = [.. valid, 0x0A, 0x10, .. Encoding.ASCII.GetBytes("0123456789abcdef")];
                return ("cut short", whole[..^_random.Next(1, 16)]);
        }
    }

    // ---------------------------------------------------------------- JSON

    /// <summary>A JSON value for <paramref name="field"/>, of the right type or not.</summary>
    public string JsonValue(FieldDescriptor field, Poison poison, int depth)
    {
        if (field.IsMap)
        {
            return Chance(0.8) ? $"{{{JsonString(AnyString())}: {JsonScalar(field.MessageType.FindFieldByNumber(2), poison, depth)}}}" : WrongJson();
        }

        if (field.IsRepeated)
        {
            if (Chance(0.2))
            {
                return WrongJson();
            }

            var count = _random.Next(0, 4);
            return "[" + string.Join(",", Enumerable.Range(0, count).Select(_ => JsonScalar(field, poison, depth))) + "]";
        }

        return JsonScalar(field, poison, depth);
    }

    private string JsonScalar(FieldDescriptor field, Poison poison, int depth)
    {
        if (Chance(0.25))
        {
            return WrongJson();
        }

        return field.FieldType switch
        {
            FieldType.String => JsonString(poison == Poison.PoisonedStrings ? PoisonedString() : AnyString()),
            FieldType.Bytes => Chance(0.5) ? JsonString(Convert.ToBase64String(RandomBytes(8))) : JsonString("not base64!"),
            FieldType.Bool => Pick("true", "false", "\"true\"", "1", "0"),
            FieldType.Enum => Chance(0.5)
                ? JsonString(Pick(field.EnumType.Values).Name)
                : Pick("\"NOT_A_VALUE\"", "999", "-1", "\"\"", "\"state_active\"", "2147483648", "1.5"),
            FieldType.Double or FieldType.Float => Pick("1e400", "-1e400", "\"NaN\"", "\"Infinity\"", "0.1", "1e39"),
            FieldType.Message => JsonMessage(field.MessageType, poison, depth + 1),
            _ => JsonNumber(),
        };
    }

    private string JsonNumber() => Pick("1e400", "-1e400", "18446744073709551616", "-9223372036854775809", "9223372036854775808", "4294967296",
        "2147483648", "-2147483649", "1.5", "-0", "1E2", "\"12\"", "\"0x10\"", "\"1e3\"", "\" 5\"", "0.0000001",
        AnyInteger().ToString(CultureInfo.InvariantCulture));

    private string WrongJson() => Pick("{}", "[]", "null", "true", "\"str\"", "12", "-1", "1e400", "{\"a\":1}", "[1,2,3]", "[[[]]]", "\"\"", JsonString(AnyString()));

    public string JsonMessage(MessageDescriptor descriptor, Poison poison, int depth)
    {
        switch (descriptor.FullName)
        {
            case "google.protobuf.Timestamp":
                return Pick("\"not a time\"", "\"9999-12-31T23:59:59Z\"", "\"0001-01-01T00:00:00Z\"", "\"2024-02-30T00:00:00Z\"", "\"10000-01-01T00:00:00Z\"", "12", "{}");
            case "google.protobuf.Duration":
                return Pick("\"1s\"", "\"-315576000001s\"", "\"abc\"", "\"1.0000000001s\"", "5");
            case "google.protobuf.FieldMask":
                return Pick("\"name,description\"", "\"*\"", "\"\"", "\"no_such_field\"", "\"a..b\"", "\"UPPER\"", "5", "[\"name\"]");
        }

        if (depth > 4)
        {
            return "{}";
        }

        var parts = new List<string>();
        foreach (var field in descriptor.Fields.InFieldNumberOrder())
        {
            if (poison == Poison.PoisonedStrings && field.FieldType == FieldType.String && !field.IsRepeated)
            {
                parts.Add($"{JsonString(field.JsonName)}: {JsonString(PoisonedString())}");
                continue;
            }

            if (Chance(0.7))
            {
                var name = Chance(0.9) ? field.JsonName : field.Name; // both spellings are accepted
                parts.Add($"{JsonString(name)}: {JsonValue(field, poison, depth)}");
            }
        }

        if (Chance(0.1))
        {
            parts.Add($"{JsonString("noSuchField" + _random.Next(100))}: {WrongJson()}");
        }

        return "{" + string.Join(", ", parts) + "}";
    }

    public static string JsonString(string value) => JsonSerializer.Serialize(value);

    /// <summary>A malformed JSON document (as bytes: some are not even UTF-8).</summary>
    public byte[] MalformedJson(string wellFormed)
    {
        switch (_random.Next(10))
        {
            case 0: return Encoding.UTF8.GetBytes(wellFormed[..Math.Max(1, wellFormed.Length / 2)]);
            case 1: return Encoding.UTF8.GetBytes(wellFormed + "}");
            case 2: return Encoding.UTF8.GetBytes(wellFormed.Replace("\"", "'", StringComparison.Ordinal));
            case 3: return [.. Encoding.UTF8.GetBytes("{\"name\": \""), 0xFF, 0xC0, 0xAF, .. Encoding.UTF8.GetBytes("\"}")];
            case 4: return Encoding.UTF8.GetBytes(new string('[', 5000) + new string(']', 5000));
            case 5: return Encoding.UTF8.GetBytes("{\"a\": " + new string('{', 3000) + new string('}', 3000) + "}");
            case 6: return Encoding.UTF8.GetBytes("{\"name\": \"\\ud800\", \"description\": \"\\uZZZZ\"}");
            case 7: return [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(wellFormed)];
            case 8: return Encoding.UTF8.GetBytes("{\"name\": 1, \"name\": \"dup\", }");
            default: return RandomBytes(_random.Next(1, 200));
        }
    }
}
