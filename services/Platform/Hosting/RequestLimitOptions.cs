namespace DirectConnect.Platform.Hosting;

/// <summary>
/// The size of one request, the same on both transports (configuration <c>DirectConnect:MaxRequestBytes</c>):
/// a REST body (Kestrel's <c>MaxRequestBodySize</c>) and a gRPC message (<c>MaxReceiveMessageSize</c>).
/// </summary>
public sealed class RequestLimitOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect";

    /// <summary>
    /// The default, 1 MiB: the largest valid request (an access device with 1,024 ports) is about 50 KB of
    /// JSON with ordinary port names and 105 KB with every name at its 64 characters (236 KB in three-byte
    /// UTF-8), so this leaves room to spare, at a quarter of gRPC's usual 4 MiB per request in memory.
    /// </summary>
    public const int DefaultMaxRequestBytes = 1024 * 1024;

    /// <summary>The smallest limit that can be configured: below it, ordinary requests (a 1,024-port device with short port names) would not fit.</summary>
    public const int MinimumMaxRequestBytes = 64 * 1024;

    /// <summary>The largest request body or message accepted, in bytes.</summary>
    public int MaxRequestBytes { get; set; } = DefaultMaxRequestBytes;

    /// <summary>The configured limit, refusing one below <see cref="MinimumMaxRequestBytes"/>.</summary>
    public int Validated() => MaxRequestBytes >= MinimumMaxRequestBytes
        ? MaxRequestBytes
        : throw new InvalidOperationException(
            $"{Section}:MaxRequestBytes must be at least {MinimumMaxRequestBytes} bytes; it is {MaxRequestBytes}.");
}
