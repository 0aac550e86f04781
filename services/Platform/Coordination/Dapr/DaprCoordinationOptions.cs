namespace DirectConnect.Platform.Coordination.Dapr;

/// <summary>Settings of the Dapr coordination adapter.</summary>
public sealed class DaprCoordinationOptions
{
    /// <summary>
    /// The sidecar's gRPC endpoint; null: <c>DAPR_GRPC_ENDPOINT</c>, else
    /// <c>http://127.0.0.1:$DAPR_GRPC_PORT</c> (50001 when unset), as Dapr.Client does.
    /// </summary>
    public string? GrpcEndpoint { get; set; }

    /// <summary>The Dapr state component (must be transactional, e.g. PostgreSQL).</summary>
    public string StoreName { get; set; } = "statestore";

    /// <summary>The Dapr pub/sub component.</summary>
    public string PubSubName { get; set; } = "pubsub";

    /// <summary>The CloudEvent <c>source</c> of events published through this process.</summary>
    public string Source { get; set; } = "directconnect";

    /// <summary>Prefix of the outbox's own keys in the state store (the pending index and one key per event).</summary>
    public string OutboxKeyPrefix { get; set; } = "outbox/";

    /// <summary>How often the relay looks for outbox entries left by other processes (or by a crash).</summary>
    public TimeSpan RelayInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The token the sidecar must present (header <c>dapr-api-token</c>) on AppCallback calls; null:
    /// <c>APP_API_TOKEN</c>, which Dapr also reads. When neither is set, calls are not checked, so
    /// keep the app port private to the pod.
    /// </summary>
    public string? AppApiToken { get; set; } = Environment.GetEnvironmentVariable("APP_API_TOKEN");

    /// <summary>
    /// The Dapr API token the sidecar requires of the app (header <c>dapr-api-token</c> on every call);
    /// null: <c>DAPR_API_TOKEN</c>, which Dapr.Client also reads.
    /// </summary>
    public string? ApiToken { get; set; } = Environment.GetEnvironmentVariable("DAPR_API_TOKEN");

    internal string ResolveEndpoint() =>
        GrpcEndpoint
        ?? Environment.GetEnvironmentVariable("DAPR_GRPC_ENDPOINT")
        ?? $"http://127.0.0.1:{Environment.GetEnvironmentVariable("DAPR_GRPC_PORT") ?? "50001"}";
}
