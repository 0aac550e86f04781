using System.Net.Http.Headers;
using DirectConnect.Contracts.V1;
using DirectConnect.Gateway.Hosting;
using DirectConnect.Gateway.Security;
using DirectConnect.Platform.ServiceIdentity;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The embedded system as a user runs it — the real gateway application on real loopback Kestrel
/// listeners (free ports), with its own data directory and SQLite file — plus real clients:
/// a gRPC channel (h2c) and an HTTP/1.1 client for REST.
/// </summary>
public class EmbeddedSystem : IAsyncLifetime
{
    private WebApplication? _app;

    /// <summary>The data directory of this instance (deleted at the end).</summary>
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "dc-it-" + Guid.NewGuid().ToString("N"));

    /// <summary>Configuration a derived fixture adds (command-line form).</summary>
    protected virtual IEnumerable<string> ExtraArguments => [];

    /// <summary>Rate limits no test reaches unless it means to (later arguments override these).</summary>
    public static readonly string[] Unthrottled =
        ["--DirectConnect:RateLimits:TokenLimit=100000000", "--DirectConnect:RateLimits:TokensPerPeriod=100000000"];

    /// <summary>Changes a derived fixture makes to the application before it is built (e.g. an in-memory exporter).</summary>
    protected virtual void Configure(WebApplicationBuilder builder)
    {
    }

    /// <summary>The running application's services (for tests that reach below the API, e.g. to stage a crash).</summary>
    public IServiceProvider Services => _app!.Services;

    /// <summary>A gRPC channel to the gateway.</summary>
    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>The REST base address.</summary>
    public Uri RestAddress { get; private set; } = null!;

    /// <summary>The gRPC base address.</summary>
    public Uri GrpcAddress { get; private set; } = null!;

    /// <summary>A gRPC channel to the loopback listener where the modules serve their internal API to one another.</summary>
    public GrpcChannel InternalChannel { get; private set; } = null!;

    /// <summary>The address of the internal API (loopback), where router agents connect.</summary>
    public Uri InternalAddress { get; private set; } = null!;

    /// <inheritdoc />
    public virtual async Task InitializeAsync()
    {
        _app = GatewayApp.Build(
        [
            $"--data-dir={DataDirectory}",
            "--grpc-port=0",
            "--rest-port=0",
            "--Logging:LogLevel:Default=Warning",
            // Tests drive hundreds of calls per second from one account; RateLimitTests sets real limits.
            .. Unthrottled,
            .. ExtraArguments,
        ], Configure);
        await _app.StartAsync();
        var endpoints = _app.Services.GetRequiredService<GatewayEndpoints>();
        GrpcAddress = endpoints.GrpcAddress;
        RestAddress = endpoints.RestAddress;
        Channel = GrpcChannel.ForAddress(GrpcAddress);
        InternalAddress = endpoints.InternalGrpcAddress!;
        InternalChannel = GrpcChannel.ForAddress(InternalAddress);
        var locations = new LocationService.LocationServiceClient(Channel);
        DefaultLocationId = (await locations.CreateLocationAsync(new CreateLocationRequest
        {
            Region = "cn-north-1",
            Location = new Location { Code = "BJ-YZ-01", Name = "Beijing Yizhuang", Address = "1 Kechuang Street, Beijing" },
        }, As("ops", "operator"))).Id;
    }

    /// <summary>A location in cn-north-1 created at start, for tests that only need one.</summary>
    public string DefaultLocationId { get; private set; } = "";

    /// <summary>Adds a device at <paramref name="locationId"/> with <paramref name="ports"/> ports of <paramref name="speed"/>.</summary>
    public async Task<AccessDevice> AddDeviceAsync(string locationId, int ports, PortSpeed speed = PortSpeed._10G, string region = "cn-north-1")
    {
        var device = new AccessDevice { LocationId = locationId, Name = "dev-" + Guid.NewGuid().ToString("N")[..6], Vendor = "Huawei", Model = "NE40E" };
        device.Ports.AddRange(Enumerable.Range(0, ports).Select(i => new AccessDevice.Types.Port { Name = $"xe-0/0/{i}", Speed = speed }));
        return await new AccessDeviceService.AccessDeviceServiceClient(Channel)
            .CreateAccessDeviceAsync(new CreateAccessDeviceRequest { Region = region, AccessDevice = device }, As("ops", "operator"));
    }

    /// <summary>Creates a location with a fresh code in <paramref name="region"/>.</summary>
    public async Task<string> AddLocationAsync(string region = "cn-north-1") =>
        (await new LocationService.LocationServiceClient(Channel).CreateLocationAsync(new CreateLocationRequest
        {
            Region = region,
            Location = new Location { Code = "L-" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant(), Name = "test location" },
        }, As("ops", "operator"))).Id;

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        Channel?.Dispose();
        InternalChannel?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A token for <paramref name="account"/>, issued the way the README's token command does.</summary>
    public string Token(string account, params string[] roles) => Tokens.Issue(DataDirectory, account, roles);

    /// <summary>Call options carrying a bearer token for <paramref name="account"/>.</summary>
    public CallOptions As(string account, params string[] roles) => Tokens.CallAs(DataDirectory, account, roles);

    /// <summary>
    /// Call options proving the service identity <paramref name="appId"/> (a token from this process's
    /// own service credentials, as its modules send to one another): what only the services can do.
    /// </summary>
    public CallOptions AsService(string appId) =>
        new(new Metadata { { "authorization", "Bearer " + Services.GetRequiredService<ServiceCredentials>().TokenFor(appId) } });

    /// <summary>An HTTP client for REST, authenticated as <paramref name="account"/> (or anonymous when null).</summary>
    public HttpClient Rest(string? account, params string[] roles)
    {
        var client = new HttpClient { BaseAddress = RestAddress };
        if (account is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(account, roles));
        }

        return client;
    }
}
