using System.Net;
using System.Text;
using System.Text.Json;
using DirectConnect.Contracts.V1;
using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// One request size limit for both transports (<c>DirectConnect:MaxRequestBytes</c>, 1 MiB by default), enforced
/// before the body is parsed: RESOURCE_EXHAUSTED with reason REQUEST_TOO_LARGE, over REST as HTTP 413.
/// </summary>
public sealed class RequestSizeLimitTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private const string Locations = "/v1/regions/cn-north-1/locations";
    private const int DefaultLimit = 1024 * 1024;

    /// <summary>
    /// A JSON body of <paramref name="bytes"/> that a parser would refuse only at its very end: whoever answers
    /// REQUEST_TOO_LARGE for it did not parse it (a parser would have said the JSON is malformed).
    /// </summary>
    internal static byte[] MalformedJsonOf(int bytes)
    {
        var head = "{\"location\": {\"code\": \"BIG-1\", \"name\": \"";
        const string tail = "\"}, ]]]";
        return Encoding.UTF8.GetBytes(head + new string('n', bytes - head.Length - tail.Length) + tail);
    }

    internal static async Task AssertTooLargeAsync(HttpResponseMessage response, int limit)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"HTTP {(int)response.StatusCode}: {body[..Math.Min(body.Length, 500)]}");
        using var status = JsonDocument.Parse(body);
        Assert.Equal((int)StatusCode.ResourceExhausted, status.RootElement.GetProperty("code").GetInt32());
        var info = status.RootElement.GetProperty("details").EnumerateArray()
            .Single(d => d.GetProperty("@type").GetString() == "type.googleapis.com/google.rpc.ErrorInfo");
        Assert.Equal("REQUEST_TOO_LARGE", info.GetProperty("reason").GetString());
        Assert.Equal(limit.ToString(System.Globalization.CultureInfo.InvariantCulture), info.GetProperty("metadata").GetProperty("maxBytes").GetString());
    }

    internal static async Task AssertTooLargeAsync(Func<Task> call, int limit)
    {
        var status = await RpcAssert.FailsWith(StatusCode.ResourceExhausted, call);
        var info = status.Detail<ErrorInfo>();
        Assert.Equal("REQUEST_TOO_LARGE", info.Reason);
        Assert.Equal(limit.ToString(System.Globalization.CultureInfo.InvariantCulture), info.Metadata["maxBytes"]);
        Assert.NotEmpty(status.Detail<QuotaFailure>().Violations);
    }

    internal static ByteArrayContent Json(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        return content;
    }

    /// <summary>
    /// A POST of <paramref name="body"/> as curl sends a large body: with <c>Expect: 100-continue</c>, so that a
    /// refusal from the headers alone reaches the client before it sends the body at all.
    /// </summary>
    internal static HttpRequestMessage Post(string path, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = Json(body) };
        request.Headers.ExpectContinue = true;
        return request;
    }

    [Fact]
    public async Task AFiveMegabyteRestBodyIsRefusedWith413BeforeItIsParsed()
    {
        // Found by the security review: REST accepted Kestrel's 30 MB bodies (and parsed them) while gRPC capped at 4 MiB.
        // Sent whole, without Expect: 100-continue: the answer still arrives (the server drops what it does not read).
        using var http = system.Rest("ops", "operator");
        using var response = await http.PostAsync(Locations, Json(MalformedJsonOf(5 * 1024 * 1024)));
        await AssertTooLargeAsync(response, DefaultLimit);
    }

    [Fact]
    public async Task AChunkedRestBodyWithoutALengthIsRefusedAtTheLimitToo()
    {
        using var http = system.Rest("ops", "operator");
        using var content = new StreamContent(new MemoryStream(MalformedJsonOf(2 * 1024 * 1024)));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, Locations) { Content = content };
        request.Headers.TransferEncodingChunked = true;
        using var response = await http.SendAsync(request);
        await AssertTooLargeAsync(response, DefaultLimit);
    }

    [Fact]
    public async Task AGrpcMessageOverTheLimitIsRefusedWithTheRichStatusBeforeItIsParsed()
    {
        // 2 MiB: under gRPC's former 4 MiB, so before the limit it was parsed and refused as a too long name.
        var client = new LocationService.LocationServiceClient(system.Channel);
        await AssertTooLargeAsync(() => client.CreateLocationAsync(new CreateLocationRequest
        {
            Region = "cn-north-1",
            Location = new Location { Code = "BIG-2", Name = new string('n', 2 * 1024 * 1024) },
        }, system.As("ops", "operator")).ResponseAsync, DefaultLimit);

        // Over gRPC's own former limit the client saw a bare RESOURCE_EXHAUSTED without details; now the same status.
        await AssertTooLargeAsync(() => client.CreateLocationAsync(new CreateLocationRequest
        {
            Region = "cn-north-1",
            Location = new Location { Code = "BIG-3", Name = new string('n', 5 * 1024 * 1024) },
        }, system.As("ops", "operator")).ResponseAsync, DefaultLimit);
    }

    [Fact]
    public async Task ARequestUnderTheLimitIsServedAsBefore()
    {
        var client = new LocationService.LocationServiceClient(system.Channel);
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => client.CreateLocationAsync(new CreateLocationRequest
        {
            Region = "cn-north-1",
            Location = new Location { Code = "BIG-4", Name = new string('n', 900 * 1024) },
        }, system.As("ops", "operator")).ResponseAsync);
        Assert.Equal("location.name", status.Detail<BadRequest>().FieldViolations.Single().Field);

        using var http = system.Rest("ops", "operator");
        using var response = await http.PostAsync(Locations, Json(MalformedJsonOf(900 * 1024)));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode); // parsed, and refused as the malformed JSON it is
    }

    [Fact]
    public async Task AGrpcMessageOfExactlyTheLimitIsServedThoughItsFrameIsFiveBytesMore()
    {
        var request = new CreateLocationRequest { Region = "cn-north-1", Location = new Location { Code = "BIG-5", Name = "" } };
        request.Location.Name = new string('n', DefaultLimit - request.CalculateSize());
        request.Location.Name = new string('n', request.Location.Name.Length - (request.CalculateSize() - DefaultLimit)); // the length prefixes grew
        Assert.Equal(DefaultLimit, request.CalculateSize());

        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => new LocationService.LocationServiceClient(system.Channel)
            .CreateLocationAsync(request, system.As("ops", "operator")).ResponseAsync);
        Assert.Equal("location.name", status.Detail<BadRequest>().FieldViolations.Single().Field); // the method's own answer, not the transport's
    }
}

