using System.CommandLine;
using System.Text.Json.Nodes;
using DirectConnect.Cli.Catalog;
using Google.Api;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using FieldMask = Google.Protobuf.WellKnownTypes.FieldMask;

namespace DirectConnect.Cli.Requests;

/// <summary>
/// A request message as command-line symbols, and back. <c>region</c> comes from the global
/// <c>--region</c>; <c>id</c> is the command's ID argument; the resource in the body is flattened into
/// options named after its fields (<c>--bandwidth-mbps</c>, a nested message's with its name first:
/// <c>--bgp-customer-asn</c>), output-only fields left out. A mutation gets a fresh <c>request_id</c>
/// unless one is given, so that a retry of the same command line is not; an update's
/// <c>update_mask</c> is the body fields given, unless one is given.
/// </summary>
public sealed class RequestShape
{
    private readonly MessageDescriptor _type;
    private readonly List<Leaf> _leaves = [];
    private readonly FieldDescriptor? _body;

    private RequestShape(MessageDescriptor type)
    {
        _type = type;
        _body = type.Fields.InFieldNumberOrder().FirstOrDefault(f => f.FieldType == FieldType.Message && !f.IsRepeated && !IsWellKnown(f.MessageType));
    }

    /// <summary>The ID argument, when the request has an <c>id</c> field.</summary>
    public Argument<string>? Id { get; private set; }

    /// <summary>Whether the request carries a <c>request_id</c> (a mutation, which <c>--wait</c> may follow).</summary>
    public bool IsMutation => _type.FindFieldByName("request_id") is not null;

    /// <summary>The shape of <paramref name="type"/>'s request, its symbols added to <paramref name="command"/>.</summary>
    public static RequestShape For(MessageDescriptor type, Command command)
    {
        var shape = new RequestShape(type);
        foreach (var field in type.Fields.InFieldNumberOrder())
        {
            switch (field.Name)
            {
                case "region":
                    continue;
                case "id" when field.FieldType == FieldType.String:
                    shape.Id = new Argument<string>("ID") { Description = ContractDocs.Of(field) };
                    command.Add(shape.Id);
                    continue;
                case "update_mask" when field.MessageType?.FullName == FieldMask.Descriptor.FullName:
                    shape.Add(new Leaf(Kebab(field), [field], "Field paths to change, comma-separated (e.g. name,description); by default, the fields given as options."));
                    continue;
            }

            if (field == shape._body)
            {
                shape.Flatten(field.MessageType!, [field], prefix: "");
            }
            else if (field.FieldType == FieldType.Message && !field.IsRepeated && !IsWellKnown(field.MessageType!))
            {
                shape.Flatten(field.MessageType!, [field], prefix: Kebab(field) + "-");
            }
            else if (field.Name == "request_id")
            {
                shape.Add(new Leaf(Kebab(field), [field], ContractDocs.Of(field) + " dc sends a new one when this is not given; give your own to retry a command safely."));
            }
            else
            {
                shape.Add(new Leaf(Kebab(field), [field], ContractDocs.Of(field)));
            }
        }

        foreach (var leaf in shape._leaves)
        {
            command.Add(leaf.Option);
        }

        return shape;
    }

    /// <summary>The option a field path of an error names, e.g. <c>--bgp-customer-asn</c> for <c>virtual_interface.bgp.customer_asn</c>.</summary>
    public string? OptionFor(string fieldPath)
    {
        if (fieldPath == "id" && Id is not null)
        {
            return "ID";
        }

        // Repeated fields are named with an index (idc_prefixes[2]); the option is the field's.
        var path = System.Text.RegularExpressions.Regex.Replace(fieldPath, @"\[\d+\]", "");
        return _leaves.FirstOrDefault(l => l.ProtoPath == path || path.StartsWith(l.ProtoPath + ".", StringComparison.Ordinal))?.Option.Name;
    }

    /// <summary>The request from what was typed; every bad value is named at once (<see cref="InputException"/>).</summary>
    public IMessage Build(ParseResult parsed, string region)
    {
        var root = new JsonObject();
        var problems = new List<string>();
        if (_type.FindFieldByName("region") is { } regionField)
        {
            root[regionField.JsonName] = region;
        }

        if (Id is not null)
        {
            root["id"] = parsed.GetValue(Id);
        }

        var bodyPaths = new List<string>();
        foreach (var leaf in _leaves)
        {
            if (parsed.GetResult(leaf.Option) is not { Implicit: false })
            {
                continue;
            }

            var value = leaf.Read(parsed, out var problem);
            if (problem is not null)
            {
                problems.Add($"{leaf.Option.Name}: {problem}");
                continue;
            }

            Set(root, leaf.Path, value);
            if (_body is not null && leaf.Path[0] == _body)
            {
                bodyPaths.Add(string.Join('.', leaf.Path.Skip(1).Select(f => f.Name)));
            }
        }

        if (problems.Count > 0)
        {
            throw new InputException(problems);
        }

        if (_type.FindFieldByName("request_id") is { } requestId && root[requestId.JsonName] is null)
        {
            root[requestId.JsonName] = Guid.NewGuid().ToString();
        }

        if (_type.FindFieldByName("update_mask") is { } mask && root[mask.JsonName] is null && bodyPaths.Count > 0)
        {
            root[mask.JsonName] = string.Join(',', bodyPaths.Select(ToCamel));
        }

        try
        {
            return JsonParser.Default.Parse(root.ToJsonString(), _type);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new InputException(e.Message);
        }
    }

