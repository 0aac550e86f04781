using System.Net.Http.Headers;
using DirectConnect.Gateway.Hosting;
using DirectConnect.Gateway.Security;
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
public sealed class EmbeddedSystem : IAsyncLifetime
{
    private WebApplication? _app;

    /// <summary>The data directory of this instance (deleted at the end).</summary>
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "dc-it-" + Guid.NewGuid().ToString("N"));

    /// <summary>A gRPC channel to the gateway.</summary>
    public GrpcChannel Channel { get; private set; } = null!;

    /// <summary>The REST base address.</summary>
    public Uri RestAddress { get; private set; } = null!;

    /// <summary>The gRPC base address.</summary>
    public Uri GrpcAddress { get; private set; } = null!;

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        _app = GatewayApp.Build(
        [
            $"--data-dir={DataDirectory}",
            "--grpc-port=0",
            "--rest-port=0",
            "--Logging:LogLevel:Default=Warning",
        ]);
        await _app.StartAsync();
        var endpoints = _app.Services.GetRequiredService<GatewayEndpoints>();
        GrpcAddress = endpoints.GrpcAddress;
        RestAddress = endpoints.RestAddress;
        Channel = GrpcChannel.ForAddress(GrpcAddress);
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        Channel?.Dispose();
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
    public string Token(string account, params string[] roles)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var args = new List<string> { "--account", account, $"--data-dir={DataDirectory}" };
        foreach (var role in roles)
        {
            args.AddRange(["--role", role]);
        }

        var exit = TokenCommand.Run([.. args], output, error);
        Assert.True(exit == 0, error.ToString());
        return output.ToString().Trim();
    }

    /// <summary>Call options carrying a bearer token for <paramref name="account"/>.</summary>
    public CallOptions As(string account, params string[] roles) =>
        new(new Metadata { { "authorization", $"Bearer {Token(account, roles)}" } });

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
