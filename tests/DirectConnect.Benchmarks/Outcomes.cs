using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace DirectConnect.Benchmarks;

/// <summary>
/// Counts, on the server, how the requests of the row being measured ended. h2load counts an HTTP
/// 200 as a success even when its gRPC status is an error, and an error path is fast: a ratio is only
/// printed when every counted response succeeded (gRPC status 0, or HTTP 2xx for REST).
/// </summary>
internal sealed class Outcomes
{
    private long _succeeded;
    private long _failed;
    private long _aborted;
    private long _strayFailures;
    private volatile string _pathPrefix = "/";
    private volatile string _lastFailure = "none";

    /// <summary>How the last failed request ended (path, HTTP status, gRPC status), to say why a run stopped.</summary>
    public string LastFailure => _lastFailure;

    public sealed record Counts(long Succeeded, long Failed, long Aborted, long StrayFailures)
    {
        public Counts Since(Counts before) =>
            new(Succeeded - before.Succeeded, Failed - before.Failed, Aborted - before.Aborted, StrayFailures - before.StrayFailures);
    }

    /// <summary>Counts from now on the requests whose path starts with <paramref name="pathPrefix"/>.</summary>
    public void Expect(string pathPrefix) => _pathPrefix = pathPrefix;

    public Counts Snapshot() => new(Interlocked.Read(ref _succeeded), Interlocked.Read(ref _failed),
        Interlocked.Read(ref _aborted), Interlocked.Read(ref _strayFailures));

    /// <summary>The middleware, outermost, so that it sees the response as it leaves (after authentication, interceptors, errors).</summary>
    public async Task InvokeAsync(HttpContext context, RequestDelegate next)
    {
        var counted = context.Request.Path.Value?.StartsWith(_pathPrefix, StringComparison.Ordinal) == true;
        var ok = false;
        try
        {
            await next(context);
            ok = Succeeded(context);
        }
        finally
        {
            // A stream the load generator resets when its time is up ends cancelled: neither a success nor a failure.
            if (context.RequestAborted.IsCancellationRequested)
            {
                Interlocked.Increment(ref _aborted);
            }
            else if (!counted)
            {
                if (!ok)
                {
                    // Any other failing request (e.g. a module's call to another on the caller's behalf) is reported too.
                    Interlocked.Increment(ref _strayFailures);
                }
            }
            else
            {
                Interlocked.Increment(ref ok ? ref _succeeded : ref _failed);
            }

            if (!ok && !context.RequestAborted.IsCancellationRequested)
            {
                _lastFailure = $"{context.Request.Method} {context.Request.Path}: HTTP {context.Response.StatusCode}, grpc-status '{GrpcStatus(context)}', "
                    + $"grpc-message '{context.Response.Headers["grpc-message"]}{context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-message"]}'";
            }
        }
    }

    private static bool Succeeded(HttpContext context)
    {
        if (context.Response.StatusCode is < 200 or >= 300)
        {
            return false;
        }

        if (context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true)
        {
            return true;
        }

        return GrpcStatus(context) == "0";
    }

    // Trailers-only responses (errors without a message) carry grpc-status in the headers; the others in the trailers.
    private static string GrpcStatus(HttpContext context)
    {
        var status = context.Response.Headers["grpc-status"].ToString();
        return status.Length > 0 ? status : context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers["grpc-status"].ToString() ?? "";
    }
}

/// <summary>Puts <see cref="Outcomes"/> in front of everything else an application's pipeline has.</summary>
internal sealed class OutcomesStartupFilter(Outcomes outcomes) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(outcomes.InvokeAsync);
        next(app);
    };
}
