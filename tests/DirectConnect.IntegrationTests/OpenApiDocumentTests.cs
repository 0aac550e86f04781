using System.Net;
using System.Text.Json;
using DirectConnect.Platform.Tenancy;
using Google.Api;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The published OpenAPI document against what the gateway really serves: every REST route the
/// gateway answers (its endpoint table) is in the document with the same method, every operation
/// in the document is served, and each carries the description written as a proto comment.
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
}
