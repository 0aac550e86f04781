namespace DirectConnect.Platform.Errors;

/// <summary>The canonical codes the domain may raise (a subset of google.rpc.Code).</summary>
public enum ErrorCode
{
    /// <summary>The request is malformed; the field violations say where.</summary>
    InvalidArgument,
    /// <summary>The resource does not exist, or belongs to another account.</summary>
    NotFound,
    /// <summary>The resource (or request id) already exists.</summary>
    AlreadyExists,
    /// <summary>The resource is not in a state that allows the operation.</summary>
    FailedPrecondition,
    /// <summary>A concurrent change won (stale ETag); read again and retry.</summary>
    Aborted,
    /// <summary>The caller lacks the role the method needs.</summary>
    PermissionDenied,
    /// <summary>A quota or rate limit is exhausted.</summary>
    ResourceExhausted,
    /// <summary>The caller is not authenticated.</summary>
    Unauthenticated,
    /// <summary>The method is not implemented yet.</summary>
    Unimplemented,
    /// <summary>A dependency is unavailable; retry with backoff.</summary>
    Unavailable,
}
