using System.Net;
using DirectConnect.Contracts.V1;
using DirectConnect.Gateway.Hosting;
using Google.Rpc;
using InternalV1 = DirectConnect.Contracts.Internal.V1;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Issue 16, item 1: a browser reaches the public API. gRPC-Web (binary and base64 text) over HTTP/1.1 on the REST
/// port, under the same size limit, rate limit, authentication and internal-API isolation as gRPC; CORS for the
/// configured origins, with a preflight answered without a token.
/// </summary>
public sealed class BrowserAccessTests(BrowserAccessTests.WithConsole system) : IClassFixture<BrowserAccessTests.WithConsole>
{
    private const string Console = "http://console.test:5173";
    private const int Limit = 128 * 1024;
    private const string ListLocations = "/directconnect.v1.LocationService/ListLocations";
    private const string CreateLocation = "/directconnect.v1.LocationService/CreateLocation";

    /// <summary>The embedded system allowing one console origin, with a 128 KiB request limit and a burst of 20 calls per account.</summary>
    public sealed class WithConsole : EmbeddedSystem
    {
        protected override IEnumerable<string> ExtraArguments =>
        [
            $"--DirectConnect:Cors:AllowedOrigins:0={Console}",
            $"--DirectConnect:MaxRequestBytes={Limit}",
            "--DirectConnect:RateLimits:TokenLimit=20",
            "--DirectConnect:RateLimits:TokensPerPeriod=1",
            "--DirectConnect:RateLimits:ReplenishmentPeriod=01:00:00",
        ];
    }

    private string Operator() => system.Token("ops-" + Guid.NewGuid().ToString("N")[..8], "operator");

    private static async Task<HttpResponseMessage> PreflightAsync(Uri address, string path, string method, string origin)
    {
        using var http = new HttpClient { BaseAddress = address };
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.TryAddWithoutValidation("Origin", origin);
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Method", method);
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Headers", "authorization,content-type,x-grpc-web,x-user-agent,grpc-timeout");
        return await http.SendAsync(request);
    }

