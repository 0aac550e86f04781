using System.Net;
using System.Text.Json;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Tenancy;
using Google.Api;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The published OpenAPI document against what the gateway really serves: every REST route the
/// gateway answers (its endpoint table) is in the document with the same method, every operation
/// in the document is served, and each carries the description written as a proto comment. And
/// against the protos: operations are named after their methods, fields are required, read-only or
/// write-only as their field_behavior says, well-known types have their proto3 JSON form, errors are a
/// google.rpc.Status with typed details, and bytes and event streams are what is sent.
/// </summary>
public sealed class OpenApiDocumentTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private static readonly string[] Verbs = ["GET", "POST", "PATCH", "PUT", "DELETE"];

    // The document names path parameters by their JSON names ({vpcId}), the rules by their proto names ({vpc_id}): compare the shapes.
    private static string Shape(string path) => System.Text.RegularExpressions.Regex.Replace(path, @"\{[^}]+\}", "{}");

    private async Task<JsonElement> DocumentAsync()
    {
        using var anonymous = system.Rest(null);
        using var response = await anonymous.GetAsync("/openapi/v1.json");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return document.RootElement.Clone();
    }

    /// <summary>The REST routes of the public API the gateway serves: (verb, pattern).</summary>
    private HashSet<(string Verb, string Path)> ServedRoutes() =>
        system.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/v1/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? []).Select(verb => (verb, Shape("/" + e.RoutePattern.RawText!.TrimStart('/')))))
            .ToHashSet();

    private static HashSet<(string Verb, string Path)> DocumentedRoutes(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(operation => Verbs.Contains(operation.Name.ToUpperInvariant()))
                .Select(operation => (operation.Name.ToUpperInvariant(), Shape(path.Name))))
            .ToHashSet();

    [Fact]
    public async Task EveryServedRouteIsDocumentedAndEveryDocumentedRouteIsServed()
    {
        var document = await DocumentAsync();
        var served = ServedRoutes();
        var documented = DocumentedRoutes(document);
        Assert.NotEmpty(served);
        Assert.Empty(served.Except(documented).Select(r => $"{r.Verb} {r.Path}"));
        Assert.Empty(documented.Except(served).Select(r => $"{r.Verb} {r.Path}"));
    }

    [Fact]
    public async Task EveryHttpRuleOfTheContractsIsARouteOfTheDocument()
    {
        // From the other side: the protos' rules, not the server's view of them.
        var documented = DocumentedRoutes(await DocumentAsync());
        foreach (var method in MethodAccessCatalog.ContractServices().SelectMany(s => s.Methods))
        {
            var rule = method.GetOptions().GetExtension(AnnotationsExtensions.Http);
            var route = rule.PatternCase switch
            {
                HttpRule.PatternOneofCase.Get => ("GET", rule.Get),
                HttpRule.PatternOneofCase.Post => ("POST", rule.Post),
                HttpRule.PatternOneofCase.Patch => ("PATCH", rule.Patch),
                HttpRule.PatternOneofCase.Delete => ("DELETE", rule.Delete),
                _ => throw new Xunit.Sdk.XunitException($"{method.Name} uses {rule.PatternCase}"),
            };
            Assert.True(documented.Contains((route.Item1, Shape(route.Item2))), $"{method.FullName}: {route} is not in the OpenAPI document");
        }
    }

    [Fact]
    public async Task EveryOperationIsDescribedFromItsProtoCommentAndNeedsABearerToken()
    {
        var document = await DocumentAsync();
        Assert.True(document.GetProperty("components").GetProperty("securitySchemes").TryGetProperty("bearer", out _));
        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => Verbs.Contains(o.Name.ToUpperInvariant())))
            {
                var summary = operation.Value.TryGetProperty("summary", out var s) ? s.GetString() : null;
                var description = operation.Value.TryGetProperty("description", out var d) ? d.GetString() : null;
                Assert.False(string.IsNullOrWhiteSpace(summary ?? description), $"{operation.Name} {path.Name} has no description");
            }
        }

        // One spot check that the text is the proto comment itself.
        var confirm = document.GetProperty("paths").GetProperty("/v1/regions/{region}/physicalConnections/{id}:confirm").GetProperty("post");
        Assert.Contains("confirm", (confirm.GetProperty("summary").GetString() ?? "").ToLowerInvariant(), StringComparison.Ordinal);
    }

    private static IEnumerable<MethodDescriptor> Methods => MethodAccessCatalog.ContractServices().SelectMany(s => s.Methods);

    private static (string Verb, string Path) RouteOf(MethodDescriptor method)
    {
        var rule = method.GetOptions().GetExtension(AnnotationsExtensions.Http);
        return rule.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => ("get", rule.Get),
            HttpRule.PatternOneofCase.Post => ("post", rule.Post),
            HttpRule.PatternOneofCase.Patch => ("patch", rule.Patch),
            HttpRule.PatternOneofCase.Delete => ("delete", rule.Delete),
            _ => throw new Xunit.Sdk.XunitException($"{method.Name} uses {rule.PatternCase}"),
        };
    }

    /// <summary>The operation that documents <paramref name="method"/>.</summary>
    private static JsonElement OperationOf(JsonElement document, MethodDescriptor method)
    {
        var (verb, path) = RouteOf(method);
        return document.GetProperty("paths").EnumerateObject().Single(p => Shape(p.Name) == Shape(path)).Value.GetProperty(verb);
    }

    private static JsonElement Component(JsonElement document, string id) => document.GetProperty("components").GetProperty("schemas").GetProperty(id);

    /// <summary>A schema with its $ref followed.</summary>
    private static JsonElement Resolve(JsonElement document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference) ? Component(document, reference.GetString()!["#/components/schemas/".Length..]) : schema;

    private static bool Flag(JsonElement schema, string name) => schema.TryGetProperty(name, out var value) && value.GetBoolean();

    private static HashSet<string> Names(JsonElement schema, string property) =>
        schema.TryGetProperty(property, out var names) ? names.EnumerateArray().Select(n => n.GetString()!).ToHashSet() : [];

    /// <summary>The id the document gives <paramref name="message"/>'s schema, as its generator names it.</summary>
    private string SchemaId(MessageDescriptor message) =>
        system.Services.GetRequiredService<ISchemaGenerator>().GenerateSchema(message.ClrType, new SchemaRepository()).Reference?.Id
        ?? throw new Xunit.Sdk.XunitException($"{message.FullName} has no schema of its own");

    /// <summary>Every message of the public API's requests and responses, and every message in their fields.</summary>
    private static IReadOnlyCollection<MessageDescriptor> ContractMessages()
    {
        var found = new Dictionary<string, MessageDescriptor>();
        var pending = new Stack<MessageDescriptor>(Methods.SelectMany(m => new[] { m.InputType, m.OutputType }));
        while (pending.TryPop(out var message))
        {
            if (message.File.Package.StartsWith("google.", StringComparison.Ordinal) || !found.TryAdd(message.FullName, message))
            {
                continue;
            }

            foreach (var field in message.Fields.InDeclarationOrder().Where(f => f.FieldType == FieldType.Message && !f.IsMap))
            {
                pending.Push(field.MessageType);
            }
        }

        return found.Values;
    }

    private static IEnumerable<FieldBehavior> Behaviors(FieldDescriptor field) => field.GetOptions()?.GetExtension(FieldBehaviorExtensions.FieldBehavior) ?? [];

    [Fact]
    public async Task EveryOperationIsNamedAfterItsGrpcMethod()
    {
        var document = await DocumentAsync();
        var names = Methods.Select(method => (method.Name, Id: OperationOf(document, method).TryGetProperty("operationId", out var id) ? id.GetString() : null)).ToArray();
        Assert.All(names, n => Assert.Equal(n.Name, n.Id));
        Assert.Equal(names.Length, names.Select(n => n.Id).Distinct().Count());
    }

    [Fact]
    public async Task TheServerIsTheAddressTheDocumentWasFetchedFrom()
    {
        var servers = (await DocumentAsync()).GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("url").GetString() ?? "").ToArray();
        Assert.Equal([system.RestAddress.ToString().TrimEnd('/')], servers);
    }

    [Fact]
    public async Task FieldsAreRequiredReadOnlyAndWriteOnlyAsTheirFieldBehaviorSays()
    {
        var document = await DocumentAsync();
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var checkedFields = 0;
        foreach (var message in ContractMessages())
        {
            var id = SchemaId(message);
            if (!schemas.TryGetProperty(id, out var schema))
            {
                continue; // a request read from the path and query only
            }

            var required = Names(schema, "required");
            var properties = schema.GetProperty("properties");
            foreach (var field in message.Fields.InDeclarationOrder())
            {
                var behaviors = Behaviors(field).ToHashSet();
                if (!properties.TryGetProperty(field.JsonName, out var property))
                {
                    continue; // a body's field bound from the path (checked below)
                }

                Assert.True(behaviors.Contains(FieldBehavior.Required) == required.Contains(field.JsonName), $"{id}.{field.JsonName}: required is not REQUIRED");
                Assert.True(behaviors.Contains(FieldBehavior.OutputOnly) == Flag(property, "readOnly"), $"{id}.{field.JsonName}: readOnly is not OUTPUT_ONLY");
                Assert.True(behaviors.Contains(FieldBehavior.InputOnly) == Flag(property, "writeOnly"), $"{id}.{field.JsonName}: writeOnly is not INPUT_ONLY");
                Assert.False(Flag(property, "nullable"), $"{id}.{field.JsonName} is nullable, but proto3 JSON never writes null for it");
                checkedFields++;
            }
        }

        Assert.True(checkedFields > 100, $"only {checkedFields} fields checked");
        var connection = Component(document, "PhysicalConnection");
        Assert.Equal(["bandwidthMbps", "locationId", "name", "portSpeed", "provider"], Names(connection, "required").Order());
        Assert.True(Flag(connection.GetProperty("properties").GetProperty("state"), "readOnly")); // a $ref, wrapped so that readOnly counts
        var peering = Component(document, "BgpPeering").GetProperty("properties");
        Assert.True(Flag(peering.GetProperty("authKey"), "writeOnly"));
        Assert.True(Flag(peering.GetProperty("authKeySet"), "readOnly"));
    }

    [Fact]
    public async Task BodiesAskForWhatThePathDoesNotGiveAndAnUpdateRequiresNothing()
    {
        var document = await DocumentAsync();
        foreach (var method in Methods)
        {
            var operation = OperationOf(document, method);
            if (!operation.TryGetProperty("requestBody", out var body))
            {
                continue;
            }

            var rule = method.GetOptions().GetExtension(AnnotationsExtensions.Http);
            var schema = Resolve(document, body.GetProperty("content").GetProperty("application/json").GetProperty("schema"));
            if (rule.Body == "*")
            {
                // The request is the body, less what the path gives.
                var fromPath = operation.GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "path").Select(p => p.GetProperty("name").GetString()!).ToArray();
                Assert.Empty(fromPath.Where(name => schema.GetProperty("properties").TryGetProperty(name, out _)).Select(name => $"{method.Name}: {name}"));
            }

            var masked = method.InputType.Fields.InDeclarationOrder().Any(f => f.FieldType == FieldType.Message && f.MessageType.FullName == FieldMask.Descriptor.FullName);
            if (masked)
            {
                Assert.True(Names(schema, "required").Count == 0, $"{method.Name}: an update's body requires {string.Join(", ", Names(schema, "required"))}");
            }

            var bodyRequired = rule.Body == "*" || Behaviors(method.InputType.FindFieldByName(rule.Body)).Contains(FieldBehavior.Required);
            Assert.True(bodyRequired == Flag(body, "required"), $"{method.Name}: requestBody.required is not {bodyRequired}");
        }

        Assert.Contains("reason", Names(Component(document, "RejectPhysicalConnectionRequest"), "required"));
    }

    [Fact]
    public async Task WellKnownTypesHaveTheirProto3JsonForm()
    {
        var document = await DocumentAsync();
        var raw = document.GetRawText();
        Assert.DoesNotContain("\"kindCase\"", raw, StringComparison.Ordinal); // the C# shape of google.protobuf.Value
        Assert.DoesNotContain("\"hasNullValue\"", raw, StringComparison.Ordinal);

        var connection = Component(document, "PhysicalConnection").GetProperty("properties");
        Assert.Equal("date-time", connection.GetProperty("createTime").GetProperty("format").GetString());
        Assert.Equal("string", connection.GetProperty("createTime").GetProperty("type").GetString());
        var asn = Component(document, "BgpPeering").GetProperty("properties").GetProperty("customerAsn");
        Assert.Equal("string", asn.GetProperty("type").GetString()); // int64 is a JSON string in proto3 JSON
        Assert.Equal("^-?[0-9]+$", asn.GetProperty("pattern").GetString());
        var update = OperationOf(document, Methods.Single(m => m.Name == "UpdatePhysicalConnection"));
        var mask = update.GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "updateMask").GetProperty("schema");
        Assert.Equal("string", mask.GetProperty("type").GetString());
        Assert.Contains("comma", mask.GetProperty("description").GetString(), StringComparison.Ordinal);

        // The rest of the well-known types, as the document's generator describes any field of theirs.
        var generator = system.Services.GetRequiredService<ISchemaGenerator>();
        var repository = new SchemaRepository();
        OpenApiSchema Of(System.Type type) => generator.GenerateSchema(type, repository) is { Reference: { } reference } ? repository.Schemas[reference.Id] : generator.GenerateSchema(type, repository);
        Assert.Equal(("string", "date-time"), (Of(typeof(Timestamp)).Type, Of(typeof(Timestamp)).Format));
        Assert.Matches(Of(typeof(Duration)).Pattern, "1.5s");
        Assert.Equal("string", Of(typeof(FieldMask)).Type);
        Assert.Equal(("object", true, 0), (Of(typeof(Struct)).Type, Of(typeof(Struct)).AdditionalPropertiesAllowed, Of(typeof(Struct)).Properties.Count));
        Assert.Equal((null, 0), (Of(typeof(Value)).Type, Of(typeof(Value)).Properties.Count)); // any JSON value
        Assert.Equal("array", Of(typeof(ListValue)).Type);
        Assert.Equal(["@type"], Of(typeof(Any)).Required);
        Assert.Equal(("string", true), (Of(typeof(Int64Value)).Type, Of(typeof(Int64Value)).Nullable));
        Assert.Equal(("string", "byte"), (Of(typeof(BytesValue)).Type, Of(typeof(BytesValue)).Format));
        var httpBody = Of(typeof(HttpBody)).Properties["data"]; // a bytes field
        Assert.Equal(("string", "byte"), (httpBody.Type, httpBody.Format));
    }

    [Fact]
    public async Task EveryErrorIsAStatusWhoseDetailsAreTheTypedErrorDetails()
    {
        var document = await DocumentAsync();
        foreach (var method in Methods)
        {
            var responses = OperationOf(document, method).GetProperty("responses");
            foreach (var range in new[] { "4XX", "5XX" })
            {
                Assert.True(responses.TryGetProperty(range, out var error), $"{method.Name} declares no {range} response");
                Assert.Equal("#/components/schemas/Google.Rpc.Status", error.GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
            }
        }

        var detail = Resolve(document, Component(document, "Google.Rpc.Status").GetProperty("properties").GetProperty("details").GetProperty("items"));
        var mapping = detail.GetProperty("discriminator").GetProperty("mapping").EnumerateObject().ToDictionary(m => m.Name, m => m.Value.GetString());
        Assert.Equal("@type", detail.GetProperty("discriminator").GetProperty("propertyName").GetString());
        Assert.Equal(StatusResponses.DetailMessages.Select(d => "type.googleapis.com/" + d.FullName).Order(), mapping.Keys.Order());
        Assert.Equal(mapping.Values.Order(), detail.GetProperty("oneOf").EnumerateArray().Select(o => o.GetProperty("$ref").GetString()).Order());
        foreach (var (typeUrl, reference) in mapping)
        {
            var member = Resolve(document, JsonDocument.Parse($"{{\"$ref\": \"{reference}\"}}").RootElement);
            Assert.Contains("@type", Names(member, "required"));
            Assert.Equal([typeUrl], member.GetProperty("properties").GetProperty("@type").GetProperty("enum").EnumerateArray().Select(e => e.GetString()));
        }

        var errorInfo = Component(document, "Google.Rpc.ErrorInfo").GetProperty("properties");
        Assert.Equal("string", errorInfo.GetProperty("reason").GetProperty("type").GetString());
    }

    [Fact]
    public async Task TheLoaIsDescribedAsPdfBytesAndTheWatchAsServerSentEvents()
    {
        var document = await DocumentAsync();
        var loa = OperationOf(document, Methods.Single(m => m.Name == "GetPhysicalConnectionLoa")).GetProperty("responses").GetProperty("200").GetProperty("content");
        Assert.Equal(["application/pdf"], loa.EnumerateObject().Select(c => c.Name));
        Assert.Equal(("string", "binary"), (loa.GetProperty("application/pdf").GetProperty("schema").GetProperty("type").GetString(),
            loa.GetProperty("application/pdf").GetProperty("schema").GetProperty("format").GetString()));
        Assert.False(document.GetProperty("components").GetProperty("schemas").TryGetProperty("Google.Api.HttpBody", out _));

        var watch = OperationOf(document, Methods.Single(m => m.Name == "WatchChanges")).GetProperty("responses").GetProperty("200");
        Assert.Equal(["text/event-stream"], watch.GetProperty("content").EnumerateObject().Select(c => c.Name));
        Assert.Contains("Last-Event-ID", watch.GetProperty("description").GetString(), StringComparison.Ordinal);

        // What the gateway really answers with.
        using var http = system.Rest("sse-" + Guid.NewGuid().ToString("N")[..8], "customer");
        using var response = await http.GetAsync("/v1/regions/cn-north-1/changes:watch", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
    }
}

/// <summary>The document's server when clients reach the gateway at another address than the one they fetch it from.</summary>
public sealed class OpenApiPublicAddressTests
{
    private sealed class BehindAProxy : EmbeddedSystem
    {
        protected override IEnumerable<string> ExtraArguments => ["--DirectConnect:PublicRestUrl=https://dx.example.com/"];
    }

    [Fact]
    public async Task AConfiguredPublicAddressIsTheServer()
    {
        var system = new BehindAProxy();
        await system.InitializeAsync();
        try
        {
            using var http = system.Rest(null);
            using var document = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json"));
            Assert.Equal(["https://dx.example.com"], document.RootElement.GetProperty("servers").EnumerateArray().Select(s => s.GetProperty("url").GetString() ?? ""));
        }
        finally
        {
            await system.DisposeAsync();
        }
    }

    [Theory]
    [InlineData("dx.example.com")]
    [InlineData("ftp://dx.example.com")]
    public void AnAddressThatIsNotAnAbsoluteHttpUrlStopsTheStart(string address)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "dc-public-url-" + Guid.NewGuid().ToString("N"));
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() =>
                Gateway.Hosting.GatewayApp.Build([$"--data-dir={dataDirectory}", "--grpc-port=0", "--rest-port=0", $"--DirectConnect:PublicRestUrl={address}"]));
            Assert.Contains("DirectConnect:PublicRestUrl", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dataDirectory))
            {
                Directory.Delete(dataDirectory, recursive: true);
            }
        }
    }
}