/// <summary>
/// Issue 14: a gRPC message over the limit that admission cannot measure from its frame header — compressed, on a
/// method outside the public API, or a later message of a streaming request — gets the same rich status, not gRPC's
/// own RESOURCE_EXHAUSTED "Received message exceeds the maximum configured message size." without details.
/// </summary>
public sealed class GrpcMessageSizeLimitTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private const int DefaultLimit = 1024 * 1024;

    [Fact]
    public async Task ACompressedMessageThatInflatesPastTheLimitGetsTheRichStatus()
    {
        // 2 MiB of one letter is a few KiB compressed: its frame fits, its content does not.
        var client = new LocationService.LocationServiceClient(system.Channel);
        var headers = new Metadata { { "grpc-internal-encoding-request", "gzip" } }; // Grpc.Net.Client compresses the request with gzip
        var options = system.As("ops", "operator");
        foreach (var header in options.Headers!)
        {
            headers.Add(header);
        }

        await RequestSizeLimitTests.AssertTooLargeAsync(() => client.CreateLocationAsync(new CreateLocationRequest
        {
            Region = "cn-north-1",
            Location = new Location { Code = "ZIP-1", Name = new string('n', 2 * 1024 * 1024) },
        }, headers).ResponseAsync, DefaultLimit);

        // Compressed and within the limit, it is read as usual: the method's own answer.
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => client.CreateLocationAsync(new CreateLocationRequest
        {
            Region = "cn-north-1",
            Location = new Location { Code = "ZIP-2", Name = new string('n', 900 * 1024) },
        }, headers).ResponseAsync);
        Assert.Equal("location.name", status.Detail<BadRequest>().FieldViolations.Single().Field);
    }

    [Fact]
    public async Task AMessageOverTheLimitOnAMethodOutsideThePublicApiGetsTheRichStatus()
    {
        // Health is open to probes and not a public method: admission measured only public methods' messages.
        var health = new Grpc.Health.V1.Health.HealthClient(system.Channel);
        await RequestSizeLimitTests.AssertTooLargeAsync(
            () => health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest { Service = new string('s', 2 * 1024 * 1024) }).ResponseAsync, DefaultLimit);
    }

    [Fact]
    public async Task AStreamingRequestsMessageOverTheLimitGetsTheRichStatus()
    {
        // Reflection's requests are a stream, read while the method runs: the limit applies to each message.
        var reflection = new Grpc.Reflection.V1Alpha.ServerReflection.ServerReflectionClient(system.Channel);
        await RequestSizeLimitTests.AssertTooLargeAsync(async () =>
        {
            using var call = reflection.ServerReflectionInfo();
            await call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { ListServices = "" });
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None)); // the first, small message is answered
            // The server answers before the client has sent it all: the status is in the response stream, the write just stops.
            var write = call.RequestStream.WriteAsync(new Grpc.Reflection.V1Alpha.ServerReflectionRequest { FileByFilename = new string('f', 2 * 1024 * 1024) });
            try
            {
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                }
            }
            finally
            {
                await write.ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }, DefaultLimit);
    }
}

