using System.Net;
using System.Net.Http.Headers;
using DirectConnect.Contracts.V1;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// What the console log of a real process shows with every category at Trace: never the BGP MD5 key
/// or a bearer token, and request text echoed into it — by our error statuses and by the framework's
/// own lines (request paths, route matching, an unknown gRPC service) — escaped, with no raw ESC or CR.
/// </summary>
public sealed class SecretLoggingTests : IAsyncLifetime
{
    private static readonly string[] Markers = ["grpc-field", "rest-field", "unknown-route", "unknown.Service"];

    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dc-log-" + Guid.NewGuid().ToString("N"));
    private GatewayProcess _process = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDirectory);
        _process = await GatewayProcess.StartAsync(_dataDirectory, "--Logging:LogLevel:Default=Trace", "--Logging:LogLevel:Microsoft=Trace", "--Logging:LogLevel:Microsoft.AspNetCore=Trace", "--Logging:LogLevel:Grpc.AspNetCore.Grpc.JsonTranscoding=Trace");
    }

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
    public async Task TheMd5KeyIsNotLoggedWhenAnInterfaceIsCreatedReadRefusedOrRendered()
    {
        const string key = "Md5-Key-That-Must-Not-Leak";
        var seed = new Seed(_process.Channel, (a, r) => Tokens.CallAs(_dataDirectory, a, r));
        var location = (await new LocationService.LocationServiceClient(_process.Channel).CreateLocationAsync(
            new CreateLocationRequest { Region = Seed.Region, Location = new Location { Code = "LOG-1", Name = "log" } }, seed.Operator)).Id;
        var device = new AccessDevice { LocationId = location, Name = "asw", Ports = { new AccessDevice.Types.Port { Name = "xe-0/0/0", Speed = PortSpeed._10G } } };
        await new AccessDeviceService.AccessDeviceServiceClient(_process.Channel).CreateAccessDeviceAsync(
            new CreateAccessDeviceRequest { Region = Seed.Region, AccessDevice = device }, seed.Operator);
        var line = await seed.Lines.AvailableAsync("logs", location);
        var gateway = await seed.AvailableGatewayAsync("logs");

        var vif = Seed.Interface(line, gateway, vlan: 100);
        vif.Bgp.AuthKey = key;
        var created = await seed.CreateInterfaceAsync("logs", vif);
        await seed.GetInterfaceAsync("logs", created.Id);
        await seed.Interfaces.GetRouterConfigurationAsync(new GetRouterConfigurationRequest { Region = Seed.Region, Id = created.Id, Vendor = RouterVendor.CiscoIosXe }, seed.Customer("logs"));
        vif.Vlan = 100; // refused (VLAN in use): the error path must not log the key either
        await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await seed.CreateInterfaceAsync("logs", vif));
        vif.Bgp.AuthKey = key + " with space"; // refused by validation
        await Assert.ThrowsAsync<Grpc.Core.RpcException>(async () => await seed.CreateInterfaceAsync("logs", vif));

        await Task.Delay(500); // let the process flush its console
        var output = _process.Output;
        Assert.Contains("trce:", output, StringComparison.Ordinal); // Trace logging really was on
        Assert.DoesNotContain(key, output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BearerTokensAreNotLoggedWhetherAcceptedOrRefused()
    {
        var valid = Tokens.Issue(_dataDirectory, "token-logs", "operator");
        var parts = valid.Split('.');
        var forged = $"{parts[0]}.{parts[1]}.{Convert.ToBase64String(new byte[32]).TrimEnd('=').Replace('+', '-').Replace('/', '_')}";
        var key = Gateway.Security.SigningKeyStore.LoadOrCreate(_dataDirectory);
        var expired = new Gateway.Security.TokenIssuer(key, Gateway.Security.AuthOptions.EmbeddedIssuer, "directconnect", new PastClock())
            .Issue("token-logs", ["operator"], TimeSpan.FromHours(1));
        var locations = new LocationService.LocationServiceClient(_process.Channel);
        using var http = new HttpClient { BaseAddress = _process.RestAddress };
        foreach (var token in new[] { valid, forged, expired })
        {
            var headers = new Grpc.Core.Metadata { { "authorization", $"Bearer {token}" } };
            try
            {
                await locations.ListLocationsAsync(new ListLocationsRequest { Region = Seed.Region }, headers);
            }
            catch (Grpc.Core.RpcException exception) when (exception.StatusCode == Grpc.Core.StatusCode.Unauthenticated && token != valid)
            {
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1/regions/{Seed.Region}/locations");
            request.Headers.Authorization = new("Bearer", token);
            var response = await http.SendAsync(request);
            Assert.Equal(token == valid ? System.Net.HttpStatusCode.OK : System.Net.HttpStatusCode.Unauthorized, response.StatusCode);
        }

        // The refusals are logged (at Information and Debug); wait until the console shows them.
        var output = await Seed.EventuallyAsync(() => Task.FromResult(_process.Output),
            o => o.Contains("was not authenticated", StringComparison.Ordinal) && o.Contains("was challenged", StringComparison.Ordinal), "logged the refusals");
        foreach (var token in new[] { valid, forged, expired })
        {
            // ...but no token, nor its signature on its own.
            Assert.DoesNotContain(token, output, StringComparison.Ordinal);
            Assert.DoesNotContain(token.Split('.')[2], output, StringComparison.Ordinal);
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

    private sealed class PastClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddHours(-3);
    }
}
