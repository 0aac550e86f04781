using System.Net;
using DirectConnect.BorderGateways;
using DirectConnect.Gateway.OpenApi;
using DirectConnect.Gateway.Security;
using DirectConnect.Gateway.Watch;
using DirectConnect.Platform.Coordination;
using DirectConnect.Platform.Coordination.Dapr;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.Hosting;
using DirectConnect.Platform.ServiceIdentity;
using DirectConnect.PhysicalConnections;
using DirectConnect.Routing;
using DirectConnect.VirtualInterfaces;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DirectConnect.Gateway.Hosting;

/// <summary>
/// The embedded default: one process hosting the public gateway (auth, gRPC, REST/JSON, OpenAPI,
/// reflection, health) and every service module, coordinating through the SQLite file in the
/// data directory. Tests build the same application with other settings.
/// </summary>
public static partial class GatewayApp
{
    /// <summary>Short command-line switches for the common settings.</summary>
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>
    {
        ["--data-dir"] = $"{GatewayOptions.Section}:{nameof(GatewayOptions.DataDirectory)}",
        ["--grpc-port"] = $"{GatewayOptions.Section}:{nameof(GatewayOptions.GrpcPort)}",
        ["--rest-port"] = $"{GatewayOptions.Section}:{nameof(GatewayOptions.RestPort)}",
        ["--modules"] = $"{GatewayOptions.Section}:{nameof(GatewayOptions.Modules)}",
    };

    /// <summary>What a process can host: each module's Add and Map, by the name <c>--modules</c> takes.</summary>
    private static readonly IReadOnlyDictionary<string, (Action<WebApplicationBuilder> Add, Action<WebApplication> Map)> ModuleTable =
        new Dictionary<string, (Action<WebApplicationBuilder>, Action<WebApplication>)>(StringComparer.OrdinalIgnoreCase)
        {
            ["PhysicalConnections"] = (b => b.AddPhysicalConnections(), a => a.MapPhysicalConnections()),
            ["BorderGateways"] = (b => b.AddBorderGateways(), a => a.MapBorderGateways()),
            ["VirtualInterfaces"] = (b => b.AddVirtualInterfaces(), a => a.MapVirtualInterfaces()),
            ["Routing"] = (b => b.AddRoutingModule(), a => a.MapRoutingModule()),
            ["Gateway"] = (b => b.AddWatch(), a => a.MapWatch()), // the public edge's own part: the watch feed
        };

    /// <summary>The module names <c>--modules</c> accepts.</summary>
    public static IReadOnlyCollection<string> ModuleNames => [.. ModuleTable.Keys];