    private void Flatten(MessageDescriptor type, IReadOnlyList<FieldDescriptor> path, string prefix)
    {
        foreach (var field in type.Fields.InFieldNumberOrder())
        {
            if (Behaviors(field).Contains(FieldBehavior.OutputOnly))
            {
                continue;
            }

            var fieldPath = path.Append(field).ToList();
            if (field.FieldType == FieldType.Message && !field.IsRepeated && !field.IsMap && !IsWellKnown(field.MessageType))
            {
                Flatten(field.MessageType, fieldPath, prefix + Kebab(field) + "-");
                continue;
            }

            var name = prefix + Kebab(field);
            if (_leaves.Any(l => l.Option.Name == "--" + name))
            {
                // A body field named like a request field (e.g. etag): the body's name first.
                name = Kebab(path[0]) + "-" + name;
            }

            Add(new Leaf(name, fieldPath, ContractDocs.Of(field)));
        }
    }

    private void Add(Leaf leaf) => _leaves.Add(leaf);

    private static void Set(JsonObject root, IReadOnlyList<FieldDescriptor> path, JsonNode? value)
    {
        var node = root;
        foreach (var field in path.Take(path.Count - 1))
        {
            node = (JsonObject)(node[field.JsonName] ??= new JsonObject());
        }

        node[path[^1].JsonName] = value;
    }

    internal static IList<FieldBehavior> Behaviors(FieldDescriptor field) =>
        field.GetOptions()?.GetExtension(FieldBehaviorExtensions.FieldBehavior) ?? (IList<FieldBehavior>)[];

    private static bool IsWellKnown(MessageDescriptor type) => type.File.Package is "google.protobuf" or "google.type";

    private static string Kebab(FieldDescriptor field) => CommandCatalog.Kebab(field.Name);

    private static string ToCamel(string path) =>
        string.Join('.', path.Split('.').Select(p => string.Concat(p.Split('_').Select((w, i) => i == 0 ? w : char.ToUpperInvariant(w[0]) + w[1..]))));

    /// <summary>One option and the field (path) it sets.</summary>
    private sealed class Leaf
    {
        public Leaf(string name, IReadOnlyList<FieldDescriptor> path, string description)
        {
            Path = path;
            var field = path[^1];
            ProtoPath = string.Join('.', path.Select(f => f.Name));
            var required = Behaviors(field).Contains(FieldBehavior.Required) ? " (required)" : "";
            if (field.FieldType == FieldType.Bool && !field.IsRepeated)
            {
                Option = new Option<bool>("--" + name) { Description = description + required };
                return;
            }

            if (field.IsRepeated && field.FieldType != FieldType.Message)
            {
                Option = new Option<string[]>("--" + name)
                {
                    Description = description + required + " Several: repeat the option or separate with commas.",
                    AllowMultipleArgumentsPerToken = false,
                    HelpName = HelpNameOf(field),
                };
            }
            else
            {
                Option = new Option<string>("--" + name)
                {
                    Description = description + required + (field.IsRepeated ? " As a JSON array." : ""),
                    HelpName = field.IsRepeated ? "json" : HelpNameOf(field),
                };
            }

            if (field.FieldType == FieldType.Enum)
            {
                var names = Values.ShortNames(field.EnumType).ToArray();
                Option.CompletionSources.Add(names);
            }
        }

        public Option Option { get; }

        public IReadOnlyList<FieldDescriptor> Path { get; }

        public string ProtoPath { get; }

        public JsonNode? Read(ParseResult parsed, out string? problem)
        {
            problem = null;
            var field = Path[^1];
            switch (Option)
            {
                case Option<bool> flag:
                    return JsonValue.Create(parsed.GetValue(flag));
                case Option<string[]> many:
                    var array = new JsonArray();
                    foreach (var word in parsed.GetValue(many)!.SelectMany(w => w.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
                    {
                        var item = Values.ToJson(field, word, out problem);
                        if (problem is not null)
                        {
                            return null;
                        }

                        array.Add(item);
                    }

                    return array;
                default:
                    var text = parsed.GetValue((Option<string>)Option) ?? "";
                    if (field.FieldType == FieldType.Message && field.IsRepeated)
                    {
                        return Values.Message(field.MessageType, text, out problem) is { } node
                            ? node as JsonArray ?? new JsonArray(node)
                            : null;
                    }

                    if (field.FieldType == FieldType.Message && field.MessageType.FullName == FieldMask.Descriptor.FullName)
                    {
                        return JsonValue.Create(string.Join(',', text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(ToCamel)));
                    }

                    return Values.ToJson(field, text, out problem);
            }
        }

        private static string HelpNameOf(FieldDescriptor field) => field.FieldType switch
        {
            FieldType.Enum => string.Join('|', Values.ShortNames(field.EnumType)),
            FieldType.String => "text",
            FieldType.Message => field.MessageType.Name.ToLowerInvariant(),
            FieldType.Double or FieldType.Float => "number",
            _ => "n",
        };
    }
}
