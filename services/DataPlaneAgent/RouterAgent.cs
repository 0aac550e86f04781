using System.Security.Cryptography;
using System.Text;
using DirectConnect.Contracts.Internal.V1;
using DirectConnect.DataPlaneAgent.Frr;
using DirectConnect.DataPlaneAgent.Rendering;
using DirectConnect.DataPlaneAgent.State;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace DirectConnect.DataPlaneAgent;

/// <summary>
/// Applies a router's desired state to the local FRR, one virtual interface at a time, and reports what the
/// router shows. An interface is applied alone (its own vtysh file): one that fails leaves every other as it
/// was. What was applied is remembered with a content hash, so an unchanged interface is never applied again.
/// </summary>
internal sealed partial class RouterAgent
{
    private readonly AgentOptions _options;
    private readonly RouterHost _host;
    private readonly DataPlaneService.DataPlaneServiceClient _client;
    private readonly Func<Metadata> _headers;
    private readonly ILogger _logger;
    private readonly TimeProvider _clock;
    private readonly byte[] _hashKey;
    private readonly Dictionary<string, ReportVirtualInterfaceStatusRequest> _reported = new(StringComparer.Ordinal);
    private readonly HashSet<string> _mustReport = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _md5Errors = new(StringComparer.Ordinal);
    private IReadOnlyDictionary<string, long>? _md5Drops;

    public RouterAgent(AgentOptions options, RouterHost host, DataPlaneService.DataPlaneServiceClient client, Func<Metadata> headers,
        ILogger logger, TimeProvider clock)
    {
        _options = options;
        _host = host;
        _client = client;
        _headers = headers;
        _logger = logger;
        _clock = clock;
        // The content hash covers the MD5 key (a new key is a change), keyed with the agent's own secret so
        // that the state file does not let anyone test guesses of a key.
        _hashKey = SHA256.HashData(Encoding.UTF8.GetBytes("directconnect-agent-content:" + options.Key));
        State = AgentState.Load(options.StateDirectory);
    }

    /// <summary>What is applied, as last saved.</summary>
    public AgentState State { get; private set; }

    /// <summary>How many vtysh configuration runs the agent made (what "nothing re-applied" is checked by).</summary>
    public int ConfigurationRuns { get; private set; }

    /// <summary>Applies one message of the stream, then saves its position.</summary>
    public async Task ApplyAsync(RouterDesiredState message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.Router is not null)
        {
            var router = ValidRouter.Validate(message.Router, out var problems);
            if (router is null)
            {
                // Nothing can be rendered without the router; the stream is retried and the control plane sees no report.
                throw new InvalidOperationException("The control plane sent an unusable router: " + string.Join("; ", problems));
            }

            if (State.Router is { } before && before != router && State.Interfaces.Count > 0)
            {
                // Another port or ASN: every session is rebuilt, from the whole desired state.
                LogRouterChanged(_logger);
                foreach (var id in State.Interfaces.Keys.ToList())
                {
                    await RemoveAsync(id);
                }

                State.Position = 0;
                State.Router = router;
                State.Save(_options.StateDirectory);
                throw new RestartFromScratchException();
            }

            State.Router = router;
        }

        if (State.Router is null)
        {
            throw new InvalidOperationException("The stream's first message carried no router.");
        }

        if (message.Snapshot is not null)
        {
            var now = message.Snapshot.VirtualInterfaceIds.ToHashSet(StringComparer.Ordinal);
            foreach (var id in State.Interfaces.Keys.Concat(State.Failed.Keys).Where(id => !now.Contains(id)).ToList())
            {
                await RemoveAsync(id);
            }
        }

        foreach (var id in message.RemovedVirtualInterfaceIds)
        {
            await RemoveAsync(id);
        }

        foreach (var peering in message.Peerings)
        {
            cancellationToken.ThrowIfCancellationRequested();
            await ApplyPeeringAsync(peering, message.Position, cancellationToken);
        }

