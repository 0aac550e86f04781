using DirectConnect.Contracts.V1;

namespace DirectConnect.IntegrationTests;

/// <summary>The BGP MD5 key and bearer tokens never reach a log line, even with every category at Trace.</summary>
public sealed class SecretLoggingTests : IAsyncLifetime
{
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

    private sealed class PastClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddHours(-3);
    }
}
