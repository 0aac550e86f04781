using System.Collections.Frozen;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using DirectConnect.Platform.Hosting;
using Grpc.Core;

namespace DirectConnect.Platform.Telemetry;

/// <summary>
/// Requests and errors by method and status code, on the <c>DirectConnect</c> meter:
/// <c>directconnect.rpc.server.requests</c> (count) and <c>directconnect.rpc.server.duration</c>
/// (seconds), tagged <c>rpc.service</c>, <c>rpc.method</c> and <c>rpc.grpc.status_code</c> (the
/// code's name, e.g. <c>NOT_FOUND</c>); errors are the requests whose code is not <c>OK</c>. REST
/// calls count under the gRPC method they are transcoded to. Recorded by the gRPC interceptor
/// (<see cref="Grpc.ErrorInterceptor"/>) with the code the client receives, and by the admission middleware for the
/// calls it refuses before the interceptor (rate limit, request size).
/// </summary>
public sealed class RpcMetrics
{
    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;

    /// <summary>Creates the instruments on <paramref name="meterFactory"/>'s DirectConnect meter.</summary>
    public RpcMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(ServiceDefaults.MeterName);
        _requests = meter.CreateCounter<long>("directconnect.rpc.server.requests", "{request}", "Calls of the public API by method and status code.");
        _duration = meter.CreateHistogram<double>("directconnect.rpc.server.duration", "s", "Duration of calls of the public API by method and status code.");
    }

    /// <summary>Records one call of the method at <paramref name="path"/> (<c>/service/method</c>) that began at <paramref name="started"/> (a <see cref="Stopwatch"/> timestamp).</summary>
    public void Record(string path, StatusCode code, long started)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!_requests.Enabled && !_duration.Enabled)
        {
            return; // nothing collects these (no metrics port, no OTLP): no tags are made
        }

        var slash = path.LastIndexOf('/');
        var tags = new TagList
        {
            { "rpc.system", "grpc" },
            { "rpc.service", slash > 0 ? path[1..slash] : path },
            { "rpc.method", slash >= 0 ? path[(slash + 1)..] : path },
            { "rpc.grpc.status_code", CodeName(code) },
        };
        _requests.Add(1, tags);
        _duration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds, tags);
    }

    /// <summary>The canonical name of <paramref name="code"/> (<c>RESOURCE_EXHAUSTED</c>).</summary>
    public static string CodeName(StatusCode code) => CodeNames.TryGetValue(code, out var name) ? name : ((int)code).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static readonly FrozenDictionary<StatusCode, string> CodeNames =
        Enum.GetValues<StatusCode>().ToFrozenDictionary(code => code, code => code == StatusCode.OK
            ? "OK"
            : string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? "_" + c : c.ToString())).ToUpperInvariant());
}
