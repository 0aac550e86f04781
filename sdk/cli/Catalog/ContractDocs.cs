using System.Text.RegularExpressions;
using System.Xml.Linq;
using Google.Protobuf.Reflection;

namespace DirectConnect.Cli.Catalog;

/// <summary>
/// The contracts' documentation comments, which protoc turns into the XML documentation file shipped
/// beside <c>DirectConnect.Contracts.dll</c>: help text for services, methods and fields. Missing
/// documentation gives empty text, never an error.
/// </summary>
public static partial class ContractDocs
{
    private static readonly Lazy<IReadOnlyDictionary<string, string>> Members = new(Load);

    /// <summary>The first paragraph of a service's comment, for its group's help.</summary>
    public static string Of(ServiceDescriptor service) => FirstParagraph(Lookup($"T:{ClrName(service)}"));

    /// <summary>A method's comment, for its command's help.</summary>
    public static string Of(MethodDescriptor method)
    {
        var prefix = $"M:{ClrName(method.Service)}.{method.Service.Name}Base.{method.Name}(";
        return Members.Value.FirstOrDefault(m => m.Key.StartsWith(prefix, StringComparison.Ordinal)).Value ?? "";
    }

    /// <summary>A field's comment, for its option's help.</summary>
    public static string Of(FieldDescriptor field) =>
        field.ContainingType.ClrType is { } type ? Lookup($"P:{type.FullName!.Replace('+', '.')}.{field.PropertyName}") : "";

    private static string ClrName(ServiceDescriptor service) => $"{service.File.GetOptions()?.CsharpNamespace ?? "DirectConnect.Contracts.V1"}.{service.Name}";

    private static string Lookup(string member) => Members.Value.TryGetValue(member, out var text) ? text : "";

    private static string FirstParagraph(string text)
    {
        var end = text.IndexOf("\n\n", StringComparison.Ordinal);
        return end < 0 ? text : text[..end];
    }

    private static Dictionary<string, string> Load()
    {
        var path = Path.ChangeExtension(typeof(DirectConnect.Contracts.V1.PhysicalConnection).Assembly.Location, ".xml");
        if (!File.Exists(path))
        {
            return [];
        }

        return XDocument.Load(path).Descendants("member")
            .Where(m => m.Attribute("name") is not null && m.Element("summary") is not null)
            .GroupBy(m => m.Attribute("name")!.Value)
            .ToDictionary(g => g.Key, g => Clean(g.First().Element("summary")!.Value));
    }

    // The summary as lines of prose: the XML indentation dropped, lines of one paragraph joined.
    private static string Clean(string summary)
    {
        var paragraphs = Blank().Split(summary.Trim());
        return string.Join("\n\n", paragraphs.Select(p => Spaces().Replace(p.Trim(), " ")));
    }

    [GeneratedRegex(@"\n\s*\n")]
    private static partial Regex Blank();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Spaces();
}
