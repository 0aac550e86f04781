using System.Net;
using System.Net.Http.Headers;
using DirectConnect.Contracts.V1;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Request text echoed into the console log — by our error statuses and by the framework's own lines
/// (request paths, route matching, an unknown gRPC service) — arrives escaped: no raw ESC or CR, even
/// with every category at Trace.
/// </summary>
public sealed class ConsoleLogEscapingTests : IAsyncLifetime
{
    private static readonly string[] Markers = ["grpc-field", "rest-field", "unknown-route", "unknown.Service"];
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dc-esc-" + Guid.NewGuid().ToString("N"));
    private GatewayProcess _process = null!;

    public async Task InitializeAsync() =>
        _process = await GatewayProcess.StartAsync(_dataDirectory, "--Logging:LogLevel:Default=Trace", "--Logging:LogLevel:Microsoft=Trace",
            "--Logging:LogLevel:Microsoft.AspNetCore=Trace", "--Logging:LogLevel:Grpc.AspNetCore.Grpc.JsonTranscoding=Trace");

    public async Task DisposeAsync()
    {
        await _process.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task EscAndCrInRequestsReachTheConsoleEscaped()
    {
        var token = Tokens.Issue(_dataDirectory, "forger", "customer");
        await Assert.ThrowsAsync<RpcException>(async () => await new LocationService.LocationServiceClient(_process.Channel).ListLocationsAsync(
            new ListLocationsRequest { Region = "\u001B[2J\rgrpc-field" }, new Metadata { { "authorization", $"Bearer {token}" } }));

        using var rest = new HttpClient { BaseAddress = _process.RestAddress };
        rest.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        Assert.Equal(HttpStatusCode.BadRequest, (await rest.GetAsync("/v1/regions/%1B%5B2J%0Drest-field/locations")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await rest.GetAsync("/v1/%1B%5B2J%0Dunknown-route")).StatusCode);

        // An unknown gRPC service: the path is logged as the service's name.
        using var h2c = new HttpClient();
        using var call = new HttpRequestMessage(HttpMethod.Post, new Uri(_process.GrpcAddress, "/%1B%5B2J%0Dunknown.Service/Method"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(new byte[5]) { Headers = { ContentType = new MediaTypeHeaderValue("application/grpc") } },
        };
        call.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        (await h2c.SendAsync(call)).Dispose();

        var output = await Seed.EventuallyAsync(() => Task.FromResult(_process.Output),
            o => Markers.All(marker => o.Contains(marker, StringComparison.Ordinal)), "logged every request");
        Assert.Contains("trce:", output, StringComparison.Ordinal); // Trace logging really was on
        Assert.DoesNotContain('\u001B', output);
        Assert.DoesNotContain('\r', output);
        Assert.All(Markers, marker => Assert.Contains(@"\u001B[2J\u000D" + marker, output, StringComparison.Ordinal));
    }
}
