using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The distributed topology on one machine, as the README runs it: the edge (module Gateway) and
/// the four service modules as five real processes on loopback, each knowing where the others
/// are, sharing one data directory (the SQLite coordination file and the signing key).
/// </summary>
public class DistributedTopology : IAsyncLifetime
{
    /// <summary>The service modules, one process each.</summary>
    public static readonly string[] Services = ["PhysicalConnections", "BorderGateways", "Routing", "VirtualInterfaces"];

    private static readonly string[] FastRecovery =
    [
        "--DirectConnect:VirtualInterfaces:AbandonAfter=00:00:02",
        "--DirectConnect:VirtualInterfaces:ReconcileInterval=00:00:01",
        "--DirectConnect:Coordination:LeaseDuration=00:00:02",
    ];

    private readonly Dictionary<string, int> _ports = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GatewayProcess> _processes = new(StringComparer.Ordinal);

    // What the operator puts in a Secret: the key with which the module processes prove to one another that they are ours.
    private readonly Dictionary<string, string> _secrets = new(StringComparer.Ordinal)
    {
        ["DirectConnect__ServiceIdentity__Key"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        ["DirectConnect__ServiceIdentity__AgentRootKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        ["DirectConnect__VirtualInterfaces__AuthKeyEncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
    };

    /// <summary>The web origin every process is configured to allow (CORS).</summary>
    public const string ConsoleOrigin = "http://console.test:5173";

    /// <summary>The shared data directory (deleted at the end).</summary>
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "dc-dist-" + Guid.NewGuid().ToString("N"));

    /// <summary>A gRPC channel to the edge.</summary>
    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>The process hosting <paramref name="module"/> (or <c>Gateway</c>, the edge).</summary>
    public GatewayProcess this[string module] => _processes[module];

    /// <summary>The five processes: the service modules and the edge.</summary>
    public static IEnumerable<string> Processes => Services.Append("Gateway");

    /// <summary>Settings a derived topology adds to the command line of <paramref name="process"/> (a module, or Gateway).</summary>
    protected virtual IEnumerable<string> ArgumentsOf(string process) => [];

    /// <summary>The environment of <paramref name="process"/>: where its secrets go.</summary>
    protected virtual IReadOnlyDictionary<string, string> EnvironmentOf(string process) => _secrets;

    /// <summary>Runs once the process of <paramref name="name"/> listens (at every start).</summary>
    protected virtual Task StartedAsync(string name, GatewayProcess process) => Task.CompletedTask;

    /// <inheritdoc />
    public virtual async Task InitializeAsync()
    {
        Directory.CreateDirectory(DataDirectory);
        foreach (var name in Services.Append("Gateway"))
        {
            _ports[name] = FreePort();
        }

        // Services first (each knows where the others are), then the edge.
        foreach (var service in Services)
        {
            await StartAsync(service);
        }

        await StartAsync("Gateway");
        Channel = GrpcChannel.ForAddress($"http://127.0.0.1:{_ports["Gateway"]}");
    }

    /// <summary>Starts (or, after <see cref="KillAsync"/>, starts again) the process of <paramref name="name"/> on its port.</summary>
    public async Task StartAsync(string name)
    {
        string[] addresses = [.. Services.Select(s => $"--DirectConnect:Services:Addresses:{s}=http://127.0.0.1:{_ports[s]}")];
        string[] args =
        [
            $"--modules={name}",
            $"--grpc-port={_ports[name]}",
            .. FastRecovery,
            // Every process gets the setting, as a deployment's shared configuration would: only the edge answers browsers.
            $"--DirectConnect:Cors:AllowedOrigins:0={ConsoleOrigin}",
            .. name == "Gateway" ? addresses : addresses.Where(a => !a.Contains($":{name}=", StringComparison.Ordinal)),
            .. ArgumentsOf(name),
        ];
        _processes[name] = await GatewayProcess.StartAsync(DataDirectory, EnvironmentOf(name), args);
        await StartedAsync(name, _processes[name]);
    }

    /// <summary>SIGKILLs the process of <paramref name="name"/> and waits until it is gone.</summary>
    public async Task KillAsync(string name)
    {
        var process = _processes[name];
        _processes.Remove(name);
        process.Kill();
        await process.DisposeAsync();
    }

    /// <inheritdoc />
    public virtual async Task DisposeAsync()
    {
        Channel?.Dispose();
        foreach (var process in _processes.Values)
        {
            await process.DisposeAsync();
        }

        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>
/// The same five processes coordinating through the Dapr adapter (state and pub/sub through a
/// sidecar's gRPC API) instead of the SQLite file: one <see cref="DirectConnect.Testing.Dapr.DaprTestSidecar"/>
/// stands in for the five sidecars — one state store per app-id, as in deploy/, and one pub/sub
/// delivering to each app's AppCallback as Redis Streams does (concurrent workers, out of order,
/// reclaimed duplicates), with the app API token on deliveries only.
/// </summary>
public sealed class DaprDistributedTopology : DistributedTopology
{
    private const string AppApiToken = "test-app-api-token";
    private DirectConnect.Testing.Dapr.DaprTestSidecar _sidecar = null!;

    /// <summary>The sidecar, for looking at what the apps wrote and published.</summary>
    public DirectConnect.Testing.Dapr.DaprTestSidecar Sidecar => _sidecar;

    /// <inheritdoc />
    public override async Task InitializeAsync()
    {
        _sidecar = await DirectConnect.Testing.Dapr.DaprTestSidecar.StartAsync(new DirectConnect.Testing.Dapr.DaprTestSidecarOptions
        {
            Delivery = DirectConnect.Testing.Dapr.DaprDelivery.RedisStreams,
            AppApiToken = AppApiToken,
            StoreNames = [.. Processes.Select(p => DirectConnect.Platform.Hosting.ServiceAppIds.StateStoreComponent(DirectConnect.Platform.Hosting.ServiceAppIds.For(p)))],
        });
        await base.InitializeAsync();
    }

    /// <inheritdoc />
    protected override IEnumerable<string> ArgumentsOf(string process) =>
    [
        "--DirectConnect:Coordination:Adapter=Dapr",
        $"--DirectConnect:Coordination:Dapr:GrpcEndpoint={_sidecar.Endpoint}",
        $"--DirectConnect:Coordination:Dapr:StoreName={DirectConnect.Platform.Hosting.ServiceAppIds.StateStoreComponent(DirectConnect.Platform.Hosting.ServiceAppIds.For(process))}",
        $"--DirectConnect:Coordination:Dapr:PubSubName={DirectConnect.Testing.Dapr.DaprTestSidecar.PubSubName}",
    ];

    /// <inheritdoc />
    protected override IReadOnlyDictionary<string, string> EnvironmentOf(string process) =>
        new Dictionary<string, string>(base.EnvironmentOf(process), StringComparer.Ordinal) { ["APP_API_TOKEN"] = AppApiToken };

    /// <summary>Like daprd at the app's start: asks the app what it subscribes to (at its restart too) and delivers.</summary>
    protected override async Task StartedAsync(string name, GatewayProcess process)
    {
        if (_connected.Add(name))
        {
            await _sidecar.ConnectAppAsync(process.GrpcAddress.ToString());
        }
    }

    // A restarted process listens on the same port, where the deliveries already wait for it (an app away is retried).
    private readonly HashSet<string> _connected = new(StringComparer.Ordinal);

    /// <inheritdoc />
    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        await _sidecar.DisposeAsync();
    }
}