    /// <summary>The modules <paramref name="list"/> names (all for empty or <c>all</c>); an unknown name stops the start with the valid ones listed.</summary>
    public static IReadOnlyList<string> SelectModules(string? list)
    {
        var names = (list ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (names.Length == 0 || (names.Length == 1 && string.Equals(names[0], "all", StringComparison.OrdinalIgnoreCase)))
        {
            return [.. ModuleTable.Keys];
        }

        var unknown = names.Where(n => !ModuleTable.ContainsKey(n)).ToArray();
        return unknown.Length == 0
            ? names.Distinct(StringComparer.OrdinalIgnoreCase).ToArray()
            : throw new InvalidOperationException(
                $"Unknown module(s) in DirectConnect:Modules: {string.Join(", ", unknown)}. Known: {string.Join(", ", ModuleTable.Keys)}, or all.");
    }

    /// <summary>
    /// Builds the embedded system from command-line <paramref name="args"/> and the usual configuration sources.
    /// <paramref name="configure"/> runs last, before the application is built (tests add exporters; the benchmark adds its baseline service).
    /// </summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // appsettings*.json come from the application's directory, never from wherever the gateway is started:
        // a file dropped in the working directory must not be able to set, say, the signing key.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(args, SwitchMappings.ToDictionary());
        var gateway = builder.Configuration.GetSection(GatewayOptions.Section).Get<GatewayOptions>() ?? new GatewayOptions();
        var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
        var dataDirectoryWarning = DataDirectoryAccess.Prepare(gateway.DataDirectory);

        var modules = SelectModules(gateway.Modules);
        // The public edge never serves the internal API on its public ports: when it hosts modules
        // too (the embedded default), their internal API gets a loopback listener of its own.
        var isEdge = modules.Contains("Gateway", StringComparer.OrdinalIgnoreCase);
        var internalListener = isEdge &&
                               modules.Any(m => !string.Equals(m, "Gateway", StringComparison.OrdinalIgnoreCase));
        RequireSharedServiceKey(builder.Configuration, modules);

        var endpoints = new GatewayEndpoints();
        builder.Services.AddSingleton(endpoints);
        builder.Services.AddSingleton(gateway);
        // Modules call each other through their gRPC APIs; embedded, that is this process's own gRPC
        // port (public API, on the caller's behalf) and its internal listener (internal API).
        builder.Services.PostConfigure<ServiceEndpointOptions>(options =>
        {
            options.LocalAddress ??= () => endpoints.GrpcAddress;
            if (internalListener)
            {
                options.LocalInternalAddress ??= () => endpoints.InternalGrpcAddress!;
            }
        });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            var address = IPAddress.Parse(gateway.ListenAddress);
            kestrel.Listen(address, gateway.GrpcPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                endpoints.Grpc = listen;
            });
            kestrel.Listen(address, gateway.RestPort, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                endpoints.Rest = listen;
            });
            if (internalListener)
            {
                kestrel.Listen(IPAddress.Loopback, gateway.InternalGrpcPort, listen =>
                {
                    listen.Protocols = HttpProtocols.Http2;
                    endpoints.Internal = listen;
                });
            }
        });

        builder.AddServiceDefaults("directconnect-gateway");
        builder.AddPrometheusMetrics(gateway, endpoints);
        builder.Services.AddGrpc().AddJsonTranscoding(transcoding =>
        {
            // REST errors carry the same google.rpc.Status details as gRPC; the JSON writer must know their types.
            transcoding.TypeRegistry = StatusResponses.DetailTypes;
        });
        builder.Services.AddPublicGrpcReflection();
        builder.Services.AddOpenApiDocument();
        builder.Services.AddGatewayAuthentication(auth, gateway);
        builder.AddBrowserAccess(isEdge);
        // Coordination: the embedded SQLite file (default), or Dapr's state and pub/sub through the sidecar.
        var useDapr = string.Equals(builder.Configuration["DirectConnect:Coordination:Adapter"], "Dapr", StringComparison.OrdinalIgnoreCase);
        if (useDapr)
        {
            // Dapr calls the app's AppCallback without a user token: it must prove itself with the app API token.
            if (string.IsNullOrEmpty(builder.Configuration["DirectConnect:Coordination:Dapr:AppApiToken"] ?? builder.Configuration["APP_API_TOKEN"]))
            {
                throw new InvalidOperationException(
                    "DirectConnect:Coordination:Adapter=Dapr needs APP_API_TOKEN (or DirectConnect:Coordination:Dapr:AppApiToken): the token Dapr sends to the app's AppCallback.");
            }

            builder.Services.AddDaprCoordination(options => builder.Configuration.GetSection("DirectConnect:Coordination:Dapr").Bind(options));
        }
        else
        {
            builder.Services.AddSqliteCoordination(options =>
            {
                builder.Configuration.GetSection("DirectConnect:Coordination").Bind(options);
                options.DatabasePath = gateway.DatabasePath;
            });
            // The embedded default admits border-gateway agents with keys derived from a root key in its data directory
            // (`agent-key --router rtr-…` prints one); a deployment configures DirectConnect:ServiceIdentity:AgentRootKey.
            // The key sealing BGP MD5 keys at rest: a deployment's Secret, or the embedded default's own file.
            var sealingKeySetting = $"{VirtualInterfaces.VirtualInterfaceOptions.Section}:{nameof(VirtualInterfaces.VirtualInterfaceOptions.AuthKeyEncryptionKey)}";
            if (string.IsNullOrWhiteSpace(builder.Configuration[sealingKeySetting]))
            {
                var sealingKey = SigningKeyStore.LoadOrCreateText(gateway.DataDirectory, "bgp-auth-key-encryption.key");
                builder.Services.PostConfigure<VirtualInterfaces.VirtualInterfaceOptions>(options => options.AuthKeyEncryptionKey = sealingKey);
            }

            // Created at start, so the command finds the key the running gateway checks agents with.
            var agentRootKey = builder.Configuration[$"{ServiceIdentityOptions.Section}:{nameof(ServiceIdentityOptions.AgentRootKey)}"];
            if (string.IsNullOrWhiteSpace(agentRootKey))
            {
                agentRootKey = SigningKeyStore.LoadOrCreateText(gateway.DataDirectory, AgentKeyCommand.RootKeyFile);
                builder.Services.PostConfigure<ServiceIdentityOptions>(options => options.AgentRootKey = agentRootKey);
            }
        }

        foreach (var module in modules)
        {
            ModuleTable[module].Add(builder);
        }

        builder.AddModuleForwarding(modules);
        configure?.Invoke(builder);
        // An unparseable request is INVALID_ARGUMENT, not grpc-dotnet's UNKNOWN. This replaces gRPC's service binder,
        // which every AddGrpc() call (AddGrpcSwagger's too) registers again, so it comes after all of them.
        builder.Services.AddMalformedRequestsAsInvalidArgument();

        var app = builder.Build();
        app.UsePrometheusMetrics(endpoints);
        // A browser's preflight carries no token: answered before anything that would ask for one.
        app.UseCorsForBrowsers(isEdge);
        if (internalListener)
        {
            // Before authentication: on the wrong listener a method answers as one that does not exist.
            app.UseInternalApiIsolation(endpoints);
        }

        // A request declaring a body over the size limit is answered from its headers, before anything else.
        app.UseRequestSizeLimit();
        // The OpenAPI document is public: serve it before the fallback policy demands a token.
        app.UseOpenApiDocument(gateway.PublicRestUrl);
        // Authentication: a bearer token validated moments ago takes its identity straight from the token cache; everything
        // else goes through ASP.NET Core's authentication middleware, which this one wraps. The key tells WebApplication that
        // authentication is in the pipeline already (UseAuthentication sets it), so that it does not add its own in front.
        ((IApplicationBuilder)app).Properties["__AuthenticationMiddlewareSet"] = true;
        app.UseMiddleware<RememberedBearerAuthentication>();
        // Authorization: a request that only the fallback policy governs and whose user meets it goes straight on; everything
        // else through ASP.NET Core's authorization middleware, which this one wraps (the key as UseAuthorization sets it).
        ((IApplicationBuilder)app).Properties["__AuthorizationMiddlewareSet"] = true;
        app.UseMiddleware<FallbackPolicyAuthorization>();
        // The caller's rate limit and the request size, before any endpoint parses a body.
        app.UseRequestAdmission();
        // A REST request's query and body, read against its method's request message before transcoding reads them.
        app.UseRestInputValidation();
        app.UseGrpcWebForBrowsers();

        app.MapDefaultEndpoints();
        app.MapGrpcReflectionService().AllowAnonymous();
        foreach (var module in modules)
        {
            ModuleTable[module].Map(app);
        }

        app.MapModuleForwarding();
        // The web console is a client of the public API that the public edge serves; module processes do not.
        var consoleServed = isEdge && app.MapWebConsole(gateway, auth);
        if (useDapr)
        {
            // Events arrive from the sidecar (app-protocol grpc), authenticated by the app API token, not a bearer token.
            app.MapDaprAppCallback().AllowAnonymous();
        }

        app.Lifetime.ApplicationStarted.Register(() => Announce(app, endpoints, gateway, consoleServed));
        if (dataDirectoryWarning is not null)
        {
            LogDataDirectoryOpen(app.Logger, dataDirectoryWarning);
        }

        return app;
    }

    /// <summary>
    /// A process hosting modules that calls, or is called by, modules in other processes must share
    /// the service key with them (<c>DirectConnect:ServiceIdentity:Key</c>): a key minted in memory
    /// would make every internal call between the processes fail. Refuse to start instead.
    /// </summary>
    private static void RequireSharedServiceKey(IConfiguration configuration, IReadOnlyList<string> modules)
    {
        var hostsDomainModules = modules.Any(m => !string.Equals(m, "Gateway", StringComparison.OrdinalIgnoreCase));
        var distributed = configuration.GetSection($"{ServiceEndpointOptions.Section}:Addresses").GetChildren().Any(c => !string.IsNullOrWhiteSpace(c.Value));
        if (hostsDomainModules && distributed &&
            string.IsNullOrWhiteSpace(configuration[$"{Platform.ServiceIdentity.ServiceIdentityOptions.Section}:Key"]))
        {
            throw new InvalidOperationException(
                "Modules in separate processes prove to one another that they are DirectConnect's services with a shared key: set " +
                $"{Platform.ServiceIdentity.ServiceIdentityOptions.Section}:Key (base64, at least 256 bits; on Kubernetes from a Secret) in every module process.");
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Warning}")]
    private static partial void LogDataDirectoryOpen(ILogger logger, string warning);

    private static void Announce(WebApplication app, GatewayEndpoints endpoints, GatewayOptions gateway, bool consoleServed)
    {
        if (consoleServed)
        {
            var consoleAddress = new Uri(endpoints.RestAddress, WebConsole.PathBase + "/");
            LogStartedWithConsole(app.Logger, endpoints.GrpcAddress, endpoints.RestAddress, consoleAddress, gateway.DataDirectory);
        }
        else
        {
            LogStarted(app.Logger, endpoints.GrpcAddress, endpoints.RestAddress, gateway.DataDirectory);
        }

        if (endpoints.InternalGrpcAddress is { } internalAddress)
        {
            LogInternal(app.Logger, internalAddress);
        }

        if (endpoints.MetricsAddress is { } metricsAddress)
        {
            LogMetrics(app.Logger, metricsAddress);
        }
    }

    [LoggerMessage(Level = LogLevel.Information,
        Message = "DirectConnect is up: gRPC {GrpcAddress}, REST {RestAddress} (OpenAPI document at /openapi/v1.json), data in {DataDirectory}")]
    private static partial void LogStarted(ILogger logger, Uri grpcAddress, Uri restAddress, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "DirectConnect is up: gRPC {GrpcAddress}, REST {RestAddress} (OpenAPI document at /openapi/v1.json), console {ConsoleAddress}, data in {DataDirectory}")]
    private static partial void LogStartedWithConsole(ILogger logger, Uri grpcAddress, Uri restAddress, Uri consoleAddress, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "The modules' internal API (service identities only) is on {InternalAddress}, loopback")]
    private static partial void LogInternal(ILogger logger, Uri internalAddress);

    [LoggerMessage(Level = LogLevel.Information, Message = "Prometheus metrics are on {MetricsAddress} (path /metrics), nothing else on that port")]
    private static partial void LogMetrics(ILogger logger, Uri metricsAddress);
}