/// <summary>The limit is one setting: configured lower, both transports refuse at the new value.</summary>
public sealed class ConfiguredRequestSizeLimitTests(ConfiguredRequestSizeLimitTests.Small system) : IClassFixture<ConfiguredRequestSizeLimitTests.Small>
{
    private const int Limit = 128 * 1024;

    /// <summary>The embedded system with a 128 KiB request limit.</summary>
    public sealed class Small : EmbeddedSystem
    {
        protected override IEnumerable<string> ExtraArguments => [$"--DirectConnect:MaxRequestBytes={Limit}"];
    }

    [Fact]
    public async Task OneSettingLimitsRestBodiesAndGrpcMessagesAlike()
    {
        using var http = system.Rest("ops", "operator");
        using var request = RequestSizeLimitTests.Post("/v1/regions/cn-north-1/locations", RequestSizeLimitTests.MalformedJsonOf(Limit + 1));
        using var over = await http.SendAsync(request);
        await RequestSizeLimitTests.AssertTooLargeAsync(over, Limit);

        var client = new LocationService.LocationServiceClient(system.Channel);
        await RequestSizeLimitTests.AssertTooLargeAsync(() => client.CreateLocationAsync(new CreateLocationRequest
        {
            Region = "cn-north-1",
            Location = new Location { Code = "BIG-5", Name = new string('n', Limit) },
        }, system.As("ops", "operator")).ResponseAsync, Limit);

        // Under it, both are parsed and validated as usual.
        using var under = await http.PostAsync("/v1/regions/cn-north-1/locations", RequestSizeLimitTests.Json(RequestSizeLimitTests.MalformedJsonOf(Limit - 100)));
        Assert.Equal(HttpStatusCode.BadRequest, under.StatusCode);
        await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => client.CreateLocationAsync(new CreateLocationRequest
        {
            Region = "cn-north-1",
            Location = new Location { Code = "BIG-6", Name = new string('n', Limit - 100) },
        }, system.As("ops", "operator")).ResponseAsync);
    }
}
