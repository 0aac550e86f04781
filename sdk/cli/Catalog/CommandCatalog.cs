using System.Reflection;
using System.Text;
using DirectConnect.Contracts.V1;
using Google.Protobuf.Reflection;

namespace DirectConnect.Cli.Catalog;

/// <summary>One public method as a command: <c>dc GROUP VERB</c>, or <c>dc VERB</c> for a service of one method.</summary>
/// <param name="Group">The resource group, e.g. <c>physical-connections</c>; null for a top-level command (<c>trace</c>, <c>watch</c>).</param>
/// <param name="Verb">The verb, e.g. <c>create</c>, <c>record-payment</c>, <c>get-loa</c>.</param>
/// <param name="Aliases">Other names of the verb: a <c>get-x</c> verb is also <c>x</c> (<c>loa</c>).</param>
public sealed record MethodCommand(string? Group, string Verb, IReadOnlyList<string> Aliases, ServiceDescriptor Service, MethodDescriptor Method)
{
    /// <summary>What a person types after <c>dc</c>, e.g. <c>physical-connections create</c>.</summary>
    public string Path => Group is null ? Verb : $"{Group} {Verb}";
}

/// <summary>A top-level short name for a command, e.g. <c>dc loa</c> for <c>dc physical-connections get-loa</c>.</summary>
public sealed record Shortcut(string Name, string Group, string Verb);

/// <summary>
/// The commands, derived from the public contracts (package <c>directconnect.v1</c>): each service is a
/// group named after its resource in the plural, each method a verb named after the method without the
/// resource. Nothing here names a method, so a new one is a new command.
/// </summary>
public static class CommandCatalog
{
    /// <summary>The package of the public API; the internal one (<c>directconnect.internal.v1</c>) is not compiled into the contracts this tool uses.</summary>
    public const string PublicPackage = "directconnect.v1";

    /// <summary>Short top-level names the README and the issue use for two frequent downloads.</summary>
    public static readonly IReadOnlyList<Shortcut> Shortcuts =
    [
        new("loa", "physical-connections", "get-loa"),
        new("router-config", "virtual-interfaces", "get-router-configuration"),
    ];

    private static readonly Lazy<IReadOnlyList<MethodCommand>> All = new(Build);

    /// <summary>Every public method's command, in service then method order.</summary>
    public static IReadOnlyList<MethodCommand> Commands => All.Value;

    /// <summary>The public services compiled into the contracts assembly.</summary>
    public static IReadOnlyList<ServiceDescriptor> PublicServices() =>
        typeof(PhysicalConnection).Assembly.GetTypes()
            .Select(t => t.GetProperty("Descriptor", BindingFlags.Public | BindingFlags.Static))
            .Where(p => p?.PropertyType == typeof(ServiceDescriptor))
            .Select(p => (ServiceDescriptor)p!.GetValue(null)!)
            .Where(s => s.File.Package == PublicPackage)
            .OrderBy(s => s.FullName, StringComparer.Ordinal)
            .ToList();

    private static List<MethodCommand> Build()
    {
        var commands = new List<MethodCommand>();
        foreach (var service in PublicServices())
        {
            var noun = service.Name.EndsWith("Service", StringComparison.Ordinal) ? service.Name[..^"Service".Length] : service.Name;
            if (service.Methods.Count == 1)
            {
                // TraceReachability → `dc trace`, WatchChanges → `dc watch`.
                var method = service.Methods[0];
                commands.Add(new MethodCommand(null, Kebab(Words(method.Name)[0]), [], service, method));
                continue;
            }

            var group = Kebab(Plural(noun));
            foreach (var method in service.Methods)
            {
                var verb = VerbOf(method.Name, noun);
                var aliases = verb.StartsWith("get-", StringComparison.Ordinal) ? new[] { verb["get-".Length..] } : [];
                commands.Add(new MethodCommand(group, verb, aliases, service, method));
            }
        }

        return commands;
    }

    /// <summary>
    /// The method's name without its resource where the resource follows the first word:
    /// CreatePhysicalConnection → create, RecordPhysicalConnectionPayment → record-payment,
    /// ListVirtualInterfaceRoutes → list-routes; CreateVpcRoute (in RouteService) stays create-vpc-route.
    /// </summary>
    public static string VerbOf(string methodName, string noun)
    {
        var first = Words(methodName)[0];
        var rest = methodName[first.Length..];
        foreach (var resource in new[] { Plural(noun), noun })
        {
            if (rest.StartsWith(resource, StringComparison.Ordinal) && (rest.Length == resource.Length || char.IsUpper(rest[resource.Length])))
            {
                return Kebab(first + rest[resource.Length..]);
            }
        }

        return Kebab(methodName);
    }

    /// <summary>PhysicalConnections → physical-connections; also for proto field names (bgp_customer_asn → bgp-customer-asn).</summary>
    public static string Kebab(string name)
    {
        if (name.Contains('_', StringComparison.Ordinal))
        {
            return name.Replace('_', '-').ToLowerInvariant();
        }

        return string.Join('-', Words(name)).ToLowerInvariant();
    }

    private static string Plural(string noun) => noun.EndsWith('y') && !noun.EndsWith("ay", StringComparison.Ordinal) ? noun[..^1] + "ies" : noun + "s";

    private static List<string> Words(string pascal)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in pascal)
        {
            if (char.IsUpper(c) && word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }

            word.Append(c);
        }

        if (word.Length > 0)
        {
            words.Add(word.ToString());
        }

        return words;
    }
}
