using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Grpc;
using Google.Protobuf;
using Google.Rpc;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Issue 14: REST input is read against the request message before transcoding reads it. Whatever does not fit
/// — a body that is not JSON, a value of the wrong type, an unknown enum value, field or query parameter, a
/// parameter the method would ignore — is the documented <c>google.rpc.Status</c> with an <c>ErrorInfo</c> and a
/// <c>BadRequest</c> naming the field by its proto path, never transcoding's bare text or a .NET type name, and
/// nothing is silently dropped.
/// </summary>
public sealed class RestInputTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private const string Region = "/v1/regions/cn-north-1";
    private const string Connections = Region + "/physicalConnections";

    private static readonly JsonParser StatusJson = new(JsonParser.Settings.Default.WithTypeRegistry(StatusResponses.DetailTypes));

    private static string NewAccount() => "input-" + Guid.NewGuid().ToString("N")[..10];

    private string Order(string extra = "") =>
        $"{{\"name\": \"idc-1\", \"locationId\": \"{system.DefaultLocationId}\", \"portSpeed\": \"PORT_SPEED_1G\", \"bandwidthMbps\": 500, \"provider\": \"China Unicom\"{extra}}}";

    private static StringContent Json(string body, string mediaType = "application/json") => new(body, Encoding.UTF8, mediaType);

    /// <summary>The response as a google.rpc.Status with <paramref name="expected"/>; it names no .NET type.</summary>
    private static async Task<Google.Rpc.Status> StatusOf(HttpResponseMessage response, HttpStatusCode expected)
    {
        // An event stream (an open watch) never ends: its headers are the answer.
        var body = response.Content.Headers.ContentType?.MediaType == "text/event-stream" ? "(an event stream)" : await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected}, got {(int)response.StatusCode}: {body}");
        var status = StatusJson.Parse<Google.Rpc.Status>(body);
        Assert.DoesNotContain("DirectConnect.Contracts", body, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", body, StringComparison.Ordinal);
        return status;
    }

    /// <summary>An INVALID_ARGUMENT with reason <paramref name="reason"/> whose BadRequest names <paramref name="field"/>; its description.</summary>
    private static async Task<string> AssertNames(HttpResponseMessage response, string field, string reason = "INVALID_ARGUMENT")
    {
        var status = await StatusOf(response, HttpStatusCode.BadRequest);
        Assert.Equal(3, status.Code);
        Assert.Equal(reason, status.Reason());
        var violation = status.Detail<BadRequest>().FieldViolations.FirstOrDefault(v => v.Field == field);
        Assert.True(violation is not null, $"{field} is not named: {status}");
        return violation.Description;
    }

    private static async Task AssertNothingCreatedAsync(HttpClient http)
    {
        var list = JsonNode.Parse(await http.GetStringAsync(Connections))!;
        Assert.Empty(list["physicalConnections"]!.AsArray());
    }

    [Theory]
    [InlineData("malformed JSON", "{\"name\": \"x\", ", "physical_connection", "MALFORMED_REQUEST", "not valid JSON")]
    [InlineData("an array as the body", "[1, 2]", "physical_connection", "MALFORMED_REQUEST", "must be a JSON object")]
    [InlineData("a word for a number", "{\"bandwidthMbps\": \"lots\"}", "physical_connection.bandwidth_mbps", "INVALID_ARGUMENT", "must be an integer")]
    [InlineData("a number for a name", "{\"name\": 123}", "physical_connection.name", "INVALID_ARGUMENT", "must be a string")]
    [InlineData("an unknown enum value", "{\"portSpeed\": \"PORT_SPEED_40G\"}", "physical_connection.port_speed", "INVALID_ARGUMENT", "one of PORT_SPEED_1G, PORT_SPEED_10G, PORT_SPEED_100G")]
    [InlineData("an unknown enum number", "{\"portSpeed\": 99}", "physical_connection.port_speed", "INVALID_ARGUMENT", "unknown value \"99\"")]
    [InlineData("a fraction for an integer", "{\"bandwidthMbps\": 1.5}", "physical_connection.bandwidth_mbps", "INVALID_ARGUMENT", "must be an integer")]
    [InlineData("a time that is not one", "{\"createTime\": \"yesterday\"}", "physical_connection.create_time", "INVALID_ARGUMENT", "RFC 3339")]
    public async Task EveryBodyThatDoesNotFitIsAStatusNamingTheField(string what, string body, string field, string reason, string description)
    {
        // Found: these all answered {"code":3,"message":"Request JSON payload is not correctly formatted.","details":[]},
        // and the enum "Error converting value … to enum type DirectConnect.Contracts.V1.PortSpeed."
        using var http = system.Rest(NewAccount(), "customer");
        using var response = await http.PostAsync(Connections, Json(body));
        Assert.Contains(description, await AssertNames(response, field, reason), StringComparison.Ordinal);
        await AssertNothingCreatedAsync(http);
        _ = what;
    }

    [Fact]
    public async Task ABodyThatIsNotJsonIsRefusedForWhatItIs()
    {
        using var http = system.Rest(NewAccount(), "customer");
        using var response = await http.PostAsync(Connections, Json(Order(), "text/plain"));
        Assert.Contains("Content-Type: application/json", await AssertNames(response, "physical_connection", "MALFORMED_REQUEST"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("state=STATE_BOGUS", "state", "unknown value \"STATE_BOGUS\"; one of STATE_APPLYING")]
    [InlineData("pageSize=abc", "page_size", "must be an integer")]
    [InlineData("pageSize=1&pageSize=2", "page_size", "give it once")]
    [InlineData("showDeleted=maybe", "show_deleted", "must be true or false")]
    [InlineData("pageSize=1&page_size=2", "page_size", "is given twice, as pageSize and as page_size")]
    public async Task EveryQueryValueThatDoesNotFitIsAStatusNamingTheParameter(string query, string field, string description)
    {
        // Found: "Invalid value 'STATE_BOGUS' for enum type State.", "The input string 'abc' was not in a correct format." — no details.
        using var http = system.Rest(NewAccount(), "customer");
        using var response = await http.GetAsync($"{Connections}?{query}");
        Assert.Contains(description, await AssertNames(response, field), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownFieldsInABodyAreRefusedNotDropped()
    {
        // Found: mtu and tags were dropped without a word and the connection created.
        using var http = system.Rest(NewAccount(), "customer");
        using var response = await http.PostAsync(Connections, Json(Order(", \"mtu\": 9001, \"tags\": [\"prod\"]")));
        Assert.Contains("unknown field \"mtu\"", await AssertNames(response, "physical_connection.mtu"), StringComparison.Ordinal);
        var status = StatusJson.Parse<Google.Rpc.Status>(await response.Content.ReadAsStringAsync());
        Assert.Equal(["physical_connection.mtu", "physical_connection.tags"], status.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
        await AssertNothingCreatedAsync(http);
    }

    [Fact]
    public async Task UnknownQueryParametersAreRefusedNotDropped()
    {
        // Found: ?locationId=…&name=… on a list were ignored: the caller got every connection, filtered by nothing.
        using var http = system.Rest(NewAccount(), "customer");
        using var response = await http.GetAsync($"{Connections}?locationId={system.DefaultLocationId}&name=idc-1");
        var description = await AssertNames(response, "locationId");
        Assert.Contains("unknown query parameter; this method takes pageSize, pageToken, state, showDeleted", description, StringComparison.Ordinal);
        var status = StatusJson.Parse<Google.Rpc.Status>(await response.Content.ReadAsStringAsync());
        Assert.Equal(["locationId", "name"], status.Detail<BadRequest>().FieldViolations.Select(v => v.Field));
    }

    [Theory]
    [InlineData("GET", Connections + "?region=cn-east-2", "region", "set by the URL path")]
    [InlineData("GET", Region + "/vpcs/vpc-000000000000/routes?vpcId=vpc-111111111111", "vpc_id", "set by the URL path")]
    [InlineData("POST", Connections + "/dxpc-000000000000:confirm?requestId=2f1c0c4e-4f7e-4a53-9d5e-1a1b1c1d1e1f", "request_id", "goes in the JSON body")]
    [InlineData("POST", Connections + "?physicalConnection.name=other", "physical_connection.name", "goes in the JSON body")]
    [InlineData("GET", Region + "/changes:watch?after=5", "after", "this method takes afterPosition")]
    [InlineData("GET", Connections + "?access_token=abc", "access_token", "Authorization header")]
    public async Task AQueryParameterTheMethodWouldNotReadIsRefused(string verb, string target, string field, string description)
    {
        // Transcoding skipped these (a path variable by its proto name, anything when the body is the whole request),
        // or let one override the path or the body (vpcId, physicalConnection.name); the watch read only afterPosition.
        using var http = system.Rest(NewAccount(), "customer");
        var body = target.Contains(":confirm", StringComparison.Ordinal) ? "{}" : Order();
        using var request = new HttpRequestMessage(new HttpMethod(verb), target) { Content = verb == "POST" ? Json(body) : null };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Contains(description, await AssertNames(response, field), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AWholeRequestBodyMayRepeatThePathButNotContradictIt()
    {
        using var http = system.Rest(NewAccount(), "customer");
        using var contradicting = await http.PostAsync($"{Connections}/dxpc-000000000000:confirm", Json("{\"region\": \"cn-east-2\"}"));
        Assert.Contains("\"cn-north-1\" in the URL path", await AssertNames(contradicting, "region"), StringComparison.Ordinal);

        using var repeating = await http.PostAsync($"{Connections}/dxpc-000000000000:confirm", Json("{\"region\": \"cn-north-1\", \"id\": \"dxpc-000000000000\"}"));
        Assert.Equal("RESOURCE_NOT_FOUND", (await StatusOf(repeating, HttpStatusCode.NotFound)).Reason());
    }

    [Fact]
    public async Task EnumValuesAreSpelledInFullAndAShortFormIsToldTheFullName()
    {
        // Issue 14, item 7: one spelling for every enum, in the query and in a body alike — the proto name, as responses write it.
        using var http = system.Rest(NewAccount(), "customer");
        using var vendor = await http.GetAsync($"{Region}/virtualInterfaces/dxvif-000000000000/routerConfiguration?vendor=FRR");
        Assert.Contains("unknown value \"FRR\" (did you mean ROUTER_VENDOR_FRR?)", await AssertNames(vendor, "vendor"), StringComparison.Ordinal);

        using var state = await http.GetAsync($"{Connections}?state=available");
        Assert.Contains("(did you mean STATE_AVAILABLE?)", await AssertNames(state, "state"), StringComparison.Ordinal);

        using var speed = await http.PostAsync(Connections, Json("{\"portSpeed\": \"10G\"}"));
        Assert.Contains("(did you mean PORT_SPEED_10G?)", await AssertNames(speed, "physical_connection.port_speed"), StringComparison.Ordinal);

        using var full = await http.GetAsync($"{Region}/virtualInterfaces/dxvif-000000000000/routerConfiguration?vendor=ROUTER_VENDOR_FRR");
        Assert.Equal("RESOURCE_NOT_FOUND", (await StatusOf(full, HttpStatusCode.NotFound)).Reason());
        using var byNumber = await http.GetAsync($"{Connections}?state=5");
        Assert.Equal(HttpStatusCode.OK, byNumber.StatusCode);
    }

    [Fact]
    public async Task Proto3JsonIsAcceptedInEverySpellingItAllows()
    {
        // Proto names as well as JSON names, an integer as a string, null for a default, output-only fields (a resource
        // read back and sent again), a UTF-8 BOM: all proto3 JSON, all read as the same request.
        using var http = system.Rest(NewAccount(), "customer");
        var body = "\uFEFF" + $"{{\"name\": \"idc-2\", \"location_id\": \"{system.DefaultLocationId}\", \"port_speed\": \"PORT_SPEED_1G\", " +
                   "\"bandwidthMbps\": \"500\", \"provider\": \"China Unicom\", \"description\": null, " +
                   "\"state\": \"STATE_AVAILABLE\", \"createTime\": \"2026-01-31T12:00:00Z\", \"history\": []}";
        using var response = await http.PostAsync(Connections, Json(body));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        var created = JsonNode.Parse(text)!;
        Assert.Equal(500, created["bandwidthMbps"]!.GetValue<int>());
        Assert.Equal("STATE_APPLYING", created["state"]!.GetValue<string>()); // output-only: what was sent is ignored, as AIP-203 says

        // An action without a body (curl -X POST without -d) is an empty request, not a malformed one.
        using var confirm = await http.PostAsync($"{Connections}/{created["id"]}:confirm", null);
        Assert.Equal("INVALID_STATE", (await StatusOf(confirm, HttpStatusCode.BadRequest)).Reason());
    }

    [Fact]
    public async Task WhoMayCallIsCheckedBeforeWhatTheySent()
    {
        // AIP-211, as over gRPC: a customer calling an operator method learns that it may not, not what is wrong with its JSON.
        using var http = system.Rest(NewAccount(), "customer");
        using var response = await http.PostAsync($"{Connections}/dxpc-000000000000:approve", Json("{\"etag\": "));
        Assert.Equal("ROLE_REQUIRED", (await StatusOf(response, HttpStatusCode.Forbidden)).Reason());
    }

    [Fact]
    public async Task ABodyOnAMethodThatTakesNoneIsRefused()
    {
        using var http = system.Rest(NewAccount(), "customer");
        using var request = new HttpRequestMessage(HttpMethod.Get, Connections) { Content = Json("{\"state\": \"STATE_AVAILABLE\"}") };
        using var response = await http.SendAsync(request);
        var status = await StatusOf(response, HttpStatusCode.BadRequest);
        Assert.Equal("MALFORMED_REQUEST", status.Reason());
        Assert.Contains("takes no request body", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AValidRequestStillReadsEveryQueryParameter()
    {
        using var http = system.Rest(NewAccount(), "customer");
        var created = JsonNode.Parse(await (await http.PostAsync(Connections, Json(Order()))).Content.ReadAsStringAsync())!;
        var page = JsonNode.Parse(await http.GetStringAsync($"{Connections}?pageSize=1&state=STATE_APPLYING&show_deleted=false"))!;
        Assert.Equal(created["id"]!.GetValue<string>(), page["physicalConnections"]![0]!["id"]!.GetValue<string>());

        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"{Connections}/{created["id"]}?updateMask=description&etag={created["etag"]}&requestId={Guid.NewGuid()}")
        {
            Content = JsonContent.Create(new JsonObject { ["description"] = "read from the query" }),
        };
        using var updated = await http.SendAsync(patch);
        Assert.Equal("read from the query", JsonNode.Parse(await updated.Content.ReadAsStringAsync())!["description"]!.GetValue<string>());
    }
}
