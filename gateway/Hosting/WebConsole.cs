using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization;
using DirectConnect.Gateway.Security;
using DirectConnect.Platform.Resources;
using DirectConnect.Platform.Tenancy;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.FileProviders;

namespace DirectConnect.Gateway.Hosting;

/// <summary>Configuration section <c>DirectConnect:Console</c>: the web console the public edge serves at <c>/console/</c>.</summary>
public sealed class ConsoleOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:Console";

    /// <summary>Serve the console (default true). It is a client of the public API only; turning it off removes no API.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The OIDC client id the console signs in with when <c>DirectConnect:Auth:Authority</c> is set (a public client: code flow with PKCE).</summary>
    public string? OidcClientId { get; set; }

    /// <summary>The scopes the console asks the OIDC authority for.</summary>
    public string OidcScope { get; set; } = "openid profile";
}

/// <summary>
/// The web console (gateway/Console, built into <c>console/</c> next to the binary): static files at
/// <c>/console/</c> with the single-page app's routes falling back to its index, its settings at
/// <c>/console/config.json</c>, and — on the embedded default only — a development sign-in that mints a
/// token as the <c>token</c> command does. Everything else the console does goes through the public API
/// with the signed-in user's bearer token; there is no other way in.
/// </summary>
public static partial class WebConsole
{
    /// <summary>Where the console is served.</summary>
    public const string PathBase = "/console";

    private const string DevSignInPath = PathBase + "/dev-sign-in";

    private static readonly FileExtensionContentTypeProvider ContentTypes = new();

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The directory the gateway's build writes the console to.</summary>
    public static string ContentDirectory => Path.Combine(AppContext.BaseDirectory, "console");

    /// <summary>
    /// The development sign-in exists only with the embedded signing key (no authority, no configured key) on a
    /// gateway listening on loopback: it hands out tokens for any account and role to whoever can reach it.
    /// </summary>
    public static bool DevelopmentSignInAvailable(AuthOptions auth, GatewayOptions gateway)
    {
        ArgumentNullException.ThrowIfNull(auth);
        ArgumentNullException.ThrowIfNull(gateway);
        return string.IsNullOrWhiteSpace(auth.Authority) && string.IsNullOrWhiteSpace(auth.SigningKey) &&
               IPAddress.TryParse(gateway.ListenAddress, out var address) && IPAddress.IsLoopback(address);
    }

    /// <summary>Maps the console on a public edge when it is enabled; returns whether it did.</summary>
    public static bool MapWebConsole(this WebApplication app, GatewayOptions gateway, AuthOptions auth)
    {
        ArgumentNullException.ThrowIfNull(app);
        var options = app.Configuration.GetSection(ConsoleOptions.Section).Get<ConsoleOptions>() ?? new ConsoleOptions();
        if (!options.Enabled)
        {
            return false;
        }

        var devSignIn = DevelopmentSignInAvailable(auth, gateway);
        if (!string.IsNullOrWhiteSpace(auth.Authority) && string.IsNullOrWhiteSpace(options.OidcClientId))
        {
            throw new InvalidOperationException(
                $"{ConsoleOptions.Section}:OidcClientId is not set: with DirectConnect:Auth:Authority the console signs in through that authority " +
                $"and needs its client id (or set {ConsoleOptions.Section}:Enabled=false).");
        }

        if (!Directory.Exists(ContentDirectory))
        {
            LogNotBuilt(app.Logger, ContentDirectory);
        }

        var files = new PhysicalFileProvider(Directory.Exists(ContentDirectory) ? ContentDirectory : AppContext.BaseDirectory);
        var regions = app.Configuration.GetSection("DirectConnect:Regions").Get<string[]>() ?? [];
        var settings = new ConsoleSettings(
            devSignIn ? "development" : string.IsNullOrWhiteSpace(auth.Authority) ? "token" : "oidc",
            string.IsNullOrWhiteSpace(auth.Authority) ? null : auth.Authority,
            string.IsNullOrWhiteSpace(auth.Authority) ? null : options.OidcClientId,
            string.IsNullOrWhiteSpace(auth.Authority) ? null : options.OidcScope,
            regions.Length > 0 ? [.. regions] : [.. RegionCatalog.DefaultRegions]);

        app.MapGet(PathBase + "/config.json", (HttpContext context) =>
        {
            SecurityHeaders(context.Response, auth.Authority);
            return Results.Json(settings, Json);
        }).AllowAnonymous();
        app.MapGet(PathBase + "/{**path}", (HttpContext context, string? path) => ServeFile(context, files, path ?? "", auth.Authority)).AllowAnonymous();
        if (devSignIn)
        {
            var signingKey = AuthenticationSetup.SigningKey(auth, gateway);
            var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(WebConsole));
            app.MapPost(DevSignInPath, (HttpContext context) => DevSignInAsync(context, auth, signingKey, logger)).AllowAnonymous();
        }

