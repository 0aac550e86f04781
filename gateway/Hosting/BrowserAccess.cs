using Grpc.AspNetCore.Web;

namespace DirectConnect.Gateway.Hosting;

/// <summary>Configuration section <c>DirectConnect:Cors</c>: which web origins a browser may call the public API from.</summary>
public sealed class BrowserCorsOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:Cors";

    /// <summary>
    /// The origins (scheme, host and port, e.g. <c>https://console.example.com</c>) whose pages may call the API.
    /// Empty (the default): no CORS header is ever sent, so a browser lets only same-origin pages read the answers.
    /// </summary>
    public IList<string> AllowedOrigins { get; } = [];
}

/// <summary>
/// What a browser needs to call the public API: gRPC-Web (<c>application/grpc-web</c> and
/// <c>application/grpc-web-text</c>, over HTTP/1.1 on the REST port or HTTP/2 on the gRPC port) on every
/// gRPC service, and CORS for the configured origins (<see cref="BrowserCorsOptions"/>), answering a
/// preflight before authentication, since a browser never sends a token with one.
/// </summary>
public static class BrowserAccess
{
    /// <summary>The request headers a page may send: the token, the gRPC-Web and Connect headers, the deadline, and where a watch resumes.</summary>
    public static readonly IReadOnlyList<string> AllowedRequestHeaders =
        ["authorization", "content-type", "x-grpc-web", "x-user-agent", "connect-protocol-version", "grpc-timeout", "last-event-id"];

    /// <summary>
    /// The response headers a page may read: gRPC-Web's status in a trailers-only answer (the details carry the
    /// <c>ErrorInfo</c>), when to retry, and where a watch starts.
    /// </summary>
    public static readonly IReadOnlyList<string> ExposedResponseHeaders = ["grpc-status", "grpc-message", "grpc-status-details-bin", "retry-after", "watch-start-position"];

    private static readonly string[] Methods = ["GET", "POST", "PATCH", "PUT", "DELETE"];

    /// <summary>
    /// Registers, on the public edge (<paramref name="isEdge"/>), the CORS
    /// policy of <c>DirectConnect:Cors</c>. An origin that is not one (a path, a wildcard) stops the start.
    /// </summary>
    public static void AddBrowserAccess(this WebApplicationBuilder builder, bool isEdge)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (!isEdge)
        {
            return;
        }

        var origins = (builder.Configuration.GetSection($"{BrowserCorsOptions.Section}:{nameof(BrowserCorsOptions.AllowedOrigins)}").Get<string[]>() ?? [])
            .Where(o => !string.IsNullOrWhiteSpace(o))
            .Select(Origin)
            .ToArray();
        builder.Services.AddCors(cors => cors.AddDefaultPolicy(policy => policy
            .WithOrigins(origins)
            .WithMethods(Methods)
            .WithHeaders([.. AllowedRequestHeaders])
            .WithExposedHeaders([.. ExposedResponseHeaders])
            .SetPreflightMaxAge(TimeSpan.FromMinutes(10))));
    }

    /// <summary>
    /// CORS (first: a preflight is answered before the internal API's isolation and authentication), on the public edge only:
    /// module processes are reached through it, and their own CORS headers would be sent twice.
    /// </summary>
    public static IApplicationBuilder UseCorsForBrowsers(this IApplicationBuilder app, bool isEdge) => isEdge ? app.UseCors() : app;

    /// <summary>
    /// gRPC-Web translation, for every gRPC service, last before the endpoints: what runs before it (the declared size
    /// limit, authentication, the rate limit and the message size peek) sees the call as it was sent, and answers a
    /// gRPC-Web call in gRPC-Web's content type. (The translation reads base64 once, so nothing may peek behind it.)
    /// The distributed edge's forwarded routes are not translated: they travel to the module's process as they came,
    /// and it translates them (YARP copies bodies as streams, which the translation does not offer).
    /// </summary>
    public static IApplicationBuilder UseGrpcWebForBrowsers(this IApplicationBuilder app) =>
        app.UseGrpcWeb(new GrpcWebOptions { DefaultEnabled = true });

    // An origin is a scheme, a host and a port: "https://console.example.com" or "http://127.0.0.1:5173", nothing more.
    private static string Origin(string configured)
    {
        var value = configured.Trim().TrimEnd('/');
        if (!Uri.TryCreate(value, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp) ||
            uri.PathAndQuery != "/" || !string.IsNullOrEmpty(uri.Fragment) || !string.IsNullOrEmpty(uri.UserInfo) || value.Contains('*', StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"{BrowserCorsOptions.Section}:{nameof(BrowserCorsOptions.AllowedOrigins)} holds '{configured}', which is not an origin: " +
                "give each as scheme://host[:port] (e.g. https://console.example.com), with no path and no wildcard.");
        }

        return value;
    }
}
