using System.Net;
using DirectConnect.Benchmarks.Baseline;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DirectConnect.Benchmarks;

/// <summary>
/// "The ceiling": a bare ASP.NET Core application on loopback with one no-op gRPC method (h2c) and,
/// for REST, a bare Kestrel HTTP/1.1 endpoint that returns a small JSON document (and one that reads
/// a JSON body before answering, for creates). No authentication, interceptors, OpenTelemetry or
/// storage; only the server-side outcome count that the gateway has too.
/// </summary>
internal sealed class CeilingServer : IAsyncDisposable
{
    public const string GrpcPath = "/directconnect.benchmarks.v1.CeilingService/Noop";

    private readonly WebApplication _app;

    private CeilingServer(WebApplication app, Uri grpc, Uri rest)
    {
        _app = app;
        GrpcAddress = grpc;
        RestAddress = rest;
    }

    public Uri GrpcAddress { get; }

    public Uri RestAddress { get; }

    public static async Task<CeilingServer> StartAsync(Outcomes outcomes)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IStartupFilter>(new OutcomesStartupFilter(outcomes));
        builder.Services.AddGrpc();
        ListenOptions? grpc = null, rest = null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                grpc = listen;
            });
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                rest = listen;
            });
        });
        var app = builder.Build();
        app.MapGrpcService<CeilingGrpcService>();
        // The same paths as the gateway's REST routes, so that the load generator's command differs only in the port.
        app.MapGet("/v1/regions/{region}/physicalConnections/{id}", (string region, string id) =>
            Results.Json(new CeilingDocument(id, region, "STATE_AVAILABLE"), CeilingJson.Default.CeilingDocument));
        app.MapPost("/v1/regions/{region}/physicalConnections", async (string region, HttpRequest request) =>
        {
            var order = await request.ReadFromJsonAsync(CeilingJson.Default.CeilingOrder);
            return Results.Json(new CeilingDocument("dxpc-ceiling", region, order?.Name ?? ""), CeilingJson.Default.CeilingDocument);
        });
        await app.StartAsync();
        return new CeilingServer(app, Address(grpc), Address(rest));
    }

    private static Uri Address(ListenOptions? listener) =>
        listener?.EndPoint is IPEndPoint endPoint ? new Uri($"http://{endPoint}") : throw new InvalidOperationException("The ceiling is not listening.");

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private sealed class CeilingGrpcService : CeilingService.CeilingServiceBase
    {
        public override Task<NoopResponse> Noop(NoopRequest request, ServerCallContext context) => Task.FromResult(new NoopResponse());
    }
}

internal sealed record CeilingDocument(string Id, string Region, string State);

internal sealed record CeilingOrder(string? Name, string? LocationId, string? PortSpeed, int BandwidthMbps, string? Provider);

[System.Text.Json.Serialization.JsonSerializable(typeof(CeilingDocument))]
[System.Text.Json.Serialization.JsonSerializable(typeof(CeilingOrder))]
[System.Text.Json.Serialization.JsonSourceGenerationOptions(System.Text.Json.JsonSerializerDefaults.Web)]
internal sealed partial class CeilingJson : System.Text.Json.Serialization.JsonSerializerContext;
