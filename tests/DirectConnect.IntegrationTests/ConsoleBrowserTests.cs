using DirectConnect.IntegrationTests.DataPlane;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Issue 16: the web console in a real browser — Debian's chromium, headless, driven by playwright-core from the
/// TypeScript tests in gateway/Console/test against the gateway in this process (which serves the console). They
/// keep screenshots at a desktop and a narrow width in artifacts/console-screenshots (.ci/run prints the path).
/// The guide's walk is <see cref="ConsoleGuideTests"/>.
/// </summary>
public sealed class ConsoleBrowserTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    internal static string Screenshots => Path.Combine(ExternalTool.RepositoryRoot, "artifacts", "console-screenshots");

    private Dictionary<string, string> Environment(string account) => Environment(system, account);

    internal static Dictionary<string, string> Environment(EmbeddedSystem system, string account) => new()
    {
        ["CONSOLE_URL"] = system.RestAddress.ToString().TrimEnd('/'),
        ["SCREENSHOTS_DIR"] = Screenshots,
        ["ACCOUNT"] = account,
    };

    [Fact]
    public async Task TheConsoleAndItsBrowserTestsTypecheck()
    {
        // esbuild strips types without checking them: tsc checks the app and the tests.
        foreach (var project in new[] { "gateway/Console", "gateway/Console/test" })
        {
            var result = await ExternalTool.RunAsync(ExternalTool.Node("tsc"), ["--noEmit", "-p", project]);
            Assert.True(result.ExitCode == 0, $"tsc found errors in {project}:\n{result}");
        }
    }

    [Fact]
    public async Task FieldErrorsLiveChangesTheTopologyAndAccessibilityHoldInTheBrowser()
    {
        var result = await ExternalTool.RunAsync(ExternalTool.Node("tsx"), ["gateway/Console/test/console.e2e.ts"],
            Environment("web-" + Guid.NewGuid().ToString("N")[..8]), limit: TimeSpan.FromMinutes(4));
        Assert.True(result.ExitCode == 0, $"console.e2e.ts failed:\n{result}");
        Assert.Contains("console.e2e: passed", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APartnerAllocatesAHostedConnectionAndItsCustomerAcceptsAndUsesItInTheBrowser()
    {
        var result = await ExternalTool.RunAsync(ExternalTool.Node("tsx"), ["gateway/Console/test/partner.e2e.ts"],
            Environment("hc-" + Guid.NewGuid().ToString("N")[..8]), limit: TimeSpan.FromMinutes(4));
        Assert.True(result.ExitCode == 0, $"partner.e2e.ts failed:\n{result}");
        Assert.Contains("partner.e2e: passed", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task APersonSignsInThroughTheOidcAuthorityWithNoTokenInAnyUrlOrLog()
    {
        await using var authority = await OidcProvider.StartAsync();
        authority.Account = "oidc-" + Guid.NewGuid().ToString("N")[..8];
        var data = Path.Combine(Path.GetTempPath(), "dc-console-oidc-" + Guid.NewGuid().ToString("N"));
        await using var gateway = await GatewayProcess.StartAsync(data,
            $"--DirectConnect:Auth:Authority={authority.Issuer}",
            $"--DirectConnect:Auth:Issuer={authority.Issuer}",
            "--DirectConnect:Auth:RequireHttpsMetadata=false",
            $"--DirectConnect:Console:OidcClientId={OidcProvider.ClientId}",
            "--Logging:LogLevel:Default=Debug");
        var environment = new Dictionary<string, string>
        {
            ["CONSOLE_URL"] = gateway.RestAddress.ToString().TrimEnd('/'),
            ["SCREENSHOTS_DIR"] = Screenshots,
            ["ACCOUNT"] = authority.Account,
        };

        var result = await ExternalTool.RunAsync(ExternalTool.Node("tsx"), ["gateway/Console/test/oidc.e2e.ts"], environment);
        Assert.True(result.ExitCode == 0, $"oidc.e2e.ts failed:\n{result}\n--- refused by the authority ---\n{string.Join("\n", authority.Refusals)}\n--- gateway ---\n{gateway.Output}");
        Assert.Contains("oidc.e2e: passed", result.Output, StringComparison.Ordinal);
        Assert.Empty(authority.Refusals);
        Assert.NotEmpty(authority.Issued);
        // Not even at Debug does the gateway write a token it was sent; nor does the test's own output carry one.
        Assert.All(authority.Issued, token =>
        {
            Assert.DoesNotContain(token.Split('.')[2], gateway.Output, StringComparison.Ordinal);
            Assert.DoesNotContain(token.Split('.')[2], result.Output + result.Error, StringComparison.Ordinal);
        });
    }
}

/// <summary>
/// The guide's walk through the console (gateway/Console/test/guide.e2e.ts) on real routers, with a system of its
/// own: the cloud router it registers takes every border gateway created in its region, so it must not share a
/// system with tests whose gateways should stay on none. The gateway the customer creates is placed on that router,
/// driven by a real agent (FRR in a network namespace), and the customer's router (FRR too) loads the configuration
/// the customer copied from the console, so BGP comes up and the trace the console draws is reachable.
/// </summary>
public sealed class ConsoleGuideTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    /// <summary>The MD5 key the guide's customer types into the console and into its own router.</summary>
    private const string Key = "console-md5-Key";

    [Fact]
    public async Task TheGuideRunsThroughTheConsoleAsACustomerAndAnOperatorOnRealRouters()
    {
        await using var frr = FrrLab.Create();
        // The operator's cloud router, registered before the walk (the console's inventory lists it), and its agent.
        var router = await TestAgent.RegisterAsync(system, interfaceName: "eth1");
        var cloud = await frr.NamespaceAsync("cloud");
        var customer = await frr.NamespaceAsync("cust");
        // Only the wire the session runs on: the walk traces through the API and sends no packet (SeedWithAgentTests pings).
        await frr.LinkAsync(cloud, "eth1.160", customer, "eth0.160");
        await frr.StartFrrAsync(customer);
        await frr.StartFrrAsync(cloud);
        await using var agent = AgentProcess.Start(router.RouterId, Convert.ToBase64String(TestAgent.KeyOf(system, router.RouterId)),
            system.InternalAddress, cloud, Path.Combine(frr.LogDirectory, "agent-state"));

        // The browser walks the guide; when the customer has copied its router's configuration from the console, the
        // test loads it into the customer's router with the key filled in, as the customer would, and says so.
        var handshake = Directory.CreateTempSubdirectory("dc-console-guide-").FullName;
        var environment = ConsoleBrowserTests.Environment(system, "guide-" + Guid.NewGuid().ToString("N")[..8]);
        environment["HANDSHAKE_DIR"] = handshake;
        environment["BGP_KEY"] = Key;
        var walk = ExternalTool.RunAsync(ExternalTool.Node("tsx"), ["gateway/Console/test/guide.e2e.ts"], environment, limit: TimeSpan.FromMinutes(6));
        var copied = Path.Combine(handshake, "customer-router.conf");
        while (!walk.IsCompleted && !File.Exists(copied))
        {
            await Task.WhenAny(walk, Task.Delay(250));
        }

        if (!walk.IsCompleted)
        {
            // Written whole, then renamed by the test: it is complete once it exists.
            var configuration = await File.ReadAllTextAsync(copied);
            Assert.Contains("REPLACE-WITH-BGP-MD5-KEY", configuration, StringComparison.Ordinal);
            await frr.ConfigureAsync(customer, configuration.Replace("REPLACE-WITH-BGP-MD5-KEY", Key, StringComparison.Ordinal));
            await File.WriteAllTextAsync(Path.Combine(handshake, "customer-router.applied"), "applied");
        }

        var result = await walk;
        Assert.True(result.ExitCode == 0, $"guide.e2e.ts failed:\n{result}\n--- agent ---\n{agent.Output}\n--- FRR ---\n{frr.Logs()}");
        Assert.Contains("guide.e2e: passed", result.Output, StringComparison.Ordinal);
        Directory.Delete(handshake, recursive: true);
    }
}
