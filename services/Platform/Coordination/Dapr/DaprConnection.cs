using global::Dapr.Client;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;
using RuntimeClient = global::Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient;

namespace DirectConnect.Platform.Coordination.Dapr;

/// <summary>
/// The sidecar, as this process reaches it: Dapr.Client for everything it offers binary-safe, and
/// the generated runtime client on the same endpoint for bulk reads (Dapr.Client's untyped
/// <c>GetBulkStateAsync</c> decodes values as UTF-8 text, which would corrupt protobuf bytes).
/// </summary>
public sealed class DaprConnection : IDisposable
{
    private readonly GrpcChannel _channel;

    /// <summary>Connects (lazily, as gRPC does) to the configured sidecar.</summary>
    public DaprConnection(IOptions<DaprCoordinationOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Value;
        var endpoint = Options.ResolveEndpoint();
        var builder = new DaprClientBuilder().UseGrpcEndpoint(endpoint);
        _channel = GrpcChannel.ForAddress(endpoint);
        if (Options.ApiToken is { Length: > 0 } token)
        {
            // With an API token on the sidecar, every call of the app must carry it: the SDK's and the raw runtime client's alike.
            builder.UseDaprApiToken(token);
            Runtime = new RuntimeClient(_channel.Intercept(headers =>
            {
                var withToken = headers ?? [];
                withToken.Add("dapr-api-token", token);
                return withToken;
            }));
        }
        else
        {
            Runtime = new RuntimeClient(_channel);
        }

        Client = builder.Build();
    }

    /// <summary>The adapter's settings.</summary>
    public DaprCoordinationOptions Options { get; }

    /// <summary>The Dapr SDK client.</summary>
    public DaprClient Client { get; }

    /// <summary>The generated client of the runtime's gRPC API.</summary>
    public RuntimeClient Runtime { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Client.Dispose();
        _channel.Dispose();
    }
}
