using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Json;
using DirectConnect.Cli.Requests;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using YamlDotNet.Serialization;

namespace DirectConnect.Cli.Output;

/// <summary>How results are printed: <c>-o table</c> (default), <c>json</c> or <c>yaml</c>.</summary>
public enum OutputFormat
{
    /// <summary>For people: a list as rows, a resource as name/value lines, a document (router configuration) as itself.</summary>
    Table,

    /// <summary>The API's JSON, exactly as REST returns it: lowerCamelCase names, enums by name, default values included.</summary>
    Json,

    /// <summary>The same document as YAML.</summary>
    Yaml,
}

/// <summary>Writes responses to standard output in the chosen format.</summary>
public sealed class Printer(TextWriter output, OutputFormat format)
{
    // As the gateway's REST transcoding writes: every field, defaults included (proto3 JSON names).
    private static readonly JsonFormatter Compact = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true));
    private static readonly JsonFormatter Indented = new(JsonFormatter.Settings.Default.WithFormatDefaultValues(true).WithIndentation());
    private static readonly ISerializer Yaml = new SerializerBuilder().Build();
    private static readonly string[] LeadingColumns = ["id", "name", "state"];
    private bool _streamHeader;

    /// <summary>One response.</summary>
    public void Print(IMessage message)
    {
        switch (format)
        {
            case OutputFormat.Json:
                output.WriteLine(Indented.Format(message));
                return;
            case OutputFormat.Yaml:
                output.Write(ToYaml(message));
                return;
        }

        if (message is Empty)
        {
            return;
        }

        var descriptor = message.Descriptor;
        if (descriptor.FindFieldByName("content") is { FieldType: FieldType.String } content)
        {
            // A document (a router configuration): itself, so that `> r.conf` is the file.
            output.Write((string)content.Accessor.GetValue(message));
            return;
        }

        if (ListOf(descriptor) is { } items)
        {
            Table(items.MessageType, ((IList)items.Accessor.GetValue(message)).Cast<IMessage>().ToList());
            return;
        }

        Details(message);
    }

    /// <summary>One message of a stream (the watch): a row, a JSON line, or a YAML document.</summary>
    public void PrintStreamed(IMessage message)
    {
        switch (format)
        {
            case OutputFormat.Json:
                output.WriteLine(Compact.Format(message));
                break;
            case OutputFormat.Yaml:
                output.WriteLine("---");
                output.Write(ToYaml(message));
                break;
            default:
                // Rows are printed as they come, so widths are fixed up front: wide enough for ids, states and times.
                var columns = Columns(message.Descriptor, leading: false);
                var widths = columns.Select(c => Math.Max(Header(c).Length, c.FieldType is FieldType.String or FieldType.Message or FieldType.Enum ? 20 : 8)).ToList();
                if (!_streamHeader)
                {
                    output.WriteLine(Row(columns.Select(Header).ToList(), widths));
                    _streamHeader = true;
                }

                output.WriteLine(Row(columns.Select(c => Text(c, c.Accessor.GetValue(message))).ToList(), widths));
                break;
        }

        output.Flush();
    }

    /// <summary>The token of the next page of a list response, if any.</summary>
    public static string? NextPageToken(IMessage message) =>
        message.Descriptor.FindFieldByName("next_page_token")?.Accessor.GetValue(message) is string { Length: > 0 } token ? token : null;

    /// <summary>The items of a paged response: its one repeated message field, when it has a next_page_token.</summary>
    public static FieldDescriptor? PagedItemsOf(MessageDescriptor type) =>
        type.FindFieldByName("next_page_token") is null ? null
        : type.Fields.InFieldNumberOrder().Where(f => f.IsRepeated && f.FieldType == FieldType.Message).ToList() is [var items] ? items : null;

    /// <summary>A list response: one repeated message field, and at most a page token besides.</summary>
    private static FieldDescriptor? ListOf(MessageDescriptor type)
    {
        var repeated = type.Fields.InFieldNumberOrder().Where(f => f.IsRepeated && f.FieldType == FieldType.Message).ToList();
        var others = type.Fields.InFieldNumberOrder().Except(repeated).Where(f => f.Name is not ("next_page_token" or "total_size"));
        return repeated.Count == 1 && !others.Any() ? repeated[0] : null;
    }

    private void Details(IMessage message)
    {
        var rows = new List<(string Name, string Value)>();
        var tables = new List<(string Name, FieldDescriptor Field, List<IMessage> Items)>();
        Collect(message, "", rows, tables);
        var width = rows.Count == 0 ? 0 : rows.Max(r => r.Name.Length);
        foreach (var (name, value) in rows)
        {
            output.Write(name.PadRight(width + 2));
            output.WriteLine(value);
        }

        foreach (var (name, field, items) in tables)
        {
            output.WriteLine();
            output.WriteLine($"{name}:");
            Table(field.MessageType, items, indent: "  ");
        }
    }

    private static void Collect(IMessage message, string prefix, List<(string, string)> rows, List<(string, FieldDescriptor, List<IMessage>)> tables)
    {
        foreach (var field in message.Descriptor.Fields.InFieldNumberOrder())
        {
            var value = field.Accessor.GetValue(message);
            var name = prefix + Label(field);
            if (field.IsRepeated && field.FieldType == FieldType.Message && !IsScalarLike(field.MessageType))
            {
                var items = ((IList)value).Cast<IMessage>().ToList();
                if (items.Count > 0)
                {
                    tables.Add((name, field, items));
                }
            }
            else if (!field.IsRepeated && field.FieldType == FieldType.Message && !IsScalarLike(field.MessageType))
            {
                if (value is IMessage nested)
                {
                    Collect(nested, name + ".", rows, tables);
                }
            }
            else
            {
                var text = Text(field, value);
                if (text.Length > 0)
                {
                    rows.Add((name, text));
                }
            }
        }
    }

    private void Table(MessageDescriptor type, IReadOnlyList<IMessage> items, string indent = "")
    {
        var columns = Columns(type);
        var cells = items.Select(item => columns.Select(c => Text(c, c.Accessor.GetValue(item))).ToList()).ToList();
        var widths = columns.Select((c, i) => Math.Max(Header(c).Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToList();
        output.WriteLine(indent + Row(columns.Select(Header).ToList(), widths));
        foreach (var row in cells)
        {
            output.WriteLine(indent + Row(row, widths));
        }
    }

    private static string Row(IReadOnlyList<string> cells, IReadOnlyList<int> widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Count - 1 ? c : c.PadRight(widths[i]))).TrimEnd();

    // The columns of a row: id, name and state first (unless a stream's), then the short scalar fields, at most eight in all.
    private static List<FieldDescriptor> Columns(MessageDescriptor type, bool leading = true)
    {
        var fields = type.Fields.InFieldNumberOrder();
        var first = leading ? LeadingColumns.Select(type.FindFieldByName).Where(f => f is not null).Cast<FieldDescriptor>() : [];
        var rest = fields.Where(f => !f.IsRepeated && f.Name is not ("region" or "etag" or "description" or "create_time" or "update_time")
            && (f.FieldType != FieldType.Message || f.MessageType.FullName == Timestamp.Descriptor.FullName));
        return first.Concat(rest).Distinct().Take(8).ToList();
    }

    private static string Header(FieldDescriptor field) => field.Name.Replace('_', ' ').ToUpperInvariant();

    private static string Label(FieldDescriptor field) => field.JsonName;

    private static bool IsScalarLike(MessageDescriptor type) => type.File.Package == "google.protobuf";

    // A value as a person reads it: an enum by its short name (AVAILABLE), a time in UTC, a list joined by commas.
    private static string Text(FieldDescriptor field, object? value)
    {
        switch (value)
        {
            case null:
                return "";
            case IList list when field.IsRepeated:
                return string.Join(",", list.Cast<object>().Select(v => One(field, v)));
            default:
                return One(field, value);
        }
    }

    private static string One(FieldDescriptor field, object value) =>
        value switch
        {
            Timestamp time => time.ToDateTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            Duration duration => duration.ToTimeSpan().ToString(),
            IMessage message => Compact.Format(message),
            bool b => b ? "true" : "false",
            string s => s,
            ByteString bytes => Convert.ToBase64String(bytes.Span),
            _ when field.FieldType == FieldType.Enum => EnumText(field.EnumType, Convert.ToInt32(value, CultureInfo.InvariantCulture)),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture) is "0" ? "" : f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };

    private static string EnumText(EnumDescriptor type, int number) =>
        type.FindValueByNumber(number) is { Number: not 0 } value ? Values.ShortName(value).Replace('-', '_').ToUpperInvariant() : "";

    // YAML of the same document as -o json: parsed from it, so names and values are the API's.
    private static string ToYaml(IMessage message)
    {
        using var json = JsonDocument.Parse(Compact.Format(message));
        return Yaml.Serialize(Plain(json.RootElement));
    }

    private static object? Plain(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().ToDictionary(p => p.Name, p => Plain(p.Value)),
        JsonValueKind.Array => element.EnumerateArray().Select(Plain).ToList(),
        JsonValueKind.String => element.GetString(),
        JsonValueKind.Number => element.TryGetInt64(out var l) ? l : element.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };
}
