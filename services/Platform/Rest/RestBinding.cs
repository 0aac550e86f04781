using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Google.Api;
using Google.Protobuf.Reflection;

namespace DirectConnect.Platform.Rest;

/// <summary>
/// Where the fields of a method's request come from over REST, as its HTTP rule says (google/api/http.proto):
/// the path's variables, the JSON body (one field, or <c>*</c> for every field the path does not set), and
/// the query for the rest — but only when the body is not <c>*</c>.
/// </summary>
public sealed partial record RestBinding(MethodDescriptor Method, MessageDescriptor Input, IReadOnlySet<FieldDescriptor> PathFields, string Body)
{
    private static readonly ConcurrentDictionary<HttpRule, RestBinding> Bindings = new();

    /// <summary>The whole request is the body (<c>body: "*"</c>): nothing comes from the query.</summary>
    public bool WholeBody => Body == "*";

    /// <summary>The field the body fills when it is one field, else null.</summary>
    public FieldDescriptor? BodyField => Body is "" or "*" ? null : Input.FindFieldByName(Body);

    /// <summary>How a REST request of <paramref name="method"/> bound by <paramref name="rule"/> fills its request message.</summary>
    public static RestBinding Of(MethodDescriptor method, HttpRule rule)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(rule);
        return Bindings.GetOrAdd(rule, r =>
        {
            var template = r.PatternCase switch
            {
                HttpRule.PatternOneofCase.Get => r.Get,
                HttpRule.PatternOneofCase.Put => r.Put,
                HttpRule.PatternOneofCase.Post => r.Post,
                HttpRule.PatternOneofCase.Delete => r.Delete,
                HttpRule.PatternOneofCase.Patch => r.Patch,
                HttpRule.PatternOneofCase.Custom => r.Custom.Path,
                _ => "",
            };
            // {region}, {vpc_id}, {name=projects/*}: the field is the variable's first segment (a path may set a nested field).
            var pathFields = Variable().Matches(template)
                .Select(m => method.InputType.FindFieldByName(m.Groups[1].Value.Split('.')[0]))
                .OfType<FieldDescriptor>()
                .ToHashSet();
            return new RestBinding(method, method.InputType, pathFields, r.Body);
        });
    }

    /// <summary>The binding of <paramref name="method"/>'s own HTTP rule, or null when it declares none.</summary>
    public static RestBinding? Of(MethodDescriptor method)
    {
        ArgumentNullException.ThrowIfNull(method);
        return method.GetOptions()?.GetExtension(AnnotationsExtensions.Http) is { } rule ? Of(method, rule) : null;
    }

    [GeneratedRegex(@"\{([A-Za-z0-9_.]+)", RegexOptions.CultureInvariant)]
    private static partial Regex Variable();
}
