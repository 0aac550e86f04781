namespace DirectConnect.Platform.Hosting;

/// <summary>
/// Which probe a health check answers: <see cref="Live"/> checks make <c>/healthz</c> (and gRPC
/// health), <see cref="Ready"/> checks with them make <c>/readyz</c>. Liveness never depends on the
/// store or the sidecar: a process restarted for their outage would not bring them back.
/// </summary>
public static class HealthTags
{
    /// <summary>The process is up and serving.</summary>
    public const string Live = "live";

    /// <summary>What the process needs to do its work: the coordination store, the flow of events.</summary>
    public const string Ready = "ready";
}
