using System.Net;
using System.Net.Sockets;
using Grpc.Net.Client;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The distributed topology on one machine, as the README runs it: the edge (module Gateway) and
/// the four service modules as five real processes on loopback, each knowing where the others
/// are, sharing one data directory (the SQLite coordination file and the signing key).
/// </summary>
public sealed class DistributedTopology : IAsyncLifetime
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
    };

    /// <summary>The shared data directory (deleted at the end).</summary>
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "dc-dist-" + Guid.NewGuid().ToString("N"));

    /// <summary>A gRPC channel to the edge.</summary>
    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>The process hosting <paramref name="module"/> (or <c>Gateway</c>, the edge).</summary>
    public GatewayProcess this[string module] => _processes[module];

    /// <inheritdoc />
    public async Task InitializeAsync()
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
            .. name == "Gateway" ? addresses : addresses.Where(a => !a.Contains($":{name}=", StringComparison.Ordinal)),
        ];
        _processes[name] = await GatewayProcess.StartAsync(DataDirectory, _secrets, args);
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
    public async Task DisposeAsync()
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