    private static string[] CorsHeaders(HttpResponseMessage response) =>
        [.. response.Headers.Concat(response.Content.Headers)
            .Where(h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase) || h.Key.Equals("Vary", StringComparison.OrdinalIgnoreCase))
            .Select(h => h.Key)];

    [Theory]
    [InlineData(ListLocations, "POST")]
    [InlineData("/v1/regions/cn-north-1/physicalConnections", "GET")]
    public async Task APreflightFromTheAllowedOriginIsAnsweredWithoutATokenAndAllowsWhatABrowserSends(string path, string method)
    {
        using var response = await PreflightAsync(system.RestAddress, path, method, Console);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal(Console, response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains(method, response.Headers.GetValues("Access-Control-Allow-Methods").Single().Split(','));
        var allowed = response.Headers.GetValues("Access-Control-Allow-Headers").Single().Split(',');
        foreach (var header in new[] { "authorization", "content-type", "x-grpc-web", "x-user-agent", "connect-protocol-version", "grpc-timeout" })
        {
            Assert.Contains(header, allowed);
        }
    }

    [Theory]
    [InlineData(ListLocations, "POST")]
    [InlineData("/v1/regions/cn-north-1/physicalConnections", "GET")]
    public async Task APreflightFromAnotherOriginGetsNoCorsHeaderAndNo401(string path, string method)
    {
        using var response = await PreflightAsync(system.RestAddress, path, method, "http://elsewhere.test");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(CorsHeaders(response));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AGrpcWebCallOverHttp11IsServedAndItsStatusIsReadableByTheAllowedOrigin(bool text)
    {
        var answer = await GrpcWebClient.CallAsync(system.RestAddress, ListLocations, new ListLocationsRequest { Region = "cn-north-1" }, Operator(), text, Console);

        Assert.Equal(HttpStatusCode.OK, answer.Response.StatusCode);
        Assert.Equal(text ? "application/grpc-web-text" : "application/grpc-web", answer.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(0, answer.Code);
        var listed = ListLocationsResponse.Parser.ParseFrom(Assert.Single(answer.Messages));
        Assert.Contains(listed.Locations, l => l.Id == system.DefaultLocationId);
        Assert.Equal(Console, answer.Header("Access-Control-Allow-Origin"));
        var exposed = answer.Header("Access-Control-Expose-Headers")!.Split(',');
        Assert.Contains("grpc-status", exposed);
        Assert.Contains("grpc-message", exposed);
        Assert.Contains("grpc-status-details-bin", exposed);
    }

    [Fact]
    public async Task AGrpcWebErrorCarriesItsErrorInfoInTrailersOrInHeadersWhenRefusedBeforeTheMethod()
    {
        // A method's own error: the status is in the trailer frame at the end of the body.
        var missing = await GrpcWebClient.CallAsync(system.RestAddress, "/directconnect.v1.PhysicalConnectionService/GetPhysicalConnection",
            new GetPhysicalConnectionRequest { Region = "cn-north-1", Id = "dxpc-000000000000" }, system.Token("web-errors", "customer"), origin: Console);
        Assert.Equal((int)Grpc.Core.StatusCode.NotFound, missing.Code);
        Assert.Equal("RESOURCE_NOT_FOUND", missing.Reason);

        // Refused before any method ran (no token): a trailers-only answer, in gRPC-Web's content type, readable cross-origin.
        var anonymous = await GrpcWebClient.CallAsync(system.RestAddress, ListLocations, new ListLocationsRequest { Region = "cn-north-1" }, origin: Console);
        Assert.Equal("application/grpc-web", anonymous.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)Grpc.Core.StatusCode.Unauthenticated, anonymous.Code);
        Assert.Equal("UNAUTHENTICATED", anonymous.Reason);
        Assert.Equal(Console, anonymous.Header("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheInternalApiOverGrpcWebIsAMethodThatDoesNotExistBeforeAnyToken(bool text)
    {
        var method = InternalV1.DataPlaneService.Descriptor.FindMethodByName("GetVirtualInterfaceAuthKey");
        foreach (var token in new[] { null, Operator() })
        {
            var answer = await GrpcWebClient.CallAsync(system.RestAddress, $"/{method.Service.FullName}/{method.Name}",
                new InternalV1.GetVirtualInterfaceAuthKeyRequest(), token, text);
            Assert.Equal(text ? "application/grpc-web-text" : "application/grpc-web", answer.Response.Content.Headers.ContentType?.MediaType);
            Assert.Equal((int)Grpc.Core.StatusCode.Unimplemented, answer.Code);
            Assert.Empty(answer.Messages);
        }
    }

    private static CreateLocationRequest LocationNamed(int nameLength) => new()
    {
        Region = "cn-north-1",
        Location = new Location { Code = "WEB-BIG", Name = new string('n', nameLength) },
    };

    [Theory]
    [InlineData(false, false)]
    [InlineData(false, true)]
    [InlineData(true, false)]
    [InlineData(true, true)]
    public async Task AGrpcWebMessageUnderTheLimitIsReadAndOneOverItIsRefusedBeforeParsing(bool text, bool chunked)
    {
        // Under the limit, though in base64 the body is a third longer than the limit: read, and validated as usual.
        var under = LocationNamed(Limit - 100);
        Assert.True(under.CalculateSize() <= Limit && (under.CalculateSize() + 5) * 4 / 3 > Limit);
        var read = await GrpcWebClient.CallAsync(system.RestAddress, CreateLocation, under, Operator(), text, chunked: chunked);
        Assert.Equal((int)Grpc.Core.StatusCode.InvalidArgument, read.Code);
        Assert.Equal("location.name", read.Details!.Detail<BadRequest>().FieldViolations.Single().Field);

        // Over it: the size limit's own status, from the declared length or the frame's header, before any parse.
        var over = await GrpcWebClient.CallAsync(system.RestAddress, CreateLocation, LocationNamed(Limit), Operator(), text, chunked: chunked);
        Assert.Equal((int)Grpc.Core.StatusCode.ResourceExhausted, over.Code);
        Assert.Equal("REQUEST_TOO_LARGE", over.Reason);
        Assert.Equal(Limit.ToString(System.Globalization.CultureInfo.InvariantCulture), over.Details!.Detail<ErrorInfo>().Metadata["maxBytes"]);
    }

    [Fact]
    public async Task GrpcWebCallsAreChargedToTheAccountsRateLimitLikeGrpcCalls()
    {
        var token = system.Token("web-busy", "customer");
        var request = new ListPhysicalConnectionsRequest { Region = "cn-north-1" };
        const string list = "/directconnect.v1.PhysicalConnectionService/ListPhysicalConnections";
        GrpcWebAnswer answer;
        var calls = 0;
        do
        {
            answer = await GrpcWebClient.CallAsync(system.RestAddress, list, request, token, text: calls % 2 == 1);
            calls++;
        }
        while (answer.Code == 0 && calls <= 21);

        Assert.Equal(21, calls); // a burst of 20, then refused
        Assert.Equal((int)Grpc.Core.StatusCode.ResourceExhausted, answer.Code);
        Assert.Equal("RATE_LIMITED", answer.Reason);
    }
}

/// <summary>With <c>DirectConnect:Cors:AllowedOrigins</c> empty (the default), nothing CORS is ever sent, and a preflight still needs no token.</summary>
public sealed class BrowserAccessWithoutCorsTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    [Theory]
    [InlineData("/directconnect.v1.LocationService/ListLocations", "POST")]
    [InlineData("/v1/regions/cn-north-1/physicalConnections", "GET")]
    public async Task APreflightGetsNoCorsHeaderAndNo401(string path, string method)
    {
        using var http = new HttpClient { BaseAddress = system.RestAddress };
        using var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.TryAddWithoutValidation("Origin", "http://127.0.0.1:5173");
        request.Headers.TryAddWithoutValidation("Access-Control-Request-Method", method);
        using var response = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.DoesNotContain(response.Headers.Concat(response.Content.Headers), h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase) || h.Key == "Vary");
    }

    [Fact]
    public async Task AGrpcWebCallFromAnOriginIsServedWithoutCorsHeaders()
    {
        var answer = await GrpcWebClient.CallAsync(system.RestAddress, "/directconnect.v1.LocationService/ListLocations",
            new ListLocationsRequest { Region = "cn-north-1" }, system.Token("ops", "operator"), origin: "http://127.0.0.1:5173");

        Assert.Equal(0, answer.Code);
        Assert.DoesNotContain(answer.Response.Headers, h => h.Key.StartsWith("Access-Control-", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("*")]
    [InlineData("https://console.example.com/app")]
    [InlineData("console.example.com")]
    public void AnAllowedOriginThatIsNotAnOriginStopsTheStart(string origin)
    {
        var data = Path.Combine(Path.GetTempPath(), "dc-cors-" + Guid.NewGuid().ToString("N"));
        try
        {
            var refused = Assert.Throws<InvalidOperationException>(() => GatewayApp.Build([$"--data-dir={data}", $"--DirectConnect:Cors:AllowedOrigins:0={origin}"]));
            Assert.Contains("DirectConnect:Cors:AllowedOrigins", refused.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }
        }
    }
}
