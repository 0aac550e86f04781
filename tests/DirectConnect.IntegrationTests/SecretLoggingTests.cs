using DirectConnect.Contracts.V1;

namespace DirectConnect.IntegrationTests;

/// <summary>The BGP MD5 key never reaches a log line, even with every category at Trace.</summary>
public sealed class SecretLoggingTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dc-log-" + Guid.NewGuid().ToString("N"));
    private GatewayProcess _process = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDirectory);
        _process = await GatewayProcess.StartAsync(_dataDirectory, "--Logging:LogLevel:Default=Trace", "--Logging:LogLevel:Microsoft=Trace");
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
}
