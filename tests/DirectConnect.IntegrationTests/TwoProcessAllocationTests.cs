using DirectConnect.Contracts.V1;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Two gateway processes on one data directory (one SQLite file): payments recorded through
/// both at once still never give one port to two connections.
/// </summary>
public sealed class TwoProcessAllocationTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dc-2p-" + Guid.NewGuid().ToString("N"));
    private GatewayProcess _first = null!;
    private GatewayProcess _second = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dataDirectory);
        _first = await GatewayProcess.StartAsync(_dataDirectory);
        _second = await GatewayProcess.StartAsync(_dataDirectory);
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task PaymentsThroughTwoProcessesNeverShareAPort()
    {
        CallAs operatorCall = (account, roles) => Tokens.CallAs(_dataDirectory, account, roles);
        var viaFirst = new Lifecycle(_first.Channel, (a, r) => operatorCall(a, r));
        var viaSecond = new Lifecycle(_second.Channel, (a, r) => operatorCall(a, r));

        var location = (await new LocationService.LocationServiceClient(_first.Channel).CreateLocationAsync(new CreateLocationRequest
        {
            Region = Lifecycle.Region,
            Location = new Location { Code = "SH-JQ-02", Name = "Shanghai Jinqiao" },
        }, viaFirst.Operator)).Id;
        var devices = new AccessDeviceService.AccessDeviceServiceClient(_second.Channel);
        var deviceIds = new List<string>();
        // 32 devices of one port: more than one pool document holds, so both processes walk the pool's segments.
        for (var d = 0; d < 32; d++)
        {
            var device = new AccessDevice { LocationId = location, Name = $"asw-{d}" };
            device.Ports.AddRange(Enumerable.Range(0, 1).Select(i => new AccessDevice.Types.Port { Name = $"xe-0/0/{i}", Speed = PortSpeed._10G }));
            deviceIds.Add((await devices.CreateAccessDeviceAsync(new CreateAccessDeviceRequest { Region = Lifecycle.Region, AccessDevice = device }, viaSecond.Operator)).Id);
        }

        var approved = await viaFirst.ApprovedAsync(64, location);
        var paid = await Task.WhenAll(approved.Select((c, i) => (i % 2 == 0 ? viaFirst : viaSecond).PayAsync(c)));

        var holders = paid.Where(c => c.Port is not null).ToArray();
        Assert.Equal(32, holders.Length);
        Assert.Equal(32, paid.Count(c => c.WaitingForPort));
        Assert.Equal(32, holders.Select(c => (c.Port.AccessDeviceId, c.Port.PortName)).Distinct().Count());

        await viaSecond.AssertDevicesAgreeWithConnectionsAsync(deviceIds, holders);
    }

    private delegate Grpc.Core.CallOptions CallAs(string account, string[] roles);
}