        State.Position = message.Position;
        State.Save(_options.StateDirectory);
    }

    /// <summary>Tries again the interfaces that were valid but could not be applied (e.g. their sub-interface was missing).</summary>
    public async Task RetryFailedAsync(CancellationToken cancellationToken)
    {
        foreach (var (id, failed) in State.Failed.Where(f => f.Value.Peering is not null).ToList())
        {
            await ApplyValidAsync(failed.Peering!, failed.Position, cancellationToken);
        }

        State.Save(_options.StateDirectory);
    }

    private async Task ApplyPeeringAsync(Peering peering, long position, CancellationToken cancellationToken)
    {
        var valid = ValidPeering.Validate(peering, out var problems);
        if (valid is null)
        {
            // Refused whole: nothing of it is written, and what was applied before stays as it was.
            var id = Platform.Resources.ResourceIds.IsWellFormed(peering.VirtualInterfaceId, "dxvif-") ? peering.VirtualInterfaceId : null;
            LogRefused(_logger, id ?? "(malformed id)", string.Join("; ", problems));
            if (id is not null)
            {
                Fail(id, null, position, "the agent refused the peering: " + string.Join("; ", problems));
            }

            return;
        }

        await ApplyValidAsync(valid, position, cancellationToken);
    }

    private async Task ApplyValidAsync(ValidPeering next, long position, CancellationToken cancellationToken)
    {
        var router = State.Router!;
        var id = next.VirtualInterfaceId;
        string? key = null;
        if (next.AuthKeySet)
        {
            var response = await _client.GetVirtualInterfaceAuthKeyAsync(
                new GetVirtualInterfaceAuthKeyRequest { RouterId = _options.RouterId, VirtualInterfaceId = id },
                _headers(), cancellationToken: cancellationToken);
            if (!ValidPeering.IsValidAuthKey(response.AuthKey))
            {
                Fail(id, null, position, "the agent refused the MD5 key: it must be 1-80 printable ASCII characters without spaces");
                return;
            }

            key = response.AuthKey;
        }

        var hash = Convert.ToHexStringLower(HMACSHA256.HashData(_hashKey, Encoding.UTF8.GetBytes(next.Canonical() + "\n" + key)));
        State.Interfaces.TryGetValue(id, out var previous);
        if (previous is not null && previous.Hash == hash)
        {
            LogUnchanged(_logger, id);
            State.Failed.Remove(id);
            return;
        }

        var subInterface = Rendering.Names.SubInterface(router.InterfaceName, next.Vlan);
        if (subInterface.Length > Rendering.Names.MaxInterfaceName)
        {
            Fail(id, null, position, $"the sub-interface name {subInterface} is longer than {Rendering.Names.MaxInterfaceName} characters");
            return;
        }

        var (created, linkError) = await EnsureSubInterfaceAsync(router, subInterface, next);
        if (linkError is not null)
        {
            Fail(id, next, position, linkError);
            return;
        }

        if (previous is not null && (previous.Peering.Vlan != next.Vlan || previous.Peering.CloudAddress != next.CloudAddress))
        {
            await UnaddressAsync(router, previous);
        }

        var lines = FrrRenderer.Apply(router, previous?.Peering, next, key, State.Networks(), State.Networks(except: id));
        ConfigurationRuns++;
        var result = await _host.ConfigureAsync(lines, key);
        if (!result.Succeeded)
        {
            var error = "vtysh refused the configuration: " + Shorten(result.Error + " " + result.Output);
            LogApplyFailed(_logger, id, error);
            if (previous is null)
            {
                // Nothing of a half-applied new interface stays behind.
                await _host.ConfigureAsync(FrrRenderer.Remove(router, next, State.Networks(except: id)), null);
            }

            Fail(id, next, position, error);
            return;
        }

        State.Interfaces[id] = new AppliedInterface(next, hash, position, created || (previous?.CreatedSubInterface ?? false));
        State.Failed.Remove(id);
        _mustReport.Add(id);
        LogApplied(_logger, id, position);
    }

    private async Task<(bool Created, string? Error)> EnsureSubInterfaceAsync(ValidRouter router, string subInterface, ValidPeering next)
    {
        var created = false;
        if (!(await _host.IpAsync("link", "show", "dev", subInterface)).Succeeded)
        {
            var add = await _host.IpAsync("link", "add", "link", router.InterfaceName, "name", subInterface, "type", "vlan", "id",
                next.Vlan.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!add.Succeeded)
            {
                return (false, $"the sub-interface {subInterface} does not exist and could not be created as VLAN {next.Vlan} on {router.InterfaceName}: {Shorten(add.Error)}");
            }

            created = true;
        }

        var up = await _host.IpAsync("link", "set", "dev", subInterface, "up");
        var address = up.Succeeded ? await _host.IpAsync("address", "replace", next.CloudAddress, "dev", subInterface) : up;
        return address.Succeeded ? (created, null) : (created, $"could not address {subInterface}: {Shorten(address.Error)}");
    }

    private async Task UnaddressAsync(ValidRouter router, AppliedInterface applied)
    {
        var subInterface = Rendering.Names.SubInterface(router.InterfaceName, applied.Peering.Vlan);
        // Gone already is fine: the address goes with its interface.
        await _host.IpAsync("address", "del", applied.Peering.CloudAddress, "dev", subInterface);
        if (applied.CreatedSubInterface)
        {
            await _host.IpAsync("link", "del", "dev", subInterface);
        }
    }

    private async Task RemoveAsync(string id)
    {
        State.Failed.Remove(id);
        _reported.Remove(id);
        _md5Errors.Remove(id);
        if (!State.Interfaces.TryGetValue(id, out var applied))
        {
            return;
        }

        var result = await _host.ConfigureAsync(FrrRenderer.Remove(State.Router!, applied.Peering, State.Networks(except: id)), null);
        ConfigurationRuns++;
        if (!result.Succeeded)
        {
            LogRemoveFailed(_logger, id, Shorten(result.Error + " " + result.Output));
        }

        await UnaddressAsync(State.Router!, applied);
        State.Interfaces.Remove(id);
        LogRemoved(_logger, id);
    }

    private void Fail(string id, ValidPeering? peering, long position, string error)
    {
        State.Failed[id] = new FailedInterface(peering, position, error);
        _mustReport.Add(id);
        LogApplyFailed(_logger, id, error);
    }

    /// <summary>
    /// Reads every applied session from FRR and the namespace's MD5 counters, and reports each interface whose
    /// observation changed (or that was just applied). A report that fails is sent again on the next read.
    /// </summary>
    public async Task ObserveAndReportAsync(CancellationToken cancellationToken)
    {
        var neighbors = State.Interfaces.Values.Select(i => i.Peering.Neighbor).Distinct(StringComparer.Ordinal).ToList();
        var sessions = neighbors.Count == 0
            ? new Dictionary<string, SessionObservation>()
            : SessionReader.Parse(neighbors, (await _host.ShowAsync(SessionReader.Commands(neighbors))).Output);
        var drops = SessionReader.Md5Drops(await _host.NetstatAsync());
        var md5Error = _md5Drops is null ? null : SessionReader.Md5Error(_md5Drops, drops);
        _md5Drops = drops;
        var now = Timestamp.FromDateTimeOffset(_clock.GetUtcNow());
        var reports = new List<ReportVirtualInterfaceStatusRequest>();
        // An interface whose latest values failed reports that failure, not the older values still applied.
        foreach (var (id, applied) in State.Interfaces.Where(i => !State.Failed.ContainsKey(i.Key)))
        {
            var session = sessions.GetValueOrDefault(applied.Peering.Neighbor) ?? new SessionObservation("Idle", "", [], []);
            if (session.Up)
            {
                _md5Errors.Remove(id);
            }
            else if (md5Error is not null)
            {
                // The counter is the namespace's: every session that is down while it grows is suspect.
                _md5Errors[id] = md5Error;
            }

            var report = new ReportVirtualInterfaceStatusRequest
            {
                RouterId = _options.RouterId,
                VirtualInterfaceId = id,
                Position = applied.Position,
                Applied = true,
                BgpUp = session.Up,
                BgpState = session.State,
                LastError = _md5Errors.GetValueOrDefault(id) ?? session.LastError,
            };
            report.ReceivedPrefixes.Add(session.Received);
            report.AdvertisedPrefixes.Add(session.Advertised);
            reports.Add(report);
        }

        foreach (var (id, failed) in State.Failed)
        {
            reports.Add(new ReportVirtualInterfaceStatusRequest
            {
                RouterId = _options.RouterId,
                VirtualInterfaceId = id,
                Position = failed.Position,
                Applied = false,
                ApplyError = failed.Error,
                BgpState = "Idle",
            });
        }

        foreach (var report in reports)
        {
            var id = report.VirtualInterfaceId;
            if (!_mustReport.Contains(id) && _reported.TryGetValue(id, out var last) && last.Equals(report))
            {
                continue;
            }

            var sent = report.Clone();
            sent.ObserveTime = now;
            await _client.ReportVirtualInterfaceStatusAsync(sent, _headers(), cancellationToken: cancellationToken);
            _reported[id] = report;
            _mustReport.Remove(id);
        }
    }

    private static string Shorten(string text)
    {
        // The control plane refuses control and format characters in reported text (they change how the rest reads):
        // vtysh's output (tabs, escapes) is made one plain line, or the whole report would be refused.
        var trimmed = new string(text.Trim().ReplaceLineEndings(" | ")
            .Select(c => char.IsControl(c) || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format ? ' ' : c).ToArray());
        return trimmed.Length <= 400 ? trimmed : trimmed[..400] + "…";
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied virtual interface {Id} at position {Position}")]
    private static partial void LogApplied(ILogger logger, string id, long position);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Virtual interface {Id} is unchanged: not applied again")]
    private static partial void LogUnchanged(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Virtual interface {Id} was not applied: {Error}")]
    private static partial void LogApplyFailed(ILogger logger, string id, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The agent refused the peering of {Id}: {Problems}")]
    private static partial void LogRefused(ILogger logger, string id, string problems);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed virtual interface {Id}")]
    private static partial void LogRemoved(ILogger logger, string id);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removing virtual interface {Id} met errors: {Error}")]
    private static partial void LogRemoveFailed(ILogger logger, string id, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The router's port or ASN changed: every session is rebuilt")]
    private static partial void LogRouterChanged(ILogger logger);
}

/// <summary>The router changed under the applied interfaces: the stream starts again from position 0.</summary>
internal sealed class RestartFromScratchException : Exception
{
    public RestartFromScratchException() : base("The router changed; the desired state is read again from the start.")
    {
    }
}
