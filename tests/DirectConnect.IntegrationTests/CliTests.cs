using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using YamlDotNet.Serialization;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// `dc`, the command-line client, as a person uses it: the real CLI process against a real gateway process,
/// signed in through the embedded default's token command. The guide's walk end to end; every class of
/// error with its exit code and message; --wait on the watch stream, and its timeout; -o json against the
/// REST API's own JSON; the bash and zsh completion scripts; and the tool as a consumer installs it.
/// </summary>
public sealed class CliTests : IDisposable
{
    private const string Region = "cn-north-1";
    private readonly string _root = Directory.CreateTempSubdirectory("dc-cli-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task TheGuideWalkRunsWithDc()
    {
        var dc = new DcCli(Path.Combine(_root, "person"));
        await using var gateway = await GatewayProcess.StartAsync(dc.DefaultDataDirectory);
        var endpoint = gateway.GrpcAddress.ToString();

        // Sign in as the README says: the embedded gateway's token command (DC_GATEWAY_COMMAND), an operator profile beside.
        var login = await dc.OkAsync("login", "--profile", "ops", "--account", "ops", "--role", "operator", "--endpoint", endpoint, "--region", Region);
        login += await dc.OkAsync("login", "--account", "acme", "--endpoint", endpoint, "--region", Region);
        var profiles = await dc.OkAsync("profiles");
        Assert.Matches(@"(?m)^\* default\s", profiles);
        Assert.Matches(@"(?m)^  ops\s", profiles);
        var token = (await dc.OkAsync("token")).Trim();
        Assert.Equal(3, token.Split('.').Length);
        Assert.DoesNotContain(token, login + profiles, StringComparison.Ordinal);

        var location = Id(await dc.OkAsync("--profile", "ops", "locations", "create", "--code", "BJ-YZ-01", "--name", "Beijing Yizhuang", "-o", "json"));
        await dc.OkAsync("--profile", "ops", "access-devices", "create", "--location-id", location, "--name", "asw-01",
            "--ports", """[{"name": "xe-0/0/0", "speed": "PORT_SPEED_10G"}]""");
        var vpc = Id(await dc.OkAsync("--profile", "ops", "vpcs", "register", "--account-id", "acme", "--name", "prod", "--cidr-blocks", "10.0.0.0/16,10.1.0.0/16", "-o", "json"));

        // The line, from order to service.
        var line = Json(await dc.OkAsync("physical-connections", "create", "--name", "idc-1", "--location-id", location, "--port-speed", "10g",
            "--bandwidth-mbps", "1000", "--provider", "China Telecom", "-o", "json"));
        var id = (string)line["id"]!;
        Assert.Equal("STATE_APPLYING", (string?)line["state"]);
        Assert.Matches($@"(?m)^{id}\s+idc-1\s+APPLYING\s", await dc.OkAsync("physical-connections", "list"));
        Assert.Equal("STATE_PENDING_PAYMENT", State(await dc.OkAsync("--profile", "ops", "physical-connections", "approve", id, "--wait", "pending-payment", "-o", "json")));
        var paid = Json(await dc.OkAsync("--profile", "ops", "physical-connections", "record-payment", id, "-o", "json"));
        Assert.Equal("xe-0/0/0", (string?)paid["port"]?["portName"]);
        var loa = await dc.RunAsync("loa", id, "-o", "loa.pdf");
        Assert.True(loa.ExitCode == 0, loa.ToString());
        Assert.Equal("%PDF-"u8.ToArray(), File.ReadAllBytes(Path.Combine(dc.Home, "loa.pdf"))[..5]);
        await dc.OkAsync("--profile", "ops", "physical-connections", "complete-construction", id);
        Assert.Equal("STATE_AVAILABLE", State(await dc.OkAsync("physical-connections", "confirm", id, "--wait", "available", "-o", "json")));

        // A border gateway and a virtual interface, each waited for on the watch stream.
        var gatewayJson = Json(await dc.OkAsync("border-gateways", "create", "--name", "bgw-1", "--wait", "available", "-o", "json"));
        Assert.Equal("STATE_AVAILABLE", (string?)gatewayJson["state"]);
        var bgw = (string)gatewayJson["id"]!;
        var vifJson = Json(await dc.OkAsync("virtual-interfaces", "create", "--name", "vif-1", "--physical-connection-id", id, "--border-gateway-id", bgw,
            "--vlan", "100", "--bandwidth-mbps", "500", "--bgp-customer-asn", "65001", "--bgp-cloud-address", "169.254.10.1/30",
            "--bgp-customer-address", "169.254.10.2/30", "--bgp-auth-key", "my-md5-key", "--idc-prefixes", "192.168.0.0/24", "--wait", "available", "-o", "json"));
        Assert.Equal("STATE_AVAILABLE", (string?)vifJson["state"]);
        Assert.Equal(true, (bool?)vifJson["bgp"]?["authKeySet"]);
        var vif = (string)vifJson["id"]!;

        var configuration = await dc.OkAsync("router-config", vif, "--vendor", "frr", "--interface", "enp3s0f1");
        Assert.Contains("router bgp", configuration, StringComparison.Ordinal);
        Assert.Contains("enp3s0f1.100", configuration, StringComparison.Ordinal);
        Assert.Contains("REPLACE-WITH-BGP-MD5-KEY", configuration, StringComparison.Ordinal);
        Assert.DoesNotContain("my-md5-key", configuration, StringComparison.Ordinal);

        // Routes both ways, and the trace (BGP is down: the embedded default has no routers).
        await dc.OkAsync("routes", "create-vpc-route", "--vpc-id", vpc, "--destination", "192.168.0.0/24", "--next-hop-type", "border-gateway", "--next-hop-id", bgw);
        await dc.OkAsync("routes", "create-border-gateway-route", "--border-gateway-id", bgw, "--destination", "192.168.0.0/24", "--next-hop-type", "virtual-interface", "--next-hop-id", vif);
        await dc.OkAsync("routes", "create-border-gateway-route", "--border-gateway-id", bgw, "--destination", "10.0.0.0/16", "--next-hop-type", "vpc", "--next-hop-id", vpc);
        var trace = await dc.OkAsync("trace", "--source-address", "10.0.1.5", "--destination-address", "192.168.0.10");
        Assert.Matches(@"(?m)^failure\.reason\s+BGP_DOWN$", trace);
        Assert.Matches($@"(?m)^\s+VIRTUAL_INTERFACE\s+{vif}\s", trace);
        Assert.Equal("REASON_BGP_DOWN", (string?)Json(await dc.OkAsync("trace", "--source-address", "10.0.1.5", "--destination-address", "192.168.0.10", "-o", "json"))["failure"]?["reason"]);

        // Deletes in order: the line is refused while the interface uses it, naming it.
        var refused = await dc.RunAsync("physical-connections", "delete", id);
        Assert.True(refused.ExitCode == 4, refused.ToString());
        Assert.Contains("reason: PHYSICAL_CONNECTION_IN_USE", refused.Error, StringComparison.Ordinal);
        Assert.Contains($"blocked by VIRTUAL_INTERFACE {vif}", refused.Error, StringComparison.Ordinal);
        await dc.OkAsync("virtual-interfaces", "delete", vif, "--wait", "deleted");
        await DeleteOnceReleasedAsync(dc, id);

        // The watch replays the account's feed: the line's whole lifecycle, in order.
        var states = await WatchAsync(dc, change => (string?)change["resourceId"] == id && (string?)change["changeType"] == "CHANGE_TYPE_DELETED");
        Assert.Equal(
            ["STATE_APPLYING", "STATE_PENDING_PAYMENT", "STATE_UNDER_CONSTRUCTION", "STATE_AWAITING_CONFIRMATION", "STATE_AVAILABLE", "STATE_DELETED"],
            states.Where(c => (string?)c["resourceId"] == id && (string?)c["state"] is { Length: > 0 }).Select(c => (string)c["state"]!).Distinct().ToArray());
    }

    [Fact]
    public async Task ThePartnerWalkRunsWithDc()
    {
        var dc = new DcCli(Path.Combine(_root, "person"));
        await using var gateway = await GatewayProcess.StartAsync(dc.DefaultDataDirectory);
        var endpoint = gateway.GrpcAddress.ToString();
        await dc.OkAsync("login", "--profile", "ops", "--account", "ops", "--role", "operator", "--endpoint", endpoint, "--region", Region);
        await dc.OkAsync("--profile", "ops", "partners", "register", "--account-id", "carrier", "--name", "Example Carrier Networks");
        await dc.OkAsync("login", "--profile", "carrier", "--account", "carrier", "--role", "partner", "--endpoint", endpoint, "--region", Region);

        // The partner's line, to AVAILABLE.
        var location = Id(await dc.OkAsync("--profile", "ops", "locations", "create", "--code", "BJ-YZ-01", "--name", "Beijing Yizhuang", "-o", "json"));
        await dc.OkAsync("--profile", "ops", "access-devices", "create", "--location-id", location, "--name", "asw-01",
            "--ports", """[{"name": "xe-0/0/0", "speed": "PORT_SPEED_10G"}]""");
        var line = Id(await dc.OkAsync("--profile", "carrier", "physical-connections", "create", "--name", "interconnect", "--location-id", location,
            "--port-speed", "10g", "--bandwidth-mbps", "10000", "--provider", "Carrier", "-o", "json"));
        await dc.OkAsync("--profile", "ops", "physical-connections", "approve", line);
        await dc.OkAsync("--profile", "ops", "physical-connections", "record-payment", line);
        await dc.OkAsync("--profile", "ops", "physical-connections", "complete-construction", line);
        await dc.OkAsync("--profile", "carrier", "physical-connections", "confirm", line, "--wait", "available");

        var hosted = Id(await dc.OkAsync("--profile", "carrier", "hosted-connections", "allocate", "--physical-connection-id", line, "--account-id", "acme",
            "--vlan", "600", "--bandwidth-mbps", "200", "-o", "json"));

        // The customer: sees it pending with the partner's name and nothing of the partner's line; accepts; runs an interface over it.
        await dc.OkAsync("login", "--account", "acme", "--endpoint", endpoint, "--region", Region);
        var listed = await dc.OkAsync("hosted-connections", "list");
        Assert.Matches($@"(?m)^{hosted}\s+PENDING_ACCEPTANCE\s", listed);
        Assert.Contains("Example Carrier Networks", listed, StringComparison.Ordinal);
        Assert.DoesNotContain(line, listed + await dc.OkAsync("hosted-connections", "get", hosted, "-o", "json"), StringComparison.Ordinal);
        Assert.Equal("STATE_AVAILABLE", State(await dc.OkAsync("hosted-connections", "accept", hosted, "--wait", "available", "-o", "json")));
        var bgw = Id(await dc.OkAsync("border-gateways", "create", "--name", "bgw-1", "--wait", "available", "-o", "json"));
        var vif = Json(await dc.OkAsync("virtual-interfaces", "create", "--name", "via-carrier", "--hosted-connection-id", hosted, "--border-gateway-id", bgw,
            "--bandwidth-mbps", "100", "--bgp-customer-asn", "65001", "--bgp-cloud-address", "169.254.20.1/30", "--bgp-customer-address", "169.254.20.2/30",
            "--idc-prefixes", "192.168.1.0/24", "--wait", "available", "-o", "json"));
        Assert.Equal("STATE_AVAILABLE", (string?)vif["state"]);
        Assert.Equal(600, (int?)vif["vlan"]);
        Assert.Equal(hosted, (string?)vif["hostedConnectionId"]);

        // The partner cannot delete what carries the customer's interface.
        var refused = await dc.RunAsync("--profile", "carrier", "hosted-connections", "delete", hosted);
        Assert.True(refused.ExitCode == 4, refused.ToString());
        Assert.Contains("reason: HOSTED_CONNECTION_IN_USE", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EveryClassOfErrorHasItsExitCodeAndSaysWhy()
    {
        var dc = new DcCli(Path.Combine(_root, "person"));
        // One line per account (for the quota), and a bucket of 8 calls an hour per account (for the retry hint).
        await using var gateway = await GatewayProcess.StartAsync(dc.DefaultDataDirectory,
            "--DirectConnect:PhysicalConnections:QuotaPerAccountPerRegion=1",
            "--DirectConnect:RateLimits:TokenLimit=8", "--DirectConnect:RateLimits:TokensPerPeriod=1", "--DirectConnect:RateLimits:ReplenishmentPeriod=01:00:00");
        var endpoint = gateway.GrpcAddress.ToString();
        foreach (var account in new[] { "acme", "quota", "hasty" })
        {
            await dc.OkAsync("login", "--profile", account, "--account", account, "--endpoint", endpoint, "--region", Region);
        }

        // Invalid input found by dc itself: every bad value named by its option, nothing sent.
        var local = await dc.RunAsync("--profile", "acme", "physical-connections", "create", "--bandwidth-mbps", "fast", "--port-speed", "warp");
        Assert.Equal(2, local.ExitCode);
        Assert.Contains("error: --bandwidth-mbps: \"fast\" is not a whole number", local.Error, StringComparison.Ordinal);
        Assert.Contains("error: --port-speed: \"warp\" is not one of 1g, 10g, 100g", local.Error, StringComparison.Ordinal);

        // Invalid input found by the API: each field violation, with the option that sets it.
        var invalid = await dc.RunAsync("--profile", "acme", "physical-connections", "create", "--name", "x", "--port-speed", "10g", "--bandwidth-mbps", "0");
        Assert.True(invalid.ExitCode == 2, invalid.ToString());
        Assert.Contains("error: INVALID_ARGUMENT: ", invalid.Error, StringComparison.Ordinal);
        Assert.Contains("  --location-id (physical_connection.location_id): is required", invalid.Error, StringComparison.Ordinal);
        Assert.Contains("  --bandwidth-mbps (physical_connection.bandwidth_mbps): must be", invalid.Error, StringComparison.Ordinal);
        Assert.Contains("  --provider (physical_connection.provider): is required", invalid.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("dxpc-", await dc.OkAsync("--profile", "acme", "physical-connections", "list", "-o", "json"), StringComparison.Ordinal);

        // A command line System.CommandLine refuses: exit 2 and where to read more.
        var usage = await dc.RunAsync("physical-connections", "create", "--colour", "blue");
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("see: dc physical-connections create --help", usage.Error, StringComparison.Ordinal);

        // Not found.
        var missing = await dc.RunAsync("--profile", "acme", "physical-connections", "get", "dxpc-0123456789ab");
        Assert.Equal(3, missing.ExitCode);
        Assert.Contains("error: NOT_FOUND: ", missing.Error, StringComparison.Ordinal);
        Assert.Contains("reason: RESOURCE_NOT_FOUND", missing.Error, StringComparison.Ordinal);

        // A precondition: confirming a line still under review names the state it is in.
        var line = Id(await dc.OkAsync("--profile", "acme", "physical-connections", "create", "--name", "idc-1", "--location-id", await LocationAsync(dc, gateway),
            "--port-speed", "10g", "--bandwidth-mbps", "100", "--provider", "Carrier", "-o", "json"));
        var conflict = await dc.RunAsync("--profile", "acme", "physical-connections", "confirm", line);
        Assert.Equal(4, conflict.ExitCode);
        Assert.Contains("error: FAILED_PRECONDITION: ", conflict.Error, StringComparison.Ordinal);
        Assert.Contains("currentState: STATE_APPLYING", conflict.Error, StringComparison.Ordinal);

        // Authentication and permission.
        var forged = await dc.RunWithAsync(new Dictionary<string, string> { ["DC_TOKEN"] = "not-a-token" }, "--endpoint", endpoint, "--region", Region, "physical-connections", "list");
        Assert.Equal(5, forged.ExitCode);
        Assert.Contains("error: UNAUTHENTICATED: ", forged.Error, StringComparison.Ordinal);
        var role = await dc.RunAsync("--profile", "acme", "locations", "create", "--code", "SH-1", "--name", "Shanghai");
        Assert.Equal(5, role.ExitCode);
        Assert.Contains("error: PERMISSION_DENIED: ", role.Error, StringComparison.Ordinal);
        Assert.Contains("reason: ROLE_REQUIRED", role.Error, StringComparison.Ordinal);
        var nobody = await dc.RunAsync("--profile", "nobody", "--endpoint", endpoint, "--region", Region, "physical-connections", "list");
        Assert.Equal(5, nobody.ExitCode);
        Assert.Contains("run `dc login`", nobody.Error, StringComparison.Ordinal);

        // Unavailable: nothing listens there.
        var closed = await dc.RunAsync("--profile", "acme", "--endpoint", $"http://127.0.0.1:{ClosedPort()}", "physical-connections", "list");
        Assert.Equal(6, closed.ExitCode);
        Assert.Contains("error: UNAVAILABLE: ", closed.Error, StringComparison.Ordinal);
        Assert.Contains("is the endpoint right", closed.Error, StringComparison.Ordinal);

        // Exhausted: the quota, named; the rate limit, with when to retry.
        var quotaLocation = await LocationAsync(dc, gateway);
        string[] order = ["physical-connections", "create", "--name", "idc", "--location-id", quotaLocation, "--port-speed", "10g", "--bandwidth-mbps", "100", "--provider", "Carrier"];
        await dc.OkAsync(["--profile", "quota", .. order]);
        var quota = await dc.RunAsync(["--profile", "quota", .. order]);
        Assert.True(quota.ExitCode == 7, quota.ToString());
        Assert.Contains("error: RESOURCE_EXHAUSTED: ", quota.Error, StringComparison.Ordinal);
        Assert.Contains("  quota ", quota.Error, StringComparison.Ordinal);
        ExternalTool.Result limited;
        var calls = 0;
        do
        {
            limited = await dc.RunAsync("--profile", "hasty", "physical-connections", "list");
            calls++;
        }
        while (limited.ExitCode == 0 && calls < 12);
        Assert.True(limited.ExitCode == 7, limited.ToString());
        Assert.Matches(@"  retry after \d", limited.Error);
    }

    [Fact]
    public async Task WaitReturnsWhenTheWatchShowsTheStateAndTimesOutCleanly()
    {
        var dc = new DcCli(Path.Combine(_root, "person"));
        await using var gateway = await GatewayProcess.StartAsync(dc.DefaultDataDirectory);
        var endpoint = gateway.GrpcAddress.ToString();
        await dc.OkAsync("login", "--profile", "ops", "--account", "ops", "--role", "operator", "--endpoint", endpoint, "--region", Region);
        await dc.OkAsync("login", "--account", "acme", "--endpoint", endpoint, "--region", Region);
        var location = await LocationAsync(dc, gateway);
        string[] order = ["physical-connections", "create", "--name", "idc", "--location-id", location, "--port-speed", "10g", "--bandwidth-mbps", "100", "--provider", "Carrier"];

        // A wait that takes two operator steps: it is still waiting after the first, and returns after the second.
        var id = Id(await dc.OkAsync([.. order, "-o", "json"]));
        using var waiter = dc.Start("physical-connections", "update", id, "--description", "waiting", "--wait", "under-construction", "--wait-timeout", "00:00:40", "-o", "json");
        var waiterOutput = waiter.StandardOutput.ReadToEndAsync();
        var waiterError = waiter.StandardError.ReadToEndAsync();
        await dc.OkAsync("--profile", "ops", "physical-connections", "approve", id, "--wait", "pending-payment");
        if (waiter.HasExited)
        {
            Assert.Fail("dc returned at PENDING_PAYMENT:\n" + await waiterError);
        }

        await dc.OkAsync("--profile", "ops", "physical-connections", "record-payment", id);
        using (var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1)))
        {
            await waiter.WaitForExitAsync(limit.Token);
        }

        Assert.True(waiter.ExitCode == 0, await waiterError);
        var waited = Json(await waiterOutput);
        Assert.Equal("STATE_UNDER_CONSTRUCTION", (string?)waited["state"]);
        Assert.Equal("waiting", (string?)waited["description"]);
        // The update and the approval race: the update answered in either state.
        Assert.Matches($@"waiting for {id} to be UNDER_CONSTRUCTION \(now (APPLYING|PENDING_PAYMENT);", await waiterError);

        // A state that never comes: exit code 8 after the timeout, the change itself made and printed.
        var late = await dc.RunAsync([.. order[..3], "idc-late", .. order[4..], "--wait", "available", "--wait-timeout", "00:00:02"]);
        Assert.True(late.ExitCode == 8, late.ToString());
        Assert.Matches(@"error: timed out after 00:00:02 waiting for dxpc-\w+ to be AVAILABLE \(now APPLYING\)", late.Error);
        Assert.Matches(@"(?m)^state\s+APPLYING$", late.Output);
        var created = Assert.Single(Json(await dc.OkAsync("physical-connections", "list", "-o", "json"))["physicalConnections"]!.AsArray(), c => (string?)c!["name"] == "idc-late");
        Assert.Equal("STATE_APPLYING", (string?)created!["state"]);

        // A state the resource cannot be in is refused before anything is sent.
        var wrong = await dc.RunAsync([.. order, "--wait", "sleeping"]);
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("--wait: \"sleeping\" is not a state of PhysicalConnection", wrong.Error, StringComparison.Ordinal);
        Assert.Equal(2, Json(await dc.OkAsync("physical-connections", "list", "-o", "json"))["physicalConnections"]!.AsArray().Count);
    }

    [Fact]
    public async Task WatchAndWaitOutliveTheFeedsLimits()
    {
        var dc = new DcCli(Path.Combine(_root, "person"));
        // Streams end after 3 s, and an account may hold one at a time.
        await using var gateway = await GatewayProcess.StartAsync(dc.DefaultDataDirectory,
            "--DirectConnect:Watch:MaxStreamDuration=00:00:03", "--DirectConnect:Watch:MaxStreamsPerAccount=1");
        var endpoint = gateway.GrpcAddress.ToString();
        await dc.OkAsync("login", "--profile", "ops", "--account", "ops", "--role", "operator", "--endpoint", endpoint, "--region", Region);
        await dc.OkAsync("login", "--account", "acme", "--endpoint", endpoint, "--region", Region);
        var location = await LocationAsync(dc, gateway);
        await dc.OkAsync("--profile", "ops", "access-devices", "create", "--location-id", location, "--name", "asw-01",
            "--ports", """[{"name": "xe-0/0/0", "speed": "PORT_SPEED_10G"}]""");
        string[] order = ["physical-connections", "create", "--location-id", location, "--port-speed", "10g", "--bandwidth-mbps", "100", "--provider", "Carrier", "-o", "json"];
        var first = Id(await dc.OkAsync([.. order, "--name", "first"]));

        using var watch = dc.Start("watch", "-o", "json");
        var opened = DateTime.UtcNow;
        var changes = new List<JsonNode>();
        async Task<JsonNode> NextChangeAsync()
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var line = await watch.StandardOutput.ReadLineAsync(limit.Token);
            if (line is null)
            {
                Assert.Fail("dc watch ended by itself:\n" + await watch.StandardError.ReadToEndAsync());
            }

            changes.Add(JsonNode.Parse(line)!);
            return changes[^1];
        }

        try
        {
            Assert.Equal(first, (string?)(await NextChangeAsync())["resourceId"]);

            // The watch holds acme's only slot: acme's --wait is refused a stream, says so, and reads instead.
            using (var waiter = dc.Start("physical-connections", "update", first, "--description", "w", "--wait", "pending-payment", "--wait-timeout", "00:01:00", "-o", "json"))
            {
                var waiting = await waiter.StandardError.ReadLineAsync();   // printed once the update is made
                var waiterError = waiter.StandardError.ReadToEndAsync();
                var waiterOutput = waiter.StandardOutput.ReadToEndAsync();
                Assert.StartsWith($"waiting for {first} to be PENDING_PAYMENT", waiting, StringComparison.Ordinal);
                await dc.OkAsync("--profile", "ops", "physical-connections", "approve", first);
                await waiter.WaitForExitAsync();
                Assert.True(waiter.ExitCode == 0, await waiterError);
                Assert.Contains("the change feed refused another watch", await waiterError, StringComparison.Ordinal);
                Assert.Equal("STATE_PENDING_PAYMENT", State(await waiterOutput));
            }

            // An operator waits on the customer's line, which no feed of the operator's shows: it is read every 2 s.
            using (var waiter = dc.Start("--profile", "ops", "physical-connections", "record-payment", first, "--wait", "awaiting-confirmation", "--wait-timeout", "00:01:00", "-o", "json"))
            {
                var waiting = await waiter.StandardError.ReadLineAsync();   // printed once the payment is recorded
                var waiterError = waiter.StandardError.ReadToEndAsync();
                var waiterOutput = waiter.StandardOutput.ReadToEndAsync();
                await dc.OkAsync("--profile", "ops", "physical-connections", "complete-construction", first);
                await waiter.WaitForExitAsync();
                Assert.True(waiter.ExitCode == 0, await waiterError);
                Assert.EndsWith("it is acme's, and your change feed shows only ops's, so it is read every 2 s", waiting, StringComparison.Ordinal);
                Assert.Equal("STATE_AWAITING_CONFIRMATION", State(await waiterOutput));
            }

            // Past the stream's lifetime the watch has been ended by the server and resumed by dc: a new change
            // arrives, and every position so far came exactly once, in order.
            var past = opened + TimeSpan.FromSeconds(4) - DateTime.UtcNow;
            if (past > TimeSpan.Zero)
            {
                await Task.Delay(past);
            }

            var second = Id(await dc.OkAsync([.. order, "--name", "second"]));
            while ((string?)(await NextChangeAsync())["resourceId"] != second)
            {
            }

            var positions = changes.Select(c => long.Parse((string)c["position"]!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
            Assert.Equal(Enumerable.Range(1, positions.Count).Select(i => (long)i), positions);
            Assert.False(watch.HasExited);
        }
        finally
        {
            watch.Kill(entireProcessTree: true);
        }
    }

    [Fact]
    public async Task JsonAndYamlOutputAreTheApisJson()
    {
        var dc = new DcCli(Path.Combine(_root, "person"));
        await using var gateway = await GatewayProcess.StartAsync(dc.DefaultDataDirectory);
        await dc.OkAsync("login", "--account", "acme", "--endpoint", gateway.GrpcAddress.ToString(), "--region", Region);
        var location = await LocationAsync(dc, gateway);
        var id = Id(await dc.OkAsync("physical-connections", "create", "--name", "idc-json", "--description", "for jq", "--location-id", location,
            "--port-speed", "10g", "--bandwidth-mbps", "2000", "--provider", "Carrier", "-o", "json"));

        using var http = new HttpClient { BaseAddress = gateway.RestAddress };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await dc.OkAsync("token")).Trim());
        foreach (var (args, path) in new (string[], string)[]
        {
            (["physical-connections", "get", id], $"v1/regions/{Region}/physicalConnections/{id}"),
            (["physical-connections", "list"], $"v1/regions/{Region}/physicalConnections"),
            (["locations", "list"], $"v1/regions/{Region}/locations"),
        })
        {
            var rest = JsonNode.Parse(await http.GetStringAsync(path));
            var json = Json(await dc.OkAsync([.. args, "-o", "json"]));
            Assert.True(JsonNode.DeepEquals(rest, json), $"dc {string.Join(' ', args)} -o json:\n{json}\nREST GET {path}:\n{rest}");

            // YAML is the same document: every leaf at the same path with the same text.
            var yaml = new DeserializerBuilder().Build().Deserialize<object>(await dc.OkAsync([.. args, "-o", "yaml"]));
            Assert.Equal(Leaves(rest), Leaves(JsonNode.Parse(new SerializerBuilder().JsonCompatible().Build().Serialize(yaml))));
        }

        // --all follows the pages: one list, as REST's single page of everything.
        foreach (var name in new[] { "idc-2", "idc-3" })
        {
            await dc.OkAsync("physical-connections", "create", "--name", name, "--location-id", location, "--port-speed", "10g", "--bandwidth-mbps", "100", "--provider", "Carrier");
        }

        var firstPage = await dc.RunAsync("physical-connections", "list", "--page-size", "2");
        Assert.True(firstPage.ExitCode == 0, firstPage.ToString());
        Assert.Equal(3, firstPage.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);   // a header and two rows
        Assert.Matches(@"^more: add --page-token \S+", firstPage.Error);
        var everything = Json(await dc.OkAsync("physical-connections", "list", "--page-size", "1", "--all", "-o", "json"));
        var restEverything = JsonNode.Parse(await http.GetStringAsync($"v1/regions/{Region}/physicalConnections?pageSize=100"));
        Assert.Equal(3, everything["physicalConnections"]!.AsArray().Count);
        Assert.True(JsonNode.DeepEquals(restEverything, everything), $"--all:\n{everything}\nREST:\n{restEverything}");
    }

    [Fact]
    public async Task CompletionScriptsCompleteFromDcItself()
    {
        var dc = new DcCli(Path.Combine(_root, "person"));
        var bin = Directory.CreateDirectory(Path.Combine(_root, "bin")).FullName;
        var shim = Path.Combine(bin, "dc");
        await File.WriteAllTextAsync(shim, $"#!/bin/sh\nexec dotnet '{Path.Combine(AppContext.BaseDirectory, "dc.dll")}' \"$@\"\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(shim, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var path = new Dictionary<string, string> { ["PATH"] = $"{bin}:{Environment.GetEnvironmentVariable("PATH")}" };

        // bash: the script as `source <(dc completion bash)` loads it, called as bash calls it on <TAB>.
        await File.WriteAllTextAsync(Path.Combine(_root, "dc.bash"), await dc.OkAsync("completion", "bash"));
        async Task<string[]> Bash(string line)
        {
            var words = line.Split(' ');
            var script = $"source '{Path.Combine(_root, "dc.bash")}'; complete -p dc >/dev/null || exit 9; COMP_LINE='{line}'; COMP_POINT={line.Length}; "
                + $"COMP_WORDS=({string.Join(' ', words.Select(w => $"'{w}'"))}); COMP_CWORD={words.Length - 1}; _dc_complete; printf '%s\\n' \"${{COMPREPLY[@]}}\"";
            var result = await ExternalTool.RunAsync(ExternalTool.OnPath("bash"), ["-c", script], path);
            Assert.True(result.ExitCode == 0, result.ToString());
            return result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        }

        Assert.Equal(["record-payment", "reject"], (await Bash("dc physical-connections re")).Order().ToArray());
        Assert.Contains("virtual-interfaces", await Bash("dc vir"));
        Assert.Equal(["frr"], await Bash("dc router-config dxvif-1 --vendor f"));
        Assert.Contains("--bandwidth-mbps", await Bash("dc physical-connections create --band"));

        // zsh: the script parses, and its function hands compadd what dc suggests (compadd, zsh's builtin, works only
        // inside a completion widget, so it is replaced by a function printing what it is given).
        var zsh = Path.Combine(_root, "_dc");
        await File.WriteAllTextAsync(zsh, await dc.OkAsync("completion", "zsh"));
        var check = await ExternalTool.RunAsync(ExternalTool.OnPath("zsh"), ["-n", zsh], path);
        Assert.True(check.ExitCode == 0, check.ToString());
        var line = "dc physical-connections re";
        var run = await ExternalTool.RunAsync(ExternalTool.OnPath("zsh"), ["-c",
            $"compdef() {{ :; }}; compadd() {{ print -l -- ${{(P)2}}; }}; source '{zsh}'; words=(dc physical-connections re); BUFFER='{line}'; CURSOR={line.Length}; _dc"], path);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("record-payment", run.Output.Split('\n'));
        Assert.Contains("reject", run.Output.Split('\n'));
    }

    [Fact]
    public async Task TheToolInstallsFromItsPackageAndRuns()
    {
        var dc = new DcCli(Path.Combine(_root, "person"));
        var packages = Path.Combine(_root, "packages");
        var tools = Path.Combine(_root, "tools");
        var pack = await ExternalTool.RunAsync("dotnet", ["pack", Path.Combine(ExternalTool.RepositoryRoot, "sdk", "cli"), "--no-build", "-c", Configuration, "-o", packages]);
        Assert.True(pack.ExitCode == 0, pack.ToString());
        var package = Assert.Single(Directory.GetFiles(packages, "DirectConnect.Cli.*.nupkg"));

        // Installed elsewhere, from the package alone, as `dotnet tool install` does for anyone.
        var install = await ExternalTool.RunAsync("dotnet", ["tool", "install", "DirectConnect.Cli", "--tool-path", tools, "--add-source", packages], workingDirectory: _root);
        Assert.True(install.ExitCode == 0, install.ToString());
        var installed = Path.Combine(tools, "dc");
        Assert.True(File.Exists(installed), $"{package} installed no `dc` in {tools}");

        var help = await ExternalTool.RunAsync(installed, ["physical-connections", "--help"], workingDirectory: _root);
        Assert.True(help.ExitCode == 0, help.ToString());
        Assert.Contains("record-payment <ID>", help.Output, StringComparison.Ordinal);
        Assert.Contains("Operator records the customer's payment", help.Output, StringComparison.Ordinal);

        await using var gateway = await GatewayProcess.StartAsync(dc.DefaultDataDirectory);
        var environment = new Dictionary<string, string>
        {
            ["DC_CONFIG"] = dc.ConfigPath,
            ["DC_TOKEN"] = Tokens.Issue(dc.DefaultDataDirectory, "acme", "customer"),
            ["DC_ENDPOINT"] = gateway.GrpcAddress.ToString(),
            ["DC_REGION"] = Region,
        };
        var list = await ExternalTool.RunAsync(installed, ["locations", "list", "-o", "json"], environment, workingDirectory: _root);
        Assert.True(list.ExitCode == 0, list.ToString());
        Assert.NotNull(Json(list.Output)["locations"]);
    }

#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    // An operator's location, created with its own token (so that the profiles under test keep their call budget).
    private static async Task<string> LocationAsync(DcCli dc, GatewayProcess gateway)
    {
        var code = "L" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var result = await dc.RunWithAsync(new Dictionary<string, string> { ["DC_TOKEN"] = Tokens.Issue(dc.DefaultDataDirectory, "ops-" + code.ToLowerInvariant(), "operator") },
            "--endpoint", gateway.GrpcAddress.ToString(), "--region", Region, "locations", "create", "--code", code, "--name", code, "-o", "json");
        Assert.True(result.ExitCode == 0, result.ToString());
        return Id(result.Output);
    }

    // The delete of a line is refused for a moment after its last interface is deleted: releases follow the deletion's event.
    private static async Task DeleteOnceReleasedAsync(DcCli dc, string id)
    {
        for (var attempt = 0; ; attempt++)
        {
            var result = await dc.RunAsync("physical-connections", "delete", id, "--wait", "deleted");
            if (result.ExitCode == 0)
            {
                return;
            }

            Assert.True(attempt < 40 && result.Error.Contains("PHYSICAL_CONNECTION_IN_USE", StringComparison.Ordinal), result.ToString());
            await Task.Delay(250);
        }
    }

    // `dc watch -o json` from the start of the feed, until `last` says stop: one JSON object per line.
    private static async Task<List<JsonNode>> WatchAsync(DcCli dc, Func<JsonNode, bool> last)
    {
        using var watch = dc.Start("watch", "-o", "json");
        var changes = new List<JsonNode>();
        using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        try
        {
            while (await watch.StandardOutput.ReadLineAsync(limit.Token) is { } line)
            {
                var change = JsonNode.Parse(line)!;
                changes.Add(change);
                if (last(change))
                {
                    return changes;
                }
            }

            Assert.Fail("dc watch ended by itself:\n" + await watch.StandardError.ReadToEndAsync());
            return changes;
        }
        finally
        {
            watch.Kill(entireProcessTree: true);
        }
    }

    private static JsonNode Json(string text) => JsonNode.Parse(text) ?? throw new InvalidOperationException("not JSON: " + text);

    private static string Id(string json) => (string)Json(json)["id"]!;

    private static string? State(string json) => (string?)Json(json)["state"];

    private static int ClosedPort()
    {
        var listener = new TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    // Every leaf as (path, text): numbers, strings and booleans alike, as YAML keeps them.
    private static List<string> Leaves(JsonNode? node, string path = "")
    {
        switch (node)
        {
            case JsonObject o:
                return [.. o.OrderBy(p => p.Key, StringComparer.Ordinal).SelectMany(p => Leaves(p.Value, $"{path}/{p.Key}"))];
            case JsonArray a:
                return [.. a.SelectMany((item, i) => Leaves(item, $"{path}/{i}"))];
            case null:
                return [$"{path}="];
            default:
                var value = node.AsValue();
                return [$"{path}={(value.TryGetValue<string>(out var s) ? s : value.ToJsonString().ToLowerInvariant())}"];
        }
    }
}
