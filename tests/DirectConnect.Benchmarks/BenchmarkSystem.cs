using DirectConnect.Contracts.V1;
using DirectConnect.Gateway.Hosting;
using DirectConnect.Gateway.Security;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.Benchmarks;

/// <summary>A fresh embedded system (own data directory, loopback ports) driven through real gRPC, as users drive it.</summary>
internal sealed class BenchmarkSystem : IAsyncDisposable
{
    public const string Region = "cn-north-1";

    /// <summary>Regions served besides the default ones, for benchmarks that need regions of different sizes.</summary>
    public static readonly IReadOnlyList<string> ScaleRegions = [.. Enumerable.Range(1, 12).Select(i => $"cn-bench-{i}")];
    private readonly WebApplication _app;
    private readonly string _dataDirectory;
    private readonly bool _keepDataDirectory;

    private BenchmarkSystem(WebApplication app, string dataDirectory, bool keepDataDirectory, GrpcChannel channel)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        _keepDataDirectory = keepDataDirectory;
        Channel = channel;
        Connections = new PhysicalConnectionService.PhysicalConnectionServiceClient(channel);
        Operator = Call("ops", "operator");
    }

    public GrpcChannel Channel { get; }

    public PhysicalConnectionService.PhysicalConnectionServiceClient Connections { get; }

    public CallOptions Operator { get; }

    /// <summary>The gRPC (h2c) base address.</summary>
    public Uri GrpcAddress => _app.Services.GetRequiredService<GatewayEndpoints>().GrpcAddress;

    /// <summary>The REST (HTTP/1.1) base address.</summary>
    public Uri RestAddress => _app.Services.GetRequiredService<GatewayEndpoints>().RestAddress;

    /// <summary>The regions the benchmark's gateways serve: the defaults and <see cref="ScaleRegions"/>.</summary>
    public static IEnumerable<string> RegionArguments =>
        new[] { Region, "cn-east-2", "cn-south-1" }.Concat(ScaleRegions).Select((region, i) => $"--DirectConnect:Regions:{i}={region}");

    /// <summary>
    /// Starts the gateway with the benchmark's settings plus <paramref name="extraArguments"/>;
    /// <paramref name="configure"/> runs before the application is built, <paramref name="map"/> after (extra endpoints).
    /// The data directory is a new one, or <paramref name="dataDirectory"/>, and is deleted on dispose unless <paramref name="keepDataDirectory"/>.
    /// </summary>
    public static async Task<BenchmarkSystem> StartAsync(IEnumerable<string>? extraArguments = null,
        Action<WebApplicationBuilder>? configure = null, Action<WebApplication>? map = null, string? dataDirectory = null, bool keepDataDirectory = false)
    {
        dataDirectory ??= Path.Combine(Path.GetTempPath(), "dc-bench-" + Guid.NewGuid().ToString("N"));
        var app = GatewayApp.Build(
        [
            $"--data-dir={dataDirectory}", "--grpc-port=0", "--rest-port=0", "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
            "--DirectConnect:PhysicalConnections:QuotaPerAccountPerRegion=1000000",
            // The allocation benchmark puts 1,000 devices at one location (the default quota is 100).
            "--DirectConnect:PhysicalConnections:AccessDeviceQuotaPerLocation=10000",
            .. RegionArguments,
            .. extraArguments ?? [],
        ], configure);
        map?.Invoke(app);
        await app.StartAsync();
        var channel = GrpcChannel.ForAddress(app.Services.GetRequiredService<GatewayEndpoints>().GrpcAddress);
        return new BenchmarkSystem(app, dataDirectory, keepDataDirectory, channel);
    }

    /// <summary>A bearer token for <paramref name="account"/> in <paramref name="role"/>, as the README's token command prints it.</summary>
    public string Token(string account, string role)
    {
        using var output = new StringWriter();
        TokenCommand.Run(["--account", account, "--role", role, $"--data-dir={_dataDirectory}"], output, TextWriter.Null);
        return output.ToString().Trim();
    }

    public CallOptions Call(string account, string role) =>
        new(new Metadata { { "authorization", $"Bearer {Token(account, role)}" } });

    /// <summary>A location in <paramref name="region"/> with <paramref name="devices"/> devices of <paramref name="portsPerDevice"/> 10G ports.</summary>
    public async Task<string> InventoryAsync(int devices, int portsPerDevice, string region = Region)
    {
        var location = (await new LocationService.LocationServiceClient(Channel).CreateLocationAsync(new CreateLocationRequest
        {
            Region = region,
            Location = new Location { Code = "BENCH-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant(), Name = "bench" },
        }, Operator)).Id;
        var client = new AccessDeviceService.AccessDeviceServiceClient(Channel);
        for (var d = 0; d < devices; d++)
        {
            var device = new AccessDevice { LocationId = location, Name = $"asw-{d}" };
            device.Ports.AddRange(Enumerable.Range(0, portsPerDevice).Select(p => new AccessDevice.Types.Port { Name = $"xe-0/0/{p}", Speed = PortSpeed._10G }));
            await client.CreateAccessDeviceAsync(new CreateAccessDeviceRequest { Region = region, AccessDevice = device }, Operator);
        }

        return location;
    }

    /// <summary><paramref name="count"/> approved connections at <paramref name="location"/>, ready for payment.</summary>
    public async Task<IReadOnlyList<string>> ApprovedAsync(string location, int count)
    {
        var customer = Call("bench", "customer");
        var ids = new List<string>(count);
        for (var i = 0; i < count; i++)
        {
            var created = await Connections.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest
            {
                Region = Region,
                PhysicalConnection = new PhysicalConnection { Name = $"c{i}", LocationId = location, PortSpeed = PortSpeed._10G, BandwidthMbps = 1000, Provider = "bench" },
            }, customer);
            await Connections.ApprovePhysicalConnectionAsync(new ApprovePhysicalConnectionRequest { Region = Region, Id = created.Id }, Operator);
            ids.Add(created.Id);
        }

        return ids;
    }

    public async Task PayAsync(string id)
    {
        var paid = await Connections.RecordPhysicalConnectionPaymentAsync(new RecordPhysicalConnectionPaymentRequest { Region = Region, Id = id }, Operator);
        if (paid.Port is null)
        {
            throw new InvalidOperationException($"{id} did not get a port; the benchmark sizes the inventory so that every payer does.");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_keepDataDirectory)
        {
            return;
        }

        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
