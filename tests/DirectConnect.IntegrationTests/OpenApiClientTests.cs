using System.Text.Json;
using DirectConnect.Contracts.V1;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The OpenAPI document as the tools people use read it, fetched live from a real gateway: redocly lints it,
/// and clients generated from it by openapi-typescript (+ openapi-fetch) and by Kiota (C#) order a physical
/// connection, list it, download a LOA as bytes and read the reason of an error from this gateway — Kiota's
/// also opens the watch. The tools are the ones the repository pins: redocly, openapi-typescript, openapi-fetch,
/// tsc and tsx from `npm ci`, Kiota from `dotnet tool restore` (dotnet-tools.json, run by this project's build).
/// The programs are in OpenApiClients/; each is copied under the test's output directory, beside what the tool
/// generates, so that Node finds the repository's node_modules and MSBuild its Directory.*.props.
/// </summary>
public sealed class OpenApiClientTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>, IDisposable
{
    private const string Region = Lifecycle.Region;

    private readonly string _work = Path.Combine(AppContext.BaseDirectory, "openapi-clients", Guid.NewGuid().ToString("N"));

    private string DocumentUrl => new Uri(system.RestAddress, "/openapi/v1.json").ToString();

    public void Dispose()
    {
        if (Directory.Exists(_work))
        {
            Directory.Delete(_work, recursive: true);
        }
    }

    [Fact]
    public async Task RedoclyFindsNoErrorAndNoWarning()
    {
        Directory.CreateDirectory(_work);
        var document = Path.Combine(_work, "v1.json");
        using (var http = system.Rest(null))
        {
            await File.WriteAllTextAsync(document, await http.GetStringAsync(DocumentUrl));
        }

        var lint = await ExternalTool.RunAsync(ExternalTool.Node("redocly"), ["lint", document, "--format=json"], Quiet);
        using var report = JsonDocument.Parse(lint.Output);
        var problems = report.RootElement.GetProperty("problems").EnumerateArray()
            .Select(p => $"{p.GetProperty("severity").GetString()} {p.GetProperty("ruleId").GetString()}: {p.GetProperty("message").GetString()}")
            .ToArray();
        Assert.True(report.RootElement.GetProperty("totals").GetProperty("errors").GetInt32() == 0, $"redocly found errors:\n{string.Join('\n', problems)}");
        Assert.DoesNotContain(problems, p => p.Contains("operation-operationId", StringComparison.Ordinal));
        Assert.True(problems.Length == 0, $"redocly found problems:\n{string.Join('\n', problems)}");
        Assert.Equal(0, lint.ExitCode);
    }

    [Fact]
    public async Task AClientFromOpenapiTypescriptOrdersListsDownloadsTheLoaAndReadsAnErrorReason()
    {
        var (account, location, paid) = await SetUpAsync();
        CopyProgram("openapi-fetch");
        var generate = await ExternalTool.RunAsync(ExternalTool.Node("openapi-typescript"), [DocumentUrl, "-o", Path.Combine(_work, "api.d.ts")], Quiet);
        Assert.True(generate.ExitCode == 0, $"openapi-typescript failed:\n{generate}");

        // tsx strips types without checking them: tsc first, so a document the program's types disagree with fails here.
        var typecheck = await ExternalTool.RunAsync(ExternalTool.Node("tsc"), ["--noEmit", "-p", _work]);
        Assert.True(typecheck.ExitCode == 0, $"tsc found errors in the openapi-fetch client:\n{typecheck}");

        var run = await ExternalTool.RunAsync(ExternalTool.Node("tsx"), [Path.Combine(_work, "client.mts")], new Dictionary<string, string>
        {
            ["REST_URL"] = system.RestAddress.ToString(),
            ["CUSTOMER_TOKEN"] = system.Token(account, "customer"),
            ["LOCATION_ID"] = location,
            ["PAID_ID"] = paid,
        });
        Assert.True(run.ExitCode == 0, $"client.mts failed:\n{run}");
        Assert.Contains("error reason PORT_NOT_ALLOCATED", run.Output, StringComparison.Ordinal);
        Assert.Contains("openapi-fetch: passed", run.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AClientFromKiotaOrdersListsDownloadsTheLoaReadsAnErrorReasonAndOpensTheWatch()
    {
        var (account, location, paid) = await SetUpAsync();
        CopyProgram("kiota");
        var generate = await ExternalTool.RunAsync("dotnet",
            ["tool", "run", "kiota", "generate", "--language", "csharp", "--openapi", DocumentUrl, "--output", Path.Combine(_work, "Client"),
             "--class-name", "DirectConnectClient", "--namespace-name", "DirectConnect.Kiota", "--clean-output"],
            new Dictionary<string, string> { ["KIOTA_OFFLINE_ENABLED"] = "true", ["KIOTA_TUTORIAL_ENABLED"] = "false", ["KIOTA_CLI_TELEMETRY_OPTOUT"] = "true" });
        Assert.True(generate.ExitCode == 0, $"kiota failed (is it restored? `dotnet tool restore` in the repository root):\n{generate}");
        // Kiota warns about what it cannot use (no server, a format it ignores, …): it must have nothing to say.
        Assert.DoesNotContain("warn:", generate.Output + generate.Error, StringComparison.Ordinal);
        Assert.Contains($"Client base url set to {system.RestAddress.ToString().TrimEnd('/')}", generate.Output, StringComparison.Ordinal);

        // Built with the repository's settings (warnings are errors), so the generated code must compile cleanly.
        var run = await ExternalTool.RunAsync("dotnet", ["run", "--project", Path.Combine(_work, "KiotaClient.csproj")], new Dictionary<string, string>
        {
            ["CUSTOMER_TOKEN"] = system.Token(account, "customer"),
            ["LOCATION_ID"] = location,
            ["PAID_ID"] = paid,
        }, limit: TimeSpan.FromMinutes(5));
        Assert.True(run.ExitCode == 0, $"the Kiota client failed:\n{run}");
        Assert.Contains("error reason PORT_NOT_ALLOCATED", run.Output, StringComparison.Ordinal);
        Assert.Contains("kiota: passed", run.Output, StringComparison.Ordinal);
    }

    private static Dictionary<string, string> Quiet => new() { ["REDOCLY_TELEMETRY"] = "off", ["REDOCLY_SUPPRESS_UPDATE_NOTICE"] = "true" };

    /// <summary>A customer account with a location to order at and a connection that has a port (so a LOA).</summary>
    private async Task<(string Account, string Location, string Paid)> SetUpAsync()
    {
        var account = "openapi-" + Guid.NewGuid().ToString("N")[..8];
        var location = await system.AddLocationAsync(Region);
        await system.AddDeviceAsync(location, ports: 1, PortSpeed._10G, Region);
        var steps = new Lifecycle(system.Channel, system.As);
        var paid = await steps.PayAsync(await steps.ApproveAsync(await steps.OrderAsync(account, location)));
        Assert.NotNull(paid.Port);
        return (account, location, paid.Id);
    }

    private void CopyProgram(string name)
    {
        Directory.CreateDirectory(_work);
        foreach (var file in Directory.GetFiles(Path.Combine(ExternalTool.RepositoryRoot, "tests", "DirectConnect.IntegrationTests", "OpenApiClients", name)))
        {
            File.Copy(file, Path.Combine(_work, Path.GetFileName(file)));
        }
    }
}
