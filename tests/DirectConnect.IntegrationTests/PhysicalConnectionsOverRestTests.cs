using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace DirectConnect.IntegrationTests;

/// <summary>The same resource through REST/JSON (HTTP/1.1), as curl users and the OpenAPI clients see it.</summary>
public sealed class PhysicalConnectionsOverRestTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private const string Collection = "/v1/regions/cn-north-1/physicalConnections";

    private JsonObject Order(string name = "idc-shanghai-1") => new()
    {
        ["name"] = name,
        ["locationId"] = system.DefaultLocationId,
        ["portSpeed"] = "PORT_SPEED_1G",
        ["bandwidthMbps"] = 500,
        ["provider"] = "China Unicom",
    };

    private static string NewAccount() => "rest-" + Guid.NewGuid().ToString("N")[..10];

    private static async Task<JsonObject> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonNode.Parse(body)!.AsObject();
    }

    [Fact]
    public async Task CurlUsersCanCreateReadListUpdateAndDelete()
    {
        var account = NewAccount();
        using var http = system.Rest(account, "customer");

        var created = await Json(await http.PostAsJsonAsync(Collection, Order()), HttpStatusCode.OK);
        var id = created["id"]!.GetValue<string>();
        Assert.StartsWith("dxpc-", id, StringComparison.Ordinal);
        Assert.Equal(account, created["accountId"]!.GetValue<string>());
        Assert.Equal("STATE_APPLYING", created["state"]!.GetValue<string>());

        var read = await Json(await http.GetAsync($"{Collection}/{id}"), HttpStatusCode.OK);
        Assert.Equal(created.ToJsonString(), read.ToJsonString());

        var list = await Json(await http.GetAsync($"{Collection}?pageSize=10"), HttpStatusCode.OK);
        Assert.Equal([id], list["physicalConnections"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()));

        var patch = new HttpRequestMessage(HttpMethod.Patch, $"{Collection}/{id}?updateMask=description&etag={created["etag"]}")
        {
            Content = JsonContent.Create(new JsonObject { ["description"] = "patched over REST" }),
        };
        var updated = await Json(await http.SendAsync(patch), HttpStatusCode.OK);
        Assert.Equal("patched over REST", updated["description"]!.GetValue<string>());
        Assert.Equal("idc-shanghai-1", updated["name"]!.GetValue<string>());

        var deleted = await Json(await http.DeleteAsync($"{Collection}/{id}?etag={updated["etag"]}"), HttpStatusCode.OK);
        Assert.Equal("STATE_DELETED", deleted["state"]!.GetValue<string>());
    }

    [Fact]
    public async Task BadInputIsA400WithTheSameStatusAsGrpc()
    {
        using var http = system.Rest(NewAccount(), "customer");
        var bad = Order("");
        bad["bandwidthMbps"] = 5000;

        var status = await Json(await http.PostAsJsonAsync(Collection, bad), HttpStatusCode.BadRequest);
        Assert.Equal(3, status["code"]!.GetValue<int>());
        var details = status["details"]!.AsArray();
        Assert.Contains(details, d => d!["@type"]!.GetValue<string>() == "type.googleapis.com/google.rpc.ErrorInfo" && d["reason"]!.GetValue<string>() == "INVALID_ARGUMENT");
        var violations = details.Single(d => d!["@type"]!.GetValue<string>() == "type.googleapis.com/google.rpc.BadRequest")!["fieldViolations"]!.AsArray();
        Assert.Equal(["physical_connection.name", "physical_connection.bandwidth_mbps"], violations.Select(v => v!["field"]!.GetValue<string>()));
    }

    [Fact]
    public async Task MalformedJsonIsA400NotA500()
    {
        using var http = system.Rest(NewAccount(), "customer");
        using var content = new StringContent("{\"name\": 5, \"bandwidthMbps\": \"lots\"", System.Text.Encoding.UTF8, "application/json");
        var status = await Json(await http.PostAsync(Collection, content), HttpStatusCode.BadRequest);
        Assert.Equal(3, status["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task AnotherAccountsConnectionIsA404()
    {
        using var owner = system.Rest(NewAccount(), "customer");
        using var stranger = system.Rest(NewAccount(), "customer");
        var created = await Json(await owner.PostAsJsonAsync(Collection, Order()), HttpStatusCode.OK);
        var status = await Json(await stranger.GetAsync($"{Collection}/{created["id"]}"), HttpStatusCode.NotFound);
        Assert.Equal(5, status["code"]!.GetValue<int>());
    }

    [Fact]
    public async Task AStaleETagIsA409Conflict()
    {
        using var http = system.Rest(NewAccount(), "customer");
        var created = await Json(await http.PostAsJsonAsync(Collection, Order()), HttpStatusCode.OK);
        await Json(await http.DeleteAsync($"{Collection}/{created["id"]}?etag=0000000000000000"), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task WithoutATokenEveryApiCallIsA401AndNothingLeaks()
    {
        using var anonymous = system.Rest(null);
        var list = await anonymous.GetAsync(Collection);
        Assert.Equal(HttpStatusCode.Unauthorized, list.StatusCode);
        var create = await anonymous.PostAsJsonAsync(Collection, Order());
        Assert.Equal(HttpStatusCode.Unauthorized, create.StatusCode);
        // The API's error shape, saying only that credentials are missing: no validation detail.
        using var status = JsonDocument.Parse(await create.Content.ReadAsStringAsync());
        Assert.Equal(16, status.RootElement.GetProperty("code").GetInt32());
        var details = status.RootElement.GetProperty("details");
        Assert.Equal("UNAUTHENTICATED", Assert.Single(details.EnumerateArray()).GetProperty("reason").GetString());
    }

    [Fact]
    public async Task ATokenSignedWithAnotherKeyIsRefused()
    {
        var forged = system.Token("acme", "customer");
        var parts = forged.Split('.');
        parts[2] = Convert.ToBase64String(new byte[32]).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        using var http = system.Rest(null);
        http.DefaultRequestHeaders.Authorization = new("Bearer", string.Join('.', parts));
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync(Collection)).StatusCode);
    }

    [Fact]
    public async Task TheOpenApiDocumentIsPublicAndDescribesTheRoutes()
    {
        using var anonymous = system.Rest(null);
        var response = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var paths = document.RootElement.GetProperty("paths");
        var create = paths.GetProperty("/v1/regions/{region}/physicalConnections").GetProperty("post");
        Assert.Contains("physical connection", create.GetProperty("summary").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.True(paths.TryGetProperty("/v1/regions/{region}/physicalConnections/{id}:confirm", out _));
        Assert.True(paths.TryGetProperty("/v1/regions/{region}/reachability:trace", out _));
    }
}
