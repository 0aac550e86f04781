namespace DirectConnect.Gateway.Hosting;

/// <summary>Configuration section <c>DirectConnect</c>: where the embedded system keeps its data and listens.</summary>
public sealed class GatewayOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect";

    /// <summary>
    /// Holds the coordination database and the generated token-signing key. Default:
    /// <c>$XDG_DATA_HOME/directconnect</c> (usually <c>~/.local/share/directconnect</c>).
    /// </summary>
    public string DataDirectory { get; set; } = DefaultDataDirectory;

    /// <summary>Address to listen on; loopback unless deliberately changed.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    /// <summary>gRPC port (HTTP/2 without TLS, h2c). 0 picks a free port.</summary>
    public int GrpcPort { get; set; } = 9090;

    /// <summary>REST/JSON and OpenAPI port (HTTP/1.1). 0 picks a free port.</summary>
    public int RestPort { get; set; } = 8080;

    /// <summary>
    /// The REST/JSON address clients reach the gateway at when that is not the address they fetch the OpenAPI
    /// document with (a TLS-terminating proxy: <c>https://dx.example.com</c>): the document's server. Empty (the
    /// default): the scheme and host of the request for the document.
    /// </summary>
    public string? PublicRestUrl { get; set; }

    /// <summary>
    /// Port of the loopback listener on which a public edge that also hosts modules (the embedded
    /// default) serves their internal API to one another. 0 (the default) picks a free port.
    /// </summary>
    public int InternalGrpcPort { get; set; }

    /// <summary>
    /// Port of the listener that serves Prometheus <c>/metrics</c> (HTTP/1.1, on <see cref="ListenAddress"/>) and
    /// nothing else; unset (the default), no such listener. 0 picks a free port. Never the REST or gRPC port:
    /// the metrics stay off the public face, and a scraper needs no token.
    /// </summary>
    public int? MetricsPort { get; set; }

    /// <summary>
    /// The modules this process hosts, comma-separated (<c>--modules</c>): any of
    /// <see cref="GatewayApp.ModuleNames"/>; empty or <c>all</c> (the embedded default) hosts every one.
    /// The same binary runs the distributed topology, one module per process.
    /// </summary>
    public string Modules { get; set; } = "all";

    /// <summary>The default data directory.</summary>
    public static string DefaultDataDirectory =>
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.Create), "directconnect");

    /// <summary>The coordination database inside <see cref="DataDirectory"/>.</summary>
    public string DatabasePath => Path.Combine(DataDirectory, "directconnect.db");
}
