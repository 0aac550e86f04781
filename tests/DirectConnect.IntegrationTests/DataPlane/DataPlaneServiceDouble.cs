using System.Collections.Concurrent;
using DirectConnect.Contracts.Internal.V1;
using DirectConnect.Platform.ServiceIdentity;
using Grpc.Core;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectConnect.IntegrationTests.DataPlane;

/// <summary>
/// A TEST DOUBLE of the internal contract's server side (DataPlaneService), for the agent's tests until the
/// VirtualInterfaces module serves it: a router's feed of peering changes with positions, as the contract
/// describes it, on loopback h2c. It checks the agent's token (signature, issuer, audience, app-id and router
/// claim) as the real server does, and records every report and every stream the agent opened.
/// </summary>
public sealed class DataPlaneServiceDouble : DataPlaneService.DataPlaneServiceBase, IAsyncDisposable
{
    private readonly object _gate = new();
    private readonly List<(long Position, Peering? Peering, string? Removed)> _log = [];
    private readonly Dictionary<string, Peering> _current = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _keys = new(StringComparer.Ordinal);
    private readonly byte[] _agentKey;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _position;
    private WebApplication? _app;

    public DataPlaneServiceDouble(string routerId, RouterDesiredState.Types.Router router)
    {
        RouterId = routerId;
        Router = router;
        _agentKey = AgentIdentity.DeriveKey(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32), routerId);
    }

    public string RouterId { get; }

    public RouterDesiredState.Types.Router Router { get; }

    /// <summary>The agent's key, base64, as the gateway's agent-key command prints it.</summary>
    public string AgentKey => Convert.ToBase64String(_agentKey);

    /// <summary>Where the double listens, e.g. http://127.0.0.1:41234.</summary>
    public Uri Address { get; private set; } = null!;

    /// <summary>Every report received, in order.</summary>
    public ConcurrentQueue<ReportVirtualInterfaceStatusRequest> Reports { get; } = new();

    /// <summary>The after_position of every stream the agent opened, in order.</summary>
    public ConcurrentQueue<long> StreamsOpenedAfter { get; } = new();

    /// <summary>The position of the last change.</summary>
    public long Position
    {
        get
        {
            lock (_gate)
            {
                return _position;
            }
        }
    }

    /// <summary>The latest report of <paramref name="virtualInterfaceId"/>, or null.</summary>
    public ReportVirtualInterfaceStatusRequest? LatestReport(string virtualInterfaceId) =>
        Reports.LastOrDefault(r => r.VirtualInterfaceId == virtualInterfaceId);

    public static async Task<DataPlaneServiceDouble> StartAsync(string routerId, RouterDesiredState.Types.Router router)
    {
        var service = new DataPlaneServiceDouble(routerId, router);
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.ConfigureKestrel(k => k.Listen(System.Net.IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton(service);
        var app = builder.Build();
        app.MapGrpcService<DataPlaneServiceDouble>();
        await app.StartAsync();
        service._app = app;
        service.Address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return service;
    }

    /// <summary>Creates or changes a peering (a new position), with its MD5 key when it has one.</summary>
    public long Upsert(Peering peering, string? authKey)
    {
        ArgumentNullException.ThrowIfNull(peering);
        lock (_gate)
        {
            var copy = peering.Clone();
            copy.AuthKeySet = authKey is not null;
            if (authKey is null)
            {
                _keys.Remove(copy.VirtualInterfaceId);
            }
            else
            {
                _keys[copy.VirtualInterfaceId] = authKey;
            }

            _current[copy.VirtualInterfaceId] = copy;
            _log.Add((++_position, copy, null));
            Signal();
            return _position;
        }
    }

    /// <summary>Removes a virtual interface (a new position).</summary>
    public long Remove(string virtualInterfaceId)
    {
        lock (_gate)
        {
            _current.Remove(virtualInterfaceId);
            _keys.Remove(virtualInterfaceId);
            _log.Add((++_position, null, virtualInterfaceId));
            Signal();
            return _position;
        }
    }

    private void Signal()
    {
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.SetResult();
    }

    public override async Task WatchRouterDesiredState(WatchRouterDesiredStateRequest request, IServerStreamWriter<RouterDesiredState> responseStream, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(responseStream);
        ArgumentNullException.ThrowIfNull(context);
        await AuthorizeAsync(context, request.RouterId);
        StreamsOpenedAfter.Enqueue(request.AfterPosition);
        RouterDesiredState first;
        Task changed;
        lock (_gate)
        {
            first = new RouterDesiredState { Position = _position, Router = Router, Snapshot = new RouterDesiredState.Types.Snapshot() };
            first.Snapshot.VirtualInterfaceIds.Add(_current.Keys);
            first.Peerings.Add(_log.Where(e => e.Position > request.AfterPosition && e.Peering is not null && _current.GetValueOrDefault(e.Peering.VirtualInterfaceId) == e.Peering)
                .Select(e => e.Peering!));
            changed = _changed.Task;
        }

        await responseStream.WriteAsync(first);
        var sent = first.Position;
        while (!context.CancellationToken.IsCancellationRequested)
        {
            await changed.WaitAsync(context.CancellationToken);
            List<RouterDesiredState> messages;
            lock (_gate)
            {
                messages = [.. _log.Where(e => e.Position > sent).Select(e =>
                {
                    var message = new RouterDesiredState { Position = e.Position };
                    if (e.Peering is not null)
                    {
                        message.Peerings.Add(e.Peering);
                    }
                    else
                    {
                        message.RemovedVirtualInterfaceIds.Add(e.Removed);
                    }

                    return message;
                })];
                changed = _changed.Task;
            }

            foreach (var message in messages)
            {
                await responseStream.WriteAsync(message);
                sent = message.Position;
            }
        }
    }

    public override async Task<GetVirtualInterfaceAuthKeyResponse> GetVirtualInterfaceAuthKey(GetVirtualInterfaceAuthKeyRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        await AuthorizeAsync(context, request.RouterId);
        lock (_gate)
        {
            return _current.ContainsKey(request.VirtualInterfaceId)
                ? new GetVirtualInterfaceAuthKeyResponse { AuthKey = _keys.GetValueOrDefault(request.VirtualInterfaceId) ?? "" }
                : throw new RpcException(new Status(StatusCode.NotFound, "no such virtual interface on the router"));
        }
    }

    public override async Task<ReportVirtualInterfaceStatusResponse> ReportVirtualInterfaceStatus(ReportVirtualInterfaceStatusRequest request, ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(request);
        await AuthorizeAsync(context, request.RouterId);
        Reports.Enqueue(request);
        return new ReportVirtualInterfaceStatusResponse { Recorded = true };
    }

    // What the real server's service-identity authentication checks of an agent's token.
    private async Task AuthorizeAsync(ServerCallContext context, string routerId)
    {
        var header = context.RequestHeaders.GetValue("authorization") ?? "";
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : header,
            new TokenValidationParameters
            {
                ValidIssuer = ServiceCredentials.Issuer,
                ValidAudience = ServiceCredentials.Audience,
                IssuerSigningKey = new SymmetricSecurityKey(_agentKey),
            });
        if (!result.IsValid || Claim(result, ServiceCredentials.ServiceClaim) != AgentIdentity.AppId)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "not an agent's token"));
        }

        if (Claim(result, AgentIdentity.RouterClaim) != routerId || routerId != RouterId)
        {
            throw new RpcException(new Status(StatusCode.PermissionDenied, "ROUTER_NOT_ALLOWED"));
        }
    }

    private static string? Claim(TokenValidationResult result, string name) =>
        result.Claims.TryGetValue(name, out var value) ? value as string : null;

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