        return true;
    }

    private static Task ServeFile(HttpContext context, IFileProvider files, string path, string? authority)
    {
        if (context.Request.Path.Value is PathBase)
        {
            context.Response.Redirect(PathBase + "/");
            return Task.CompletedTask;
        }

        // A path with an extension is a file of the build; anything else is one of the app's own routes.
        var file = Path.HasExtension(path) ? files.GetFileInfo(path) : files.GetFileInfo("index.html");
        SecurityHeaders(context.Response, authority);
        if (!file.Exists || file.IsDirectory || path.Contains("..", StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/plain; charset=utf-8";
            return context.Response.WriteAsync(Directory.Exists(ContentDirectory)
                ? $"Not found: {PathBase}/{path}"
                : "The console was not built: build the gateway with Node.js on the PATH (dotnet build gateway runs npm).");
        }

        context.Response.ContentType = ContentTypes.TryGetContentType(file.Name, out var type) ? type : "application/octet-stream";
        // The build keeps stable file names: ask the browser to revalidate rather than cache a stale app.
        context.Response.Headers.CacheControl = "no-cache";
        return context.Response.SendFileAsync(file);
    }

    /// <summary>What a browser may do with the console's pages: its own scripts and styles only, and calls to this origin (and the OIDC authority).</summary>
    private static void SecurityHeaders(HttpResponse response, string? authority)
    {
        var connect = string.IsNullOrWhiteSpace(authority) ? "'self'" : $"'self' {new Uri(authority).GetLeftPart(UriPartial.Authority)}";
        response.Headers.ContentSecurityPolicy =
            $"default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src {connect}; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers["Referrer-Policy"] = "no-referrer";
    }

    /// <summary>
    /// <c>POST /console/dev-sign-in</c> <c>{"account": "acme", "role": "customer"}</c> → <c>{"token", "expireTime"}</c>.
    /// Only from loopback, to a loopback host name (a page of another site that got its name resolved to 127.0.0.1
    /// sends its own Host), with a JSON body (a cross-site form cannot send one without a preflight, which no CORS
    /// policy here allows for this path), and from this origin when the browser names one.
    /// </summary>
    private static async Task DevSignInAsync(HttpContext context, AuthOptions auth, Microsoft.IdentityModel.Tokens.SecurityKey signingKey, ILogger logger)
    {
        var remote = context.Connection.RemoteIpAddress;
        var host = context.Request.Host.Host;
        var origin = context.Request.Headers.Origin.ToString();
        var selfOrigin = $"{context.Request.Scheme}://{context.Request.Host}";
        if (remote is null || !IPAddress.IsLoopback(remote) || !IsLoopbackHost(host) ||
            (origin.Length > 0 && !string.Equals(origin, selfOrigin, StringComparison.OrdinalIgnoreCase)))
        {
            await Refuse(context, StatusCodes.Status403Forbidden, "The development sign-in answers only this gateway's own pages on loopback.");
            return;
        }

        if (context.Request.ContentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) != true)
        {
            await Refuse(context, StatusCodes.Status415UnsupportedMediaType, "Send the sign-in as application/json.");
            return;
        }

        DevSignInRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<DevSignInRequest>(context.Request.Body, Json, context.RequestAborted);
        }
        catch (JsonException)
        {
            request = null;
        }

        var violations = new List<FieldError>();
        if (request is null || !Caller.IsValidAccountId(request.Account))
        {
            violations.Add(new("account", "must be 1–63 lower-case letters, digits or '-', starting with a letter or digit"));
        }

        if (request is null || request.Role is null || !Role.All.Contains(request.Role))
        {
            violations.Add(new("role", $"must be one of {string.Join(", ", Role.All.Order(StringComparer.Ordinal))}"));
        }

        if (violations.Count > 0)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            SecurityHeaders(context.Response, null);
            await context.Response.WriteAsJsonAsync(new { message = "The sign-in has invalid fields.", fieldViolations = violations }, Json, context.RequestAborted);
            return;
        }

        var lifetime = TokenCommand.DefaultLifetime < auth.MaxTokenLifetime ? TokenCommand.DefaultLifetime : auth.MaxTokenLifetime;
        var issuer = new TokenIssuer(signingKey, auth.Issuer, auth.Audience, TimeProvider.System);
        var token = issuer.Issue(request!.Account!, [request.Role!], lifetime);
        LogDevSignIn(logger, request.Account!, request.Role!);
        context.Response.Headers.CacheControl = "no-store";
        SecurityHeaders(context.Response, null);
        await context.Response.WriteAsJsonAsync(new { token, expireTime = DateTimeOffset.UtcNow.Add(lifetime) }, Json, context.RequestAborted);
    }

    private static bool IsLoopbackHost(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) ||
        (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    private static async Task Refuse(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        SecurityHeaders(context.Response, null);
        await context.Response.WriteAsJsonAsync(new { message }, Json, context.RequestAborted);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The console is not built ({Directory} is missing): /console/ answers 404. Build the gateway with Node.js on the PATH.")]
    private static partial void LogNotBuilt(ILogger logger, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Development sign-in: a token for account {Account} with role {Role} (the token is not logged)")]
    private static partial void LogDevSignIn(ILogger logger, string account, string role);

    private sealed record DevSignInRequest(string? Account, string? Role);

    private sealed record FieldError(string Field, string Description);

    /// <summary>What the console needs to know before anyone signs in.</summary>
    private sealed record ConsoleSettings(string SignIn, string? Authority, string? ClientId, string? Scope, IReadOnlyList<string> Regions);
}
