using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using DirectConnect.Gateway.Hosting;
using DirectConnect.Gateway.Security;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Issue 16, items 2 and 4: the gateway serves the web console at /console/ (named in its start-up line) with no
/// token, its single-page routes falling back to the app, under a content security policy; the development sign-in
/// exists only with the embedded key on loopback, answers only this gateway's own pages, names every bad field,
/// and mints tokens the API accepts without ever logging them. The browser tests (ConsoleBrowserTests) use it.
/// </summary>
public sealed partial class WebConsoleTests(WebConsoleTests.Logged system) : IClassFixture<WebConsoleTests.Logged>
{
    /// <summary>The embedded system with its log captured, to show that a minted token is never written there.</summary>
    public sealed class Logged : EmbeddedSystem
    {
        public System.Collections.Concurrent.ConcurrentQueue<(string Category, string Message, Exception? Exception)> Log { get; } = new();

        protected override IEnumerable<string> ExtraArguments => ["--Logging:LogLevel:Default=Information"];

        protected override void Configure(WebApplicationBuilder builder) => builder.Logging.AddProvider(new LogCapture(Log));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task TheStartUpLineNamesTheConsoleAndItIsServedThereWithoutAToken()
    {
        var data = Path.Combine(Path.GetTempPath(), "dc-console-" + Guid.NewGuid().ToString("N"));
        await using var gateway = await GatewayProcess.StartAsync(data);
        var address = ConsoleAddress().Match(gateway.Output);
        Assert.True(address.Success, "the start-up line names no console:\n" + gateway.Output);
        Assert.Equal(new Uri(gateway.RestAddress, "/console/"), new Uri(address.Groups[1].Value));

        using var http = new HttpClient();
        var index = await http.GetAsync(address.Groups[1].Value);
        Assert.Equal(HttpStatusCode.OK, index.StatusCode);
        Assert.Equal("text/html", index.Content.Headers.ContentType?.MediaType);
        var html = await index.Content.ReadAsStringAsync();
        Assert.Contains("src=\"/console/app.js\"", html, StringComparison.Ordinal);

        var script = await http.GetAsync(new Uri(gateway.RestAddress, "/console/app.js"));
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.True((await script.Content.ReadAsByteArrayAsync()).Length > 10_000, "app.js is not the bundled console");

        // The app's own routes are the app; a file that is not in the build is not.
        var route = await http.GetAsync(new Uri(gateway.RestAddress, "/console/physical-connections/dxpc-0123abcd"));
        Assert.Equal(HttpStatusCode.OK, route.StatusCode);
        Assert.Equal(html, await route.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(new Uri(gateway.RestAddress, "/console/missing.js"))).StatusCode);
        var bare = await new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }).GetAsync(new Uri(gateway.RestAddress, "/console"));
        Assert.Equal(HttpStatusCode.Redirect, bare.StatusCode);
        Assert.Equal("/console/", bare.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task ConsolePagesCarryAContentSecurityPolicyThatAllowsOnlyTheirOwnOrigin()
    {
        using var http = system.Rest(null);
        var index = await http.GetAsync("/console/");
        var policy = string.Join(";", index.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("default-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
        Assert.Contains("connect-src 'self';", policy, StringComparison.Ordinal);
        Assert.Contains("frame-ancestors 'none'", policy, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", policy, StringComparison.Ordinal);
        Assert.Equal("nosniff", index.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", index.Headers.GetValues("Referrer-Policy").Single());
    }

    [Fact]
    public async Task TheConsoleSettingsOfferTheDevelopmentSignInAndTheRegions()
    {
        using var http = system.Rest(null);
        var settings = await http.GetFromJsonAsync<JsonElement>("/console/config.json");
        Assert.Equal("development", settings.GetProperty("signIn").GetString());
        Assert.Equal(["cn-north-1", "cn-east-2", "cn-south-1"], settings.GetProperty("regions").EnumerateArray().Select(r => r.GetString()!));
        Assert.False(settings.TryGetProperty("authority", out _));
    }

    [Fact]
    public async Task TheDevelopmentSignInMintsATokenTheApiAcceptsAndNeverLogsIt()
    {
        using var http = system.Rest(null);
        var response = await http.PostAsync("/console/dev-sign-in", Json("""{"account": "console-acme", "role": "customer"}"""));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("no-store", response.Headers.CacheControl?.ToString());
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var token = body.GetProperty("token").GetString()!;
        Assert.True(body.GetProperty("expireTime").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddHours(11));

        using var api = system.Rest(null);
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var list = await api.GetAsync("/v1/regions/cn-north-1/physicalConnections");
        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        // A customer's token: operator inventory is not for it.
        var create = await api.PostAsync("/v1/regions/cn-north-1/locations", Json("""{"code": "X-1", "name": "x"}"""));
        Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);

        Assert.Contains(system.Log, e => e.Message.Contains("Development sign-in: a token for account console-acme with role customer", StringComparison.Ordinal));
        Assert.DoesNotContain(system.Log, e => e.Message.Contains(token, StringComparison.Ordinal) || e.Message.Contains(token.Split('.')[2], StringComparison.Ordinal));
    }

    [Fact]
    public async Task TheDevelopmentSignInNamesEveryBadFieldAndMintsNothing()
    {
        using var http = system.Rest(null);
        var response = await http.PostAsync("/console/dev-sign-in", Json("""{"account": "ACME corp", "role": "admin"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.False(body.TryGetProperty("token", out _));
        Assert.Equal(["account", "role"], body.GetProperty("fieldViolations").EnumerateArray().Select(v => v.GetProperty("field").GetString()!));

        var notJson = await http.PostAsync("/console/dev-sign-in", Json("account=acme"));
        Assert.Equal(HttpStatusCode.BadRequest, notJson.StatusCode);
    }

    [Theory]
    [InlineData("Host", "directconnect.attacker.example", HttpStatusCode.Forbidden)] // a name rebound to 127.0.0.1 by another site
    [InlineData("Origin", "http://attacker.example", HttpStatusCode.Forbidden)]      // another site's page
    [InlineData("Content-Type", "text/plain", HttpStatusCode.UnsupportedMediaType)]  // a cross-site form or no-preflight fetch
    public async Task TheDevelopmentSignInAnswersOnlyThisGatewaysOwnPages(string header, string value, HttpStatusCode expected)
    {
        using var http = system.Rest(null);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/console/dev-sign-in")
        {
            Content = new StringContent("""{"account": "acme", "role": "operator"}""", Encoding.UTF8, header == "Content-Type" ? value : "application/json"),
        };
        if (header == "Host")
        {
            request.Headers.Host = value;
        }
        else if (header == "Origin")
        {
            request.Headers.TryAddWithoutValidation("Origin", value);
        }

        var response = await http.SendAsync(request);
        Assert.Equal(expected, response.StatusCode);
        Assert.DoesNotContain("token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The console's own origin is welcome.
        using var own = new HttpRequestMessage(HttpMethod.Post, "/console/dev-sign-in") { Content = Json("""{"account": "acme", "role": "customer"}""") };
        own.Headers.TryAddWithoutValidation("Origin", system.RestAddress.GetLeftPart(UriPartial.Authority));
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(own)).StatusCode);
    }

    [Theory]
    [InlineData(null, null, "127.0.0.1", true)]
    [InlineData(null, null, "::1", true)]
    [InlineData(null, null, "0.0.0.0", false)]             // listening beyond loopback
    [InlineData(null, null, "192.0.2.10", false)]
    [InlineData("https://login.example", null, "127.0.0.1", false)] // an OIDC authority issues the tokens
    [InlineData(null, "configured", "127.0.0.1", false)]   // a deployment's own signing key
    public void TheDevelopmentSignInExistsOnlyWithTheEmbeddedKeyOnLoopback(string? authority, string? signingKey, string listen, bool available)
    {
        var auth = new AuthOptions { Authority = authority, SigningKey = signingKey };
        Assert.Equal(available, WebConsole.DevelopmentSignInAvailable(auth, new GatewayOptions { ListenAddress = listen }));
    }

    [Fact]
    public async Task WithAConfiguredSigningKeyThereIsNoDevelopmentSignInAndTheConsoleAsksForAToken()
    {
        await using var keyed = await StartAsync($"--DirectConnect:Auth:SigningKey={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}");
        using var http = new HttpClient { BaseAddress = keyed.Services.GetRequiredService<GatewayEndpoints>().RestAddress };
        var settings = await http.GetFromJsonAsync<JsonElement>("/console/config.json");
        Assert.Equal("token", settings.GetProperty("signIn").GetString());
        var response = await http.PostAsync("/console/dev-sign-in", Json("""{"account": "acme", "role": "operator"}"""));
        Assert.NotEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain("token", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithAnOidcAuthorityTheConsoleSignsInThroughItAndMayCallItOnly()
    {
        await using var oidc = await StartAsync(
            "--DirectConnect:Auth:Authority=https://login.example.test/realms/dc", "--DirectConnect:Console:OidcClientId=directconnect-console");
        using var http = new HttpClient { BaseAddress = oidc.Services.GetRequiredService<GatewayEndpoints>().RestAddress };
        var index = await http.GetAsync("/console/");
        Assert.Contains("connect-src 'self' https://login.example.test;", string.Join(";", index.Headers.GetValues("Content-Security-Policy")), StringComparison.Ordinal);
        var settings = await http.GetFromJsonAsync<JsonElement>("/console/config.json");
        Assert.Equal("oidc", settings.GetProperty("signIn").GetString());
        Assert.Equal("https://login.example.test/realms/dc", settings.GetProperty("authority").GetString());
        Assert.Equal("directconnect-console", settings.GetProperty("clientId").GetString());
        Assert.Equal("openid profile", settings.GetProperty("scope").GetString());
    }

    [Fact]
    public void AnOidcAuthorityWithoutTheConsolesClientIdStopsTheStartNamingTheSetting()
    {
        var data = Path.Combine(Path.GetTempPath(), "dc-console-" + Guid.NewGuid().ToString("N"));
        var error = Assert.Throws<InvalidOperationException>(() => GatewayApp.Build(
            [$"--data-dir={data}", "--grpc-port=0", "--rest-port=0", "--DirectConnect:Auth:Authority=https://login.example.test/realms/dc"]));
        Assert.Contains("DirectConnect:Console:OidcClientId", error.Message, StringComparison.Ordinal);
    }

    /// <summary>The gateway with <paramref name="args"/>, started without the fixture's seeding (whose tokens its settings would refuse).</summary>
    private static async Task<WebApplication> StartAsync(params string[] args)
    {
        var data = Path.Combine(Path.GetTempPath(), "dc-console-" + Guid.NewGuid().ToString("N"));
        var app = GatewayApp.Build([$"--data-dir={data}", "--grpc-port=0", "--rest-port=0", "--Logging:LogLevel:Default=Warning", .. args]);
        await app.StartAsync();
        return app;
    }

    [GeneratedRegex(@"console (http://\S+/console/)")]
    private static partial Regex ConsoleAddress();
}
