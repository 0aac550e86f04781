namespace DirectConnect.Platform.ServiceIdentity;

/// <summary>
/// Configuration section <c>DirectConnect:ServiceIdentity</c>: how DirectConnect's own services
/// prove to one another that a call of the internal API comes from one of them.
/// </summary>
public sealed class ServiceIdentityOptions
{
    /// <summary>The configuration section.</summary>
    public const string Section = "DirectConnect:ServiceIdentity";

    /// <summary>
    /// Base64 HMAC key (at least 256 bits) that signs and checks service tokens, shared by every
    /// process of one deployment (on Kubernetes, a Secret). Empty: the process mints a random key
    /// at start and keeps it in memory only, which serves the embedded default (one process) and
    /// nothing else — in particular the <c>token</c> command, which signs people's tokens with
    /// another key, can never produce a service token.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>
    /// Behind Dapr: refuse an internal call unless the callee's sidecar names exactly one caller
    /// app-id (<c>dapr-caller-app-id</c>, taken from the caller's mTLS identity) that the method
    /// allows and that matches the service token. Set in the Kubernetes manifests.
    /// </summary>
    public bool RequireDaprCallerAppId { get; set; }

    /// <summary>
    /// Base64 key (at least 256 bits) from which each border-gateway agent's key is derived (see
    /// <see cref="AgentIdentity"/>). Empty: no agent is admitted. The embedded default keeps one in its data
    /// directory (<c>keys/agent-root.key</c>) and prints a router's key with the <c>agent-key</c> command.
    /// </summary>
    public string? AgentRootKey { get; set; }

    /// <summary>How long a minted service token is valid; callers renew it at half-life.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(5);
}
