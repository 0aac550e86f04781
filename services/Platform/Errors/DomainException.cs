namespace DirectConnect.Platform.Errors;

/// <summary>
/// A failure the caller can act on, raised by domain and application code in plain C# and turned
/// into a <c>google.rpc.Status</c> at the edge. <see cref="Reason"/> is a stable UPPER_SNAKE_CASE
/// identifier (the ErrorInfo reason) that clients may switch on.
/// </summary>
public sealed class DomainException : Exception
{
    /// <summary>Creates an error; prefer the named factories.</summary>
    public DomainException(ErrorCode code, string reason, string message) : base(message)
    {
        Code = code;
        Reason = reason;
    }

    /// <summary>The canonical code.</summary>
    public ErrorCode Code { get; }

    /// <summary>The stable machine-readable reason.</summary>
    public string Reason { get; }

    /// <summary>ErrorInfo metadata (e.g. the current state).</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>For <see cref="ErrorCode.InvalidArgument"/>: every bad field.</summary>
    public IReadOnlyList<FieldViolation> FieldViolations { get; init; } = [];

    /// <summary>For <see cref="ErrorCode.FailedPrecondition"/>: what blocks the operation.</summary>
    public IReadOnlyList<PreconditionViolation> PreconditionViolations { get; init; } = [];

    /// <summary>For <see cref="ErrorCode.ResourceExhausted"/>: the quotas exceeded.</summary>
    public IReadOnlyList<QuotaViolation> QuotaViolations { get; init; } = [];

    /// <summary>The resource concerned, when there is one.</summary>
    public ResourceReference? Resource { get; init; }

    /// <summary>Retry after this delay (rate limits, a module that is down).</summary>
    public TimeSpan? RetryDelay { get; init; }

    /// <summary>
    /// INVALID_ARGUMENT naming every bad field. <paramref name="omitted"/> violations more were counted but not
    /// listed (see <see cref="RequestValidation"/>): the message counts them, and a last violation without a field says so.
    /// </summary>
    public static DomainException InvalidArgument(IReadOnlyList<FieldViolation> violations, int omitted = 0)
    {
        ArgumentNullException.ThrowIfNull(violations);
        var total = violations.Count + omitted;
        return new(ErrorCode.InvalidArgument, "INVALID_ARGUMENT",
            total == 1
                ? $"Invalid {violations[0].Field}: {violations[0].Description}"
                : $"The request has {total} invalid fields: {string.Join(", ", violations.Select(v => v.Field))}.")
        {
            FieldViolations = omitted == 0
                ? violations
                : [.. violations, new FieldViolation("", $"{omitted} more violations of the fields above are not listed")],
        };
    }

    /// <summary>NOT_FOUND for a resource that does not exist or is not the caller's.</summary>
    public static DomainException NotFound(string resourceType, string id) =>
        new(ErrorCode.NotFound, "RESOURCE_NOT_FOUND", $"{resourceType} '{id}' was not found.")
        {
            Resource = new ResourceReference(resourceType, id, "not found"),
            Metadata = new Dictionary<string, string> { ["resourceType"] = resourceType, ["id"] = id },
        };

    /// <summary>ABORTED for a stale ETag.</summary>
    public static DomainException StaleETag(string resourceType, string id) =>
        new(ErrorCode.Aborted, "ETAG_MISMATCH",
            $"{resourceType} '{id}' was changed since the given etag was read; get it again and retry.")
        {
            Resource = new ResourceReference(resourceType, id, "etag mismatch"),
        };

    /// <summary>ABORTED when optimistic retries kept losing to concurrent writers.</summary>
    public static DomainException Contended(string what) =>
        new(ErrorCode.Aborted, "CONCURRENT_MODIFICATION", $"{what} is being changed concurrently; retry the request.");

    /// <summary>FAILED_PRECONDITION because the resource is in the wrong state.</summary>
    public static DomainException WrongState(string resourceType, string id, string currentState, string operation) =>
        new(ErrorCode.FailedPrecondition, "INVALID_STATE",
            $"Cannot {operation} {resourceType} '{id}' in state {currentState}.")
        {
            Resource = new ResourceReference(resourceType, id),
            Metadata = new Dictionary<string, string> { ["currentState"] = currentState, ["operation"] = operation },
            PreconditionViolations = [new PreconditionViolation("STATE", $"{resourceType}/{id}", $"state is {currentState}")],
        };

    /// <summary>UNAUTHENTICATED, saying nothing of which check failed (no hints to an attacker).</summary>
    public static DomainException NoValidCredentials() =>
        new(ErrorCode.Unauthenticated, "UNAUTHENTICATED", "The request carries no valid credentials.");

    /// <summary>PERMISSION_DENIED for a method that needs a role the caller lacks.</summary>
    public static DomainException RoleRequired(string role, string method) =>
        new(ErrorCode.PermissionDenied, "ROLE_REQUIRED", $"{method} requires the '{role}' role.")
        {
            Metadata = new Dictionary<string, string> { ["role"] = role, ["method"] = method },
        };

    /// <summary>How long a client should wait before retrying a call to a module that is down.</summary>
    public static readonly TimeSpan UnavailableRetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// UNAVAILABLE because the process serving <paramref name="service"/> (module <paramref name="module"/>)
    /// cannot be reached. Names the module, never its address; the retry hint says to try again shortly.
    /// </summary>
    public static DomainException ServiceUnavailable(string module, string service) =>
        new(ErrorCode.Unavailable, "SERVICE_UNAVAILABLE", $"The {module} service is unavailable at the moment; retry shortly.")
        {
            Metadata = new Dictionary<string, string> { ["module"] = module, ["service"] = service },
            RetryDelay = UnavailableRetryDelay,
        };

    /// <summary>UNIMPLEMENTED for methods a later release implements.</summary>
    public static DomainException NotImplementedYet(string method) =>
        new(ErrorCode.Unimplemented, "NOT_IMPLEMENTED", $"{method} is not implemented yet.");
}
