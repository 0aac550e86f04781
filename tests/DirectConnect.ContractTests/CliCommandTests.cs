using System.CommandLine;
using DirectConnect.Cli;
using DirectConnect.Cli.Catalog;
using DirectConnect.Platform.Tenancy;
using Google.Api;
using Google.Protobuf.Reflection;

namespace DirectConnect.ContractTests;

/// <summary>
/// `dc` has a command for every public method, reachable in its command tree, with a way to set every
/// field of the request; and the names the issue and the README promise. The methods are taken from
/// the gateway's own discovery, not from the CLI's, so a method the CLI missed fails here.
/// </summary>
public sealed class CliCommandTests
{
    private static readonly RootCommand Root = CliApp.Root();

    public static TheoryData<string> PublicMethods() =>
        [.. MethodAccessCatalog.ContractServices().SelectMany(s => s.Methods).Select(m => m.FullName)];

    [Theory]
    [MemberData(nameof(PublicMethods))]
    public void EveryPublicMethodIsACommandThatCanSetEveryRequestField(string fullName)
    {
        var method = MethodAccessCatalog.ContractServices().SelectMany(s => s.Methods).Single(m => m.FullName == fullName);
        var entry = Assert.Single(CommandCatalog.Commands, c => c.Method.FullName == fullName);

        var command = Find(entry.Path);
        Assert.NotNull(command);
        Assert.False(string.IsNullOrWhiteSpace(command.Description), $"dc {entry.Path} has no help text from the proto comments");

        // Every input field is settable: region globally, id as the argument, the rest as options (output-only ones excepted).
        var names = command.Options.Select(o => o.Name).Concat(Root.Options.Select(o => o.Name)).ToHashSet(StringComparer.Ordinal);
        foreach (var path in SettablePaths(method.InputType, ""))
        {
            switch (path)
            {
                case "region":
                    Assert.Contains("--region", names);
                    break;
                case "id":
                    Assert.Contains(command.Arguments, a => a.Name == "ID");
                    break;
                default:
                    var dashed = "--" + path.Replace('_', '-').Replace('.', '-');
                    var bodyless = "--" + string.Join('-', path.Split('.').Skip(1)).Replace('_', '-');
                    Assert.True(names.Contains(dashed) || names.Contains(bodyless), $"dc {entry.Path}: no option sets {path} (looked for {dashed} and {bodyless})");
                    break;
            }
        }
    }

    [Fact]
    public void TheNamesTheGuideUsesExist()
    {
        foreach (var path in new[]
        {
            "physical-connections create", "physical-connections list", "physical-connections get", "physical-connections update",
            "physical-connections delete", "physical-connections approve", "physical-connections reject", "physical-connections record-payment",
            "physical-connections complete-construction", "physical-connections confirm", "physical-connections loa", "loa",
            "locations create", "access-devices create", "vpcs register", "border-gateways create", "virtual-interfaces create",
            "virtual-interfaces get-router-configuration", "router-config", "routes create-vpc-route", "routes create-border-gateway-route",
            "hosted-connections allocate", "hosted-connections accept", "partners register", "trace", "watch",
            "login", "logout", "token", "profiles", "completion",
        })
        {
            Assert.True(Find(path) is not null, $"dc {path} is missing");
        }
    }

    [Fact]
    public void WaitIsOfferedOnMutationsOfResourcesWithAStateAndAGet()
    {
        var waits = CommandCatalog.Commands.Where(c => Find(c.Path)!.Options.Any(o => o.Name == "--wait")).Select(c => c.Path).ToList();
        Assert.Contains("physical-connections approve", waits);
        Assert.Contains("virtual-interfaces create", waits);
        Assert.Contains("border-gateways create", waits);
        Assert.DoesNotContain("physical-connections get", waits);
        Assert.DoesNotContain("watch", waits);
    }

    [Fact]
    public void EveryListFollowsItsPagesWithAll()
    {
        var lists = CommandCatalog.Commands.Where(c => c.Method.InputType.FindFieldByName("page_token") is not null).ToList();
        Assert.NotEmpty(lists);
        Assert.All(lists, c => Assert.Contains(Find(c.Path)!.Options, o => o.Name == "--all"));
        Assert.DoesNotContain(Find("physical-connections get")!.Options, o => o.Name == "--all");
    }

    private static Command? Find(string path)
    {
        Command? command = Root;
        foreach (var word in path.Split(' '))
        {
            command = command?.Subcommands.FirstOrDefault(c => c.Name == word || c.Aliases.Contains(word));
        }

        return command;
    }

    // The fields a caller sets: nested messages flattened (bgp.customer_asn), output-only ones left out, well-known types whole.
    private static IEnumerable<string> SettablePaths(MessageDescriptor type, string prefix)
    {
        foreach (var field in type.Fields.InFieldNumberOrder())
        {
            var behaviors = field.GetOptions()?.GetExtension(FieldBehaviorExtensions.FieldBehavior) ?? [];
            if (behaviors.Contains(FieldBehavior.OutputOnly))
            {
                continue;
            }

            if (field.FieldType == FieldType.Message && !field.IsRepeated && field.MessageType.File.Package != "google.protobuf")
            {
                foreach (var nested in SettablePaths(field.MessageType, prefix + field.Name + "."))
                {
                    yield return nested;
                }
            }
            else
            {
                yield return prefix + field.Name;
            }
        }
    }
}
