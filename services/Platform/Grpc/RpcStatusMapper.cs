using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Text;
using System.Text.RegularExpressions;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.Platform.Grpc;

/// <summary>
/// Turns a <see cref="DomainException"/> into the <c>google.rpc.Status</c> of AIP-193: the code,
/// a message, an <c>ErrorInfo</c> with the stable reason always, and <c>BadRequest</c>,
/// <c>PreconditionFailure</c>, <c>QuotaFailure</c>, <c>ResourceInfo</c> or <c>RetryInfo</c> details
/// where they apply.
/// </summary>
public static partial class RpcStatusMapper
{
    /// <summary>The ErrorInfo domain of every error this project raises.</summary>
    public const string ErrorDomain = "directconnect.v1";

    /// <summary>
    /// The longest message, description or metadata value a status carries. Errors echo the caller's input
    /// (an unknown update-mask path, a bad id), and the status travels in HTTP/2 trailers, which clients
    /// cap (64 KiB in .NET): an echo of a huge value must not make the error itself unreadable.
    /// </summary>
    public const int MaxTextLength = 256;

    /// <summary>
    /// The most violations of one kind a status lists (its message still counts them all). Over the limit, field
    /// violations still name every bad field: each field's first violation is kept (a field with an index,
    /// <c>cidr_blocks[7]</c>, counts as its field), then the others in order.
    /// </summary>
    public const int MaxViolations = 50;

    /// <summary>The rich status of <paramref name="error"/>.</summary>
    public static Google.Rpc.Status ToStatus(DomainException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var status = new Google.Rpc.Status { Code = (int)ToCode(error.Code), Message = Clip(error.Message) };
        var info = new ErrorInfo { Reason = error.Reason, Domain = ErrorDomain };
        foreach (var (key, value) in error.Metadata)
        {
            info.Metadata[key] = Clip(value);
        }
        status.Details.Add(Any.Pack(info));
        if (error.FieldViolations.Count > 0)
        {
            var badRequest = new BadRequest();
            badRequest.FieldViolations.AddRange(Bounded(error.FieldViolations).Select(v =>
                new BadRequest.Types.FieldViolation { Field = Clip(v.Field), Description = Clip(v.Description) }));
            status.Details.Add(Any.Pack(badRequest));
        }

        if (error.PreconditionViolations.Count > 0)
        {
            var failure = new PreconditionFailure();
            failure.Violations.AddRange(error.PreconditionViolations.Take(MaxViolations).Select(v =>
                new PreconditionFailure.Types.Violation { Type = v.Type, Subject = Clip(v.Subject), Description = Clip(v.Description) }));
            status.Details.Add(Any.Pack(failure));
        }

        if (error.QuotaViolations.Count > 0)
        {
            var failure = new QuotaFailure();
            failure.Violations.AddRange(error.QuotaViolations.Take(MaxViolations).Select(v =>
                new QuotaFailure.Types.Violation { Subject = Clip(v.Subject), Description = Clip(v.Description) }));
            status.Details.Add(Any.Pack(failure));
        }

        if (error.Resource is { } resource)
        {
            status.Details.Add(Any.Pack(new ResourceInfo
            {
                ResourceType = resource.ResourceType,
                ResourceName = Clip(resource.ResourceName),
                Description = Clip(resource.Description),
            }));
        }

        if (error.RetryDelay is { } delay)
        {
            status.Details.Add(Any.Pack(new RetryInfo { RetryDelay = Duration.FromTimeSpan(delay) }));
        }

        return status;
    }

    private static IEnumerable<FieldViolation> Bounded(IReadOnlyList<FieldViolation> violations)
    {
        if (violations.Count <= MaxViolations)
        {
            return violations;
        }

        var kept = new SortedSet<int>(Enumerable.Range(0, violations.Count)
            .DistinctBy(i => IndexPattern().Replace(violations[i].Field, ""))
            .Take(MaxViolations));
        for (var i = 0; kept.Count < MaxViolations; i++)
        {
            kept.Add(i);
        }

        return kept.Select(i => violations[i]);
    }

    [GeneratedRegex(@"\[\d+\]", RegexOptions.CultureInvariant)]
    private static partial Regex IndexPattern();

    // Every text of a status may echo the caller's input, and statuses are shown to users and logged
    // (gRPC logs each error status's message): unsafe characters are escaped before the length is capped.
    private static string Clip(string raw)
    {
        var text = UnsafeCharacters.Escape(raw);
        if (text.Length <= MaxTextLength)
        {
            return text;
        }

        var keep = MaxTextLength - 1;
        if (char.IsHighSurrogate(text[keep - 1]))
        {
            keep--; // never cut a surrogate pair in two
        }

        return string.Concat(text.AsSpan(0, keep), "…");
    }

    /// <summary>The status of an unexpected failure: no internals, only the trace id to quote.</summary>
    public static Google.Rpc.Status Internal(string traceId)
    {
        var status = new Google.Rpc.Status
        {
            Code = (int)StatusCode.Internal,
            Message = $"An internal error occurred. Quote trace id {traceId} when reporting it.",
        };
        var info = new ErrorInfo { Reason = "INTERNAL", Domain = ErrorDomain };
        info.Metadata.Add("traceId", traceId);
        status.Details.Add(Any.Pack(info));
        return status;
    }

    /// <summary>An <see cref="RpcException"/> that carries <paramref name="status"/> in its trailers.</summary>
    public static RpcException ToRpcException(Google.Rpc.Status status) => status.ToRpcException();

    /// <summary>The gRPC code of a domain code.</summary>
    public static StatusCode ToCode(ErrorCode code) => code switch
    {
        ErrorCode.InvalidArgument => StatusCode.InvalidArgument,
        ErrorCode.NotFound => StatusCode.NotFound,
        ErrorCode.AlreadyExists => StatusCode.AlreadyExists,
        ErrorCode.FailedPrecondition => StatusCode.FailedPrecondition,
        ErrorCode.Aborted => StatusCode.Aborted,
        ErrorCode.PermissionDenied => StatusCode.PermissionDenied,
        ErrorCode.ResourceExhausted => StatusCode.ResourceExhausted,
        ErrorCode.Unauthenticated => StatusCode.Unauthenticated,
        ErrorCode.Unimplemented => StatusCode.Unimplemented,
        ErrorCode.Unavailable => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    /// <summary>Reads the rich status back from an <see cref="RpcException"/> (clients and tests).</summary>
    public static Google.Rpc.Status? ReadStatus(RpcException exception) => exception.GetRpcStatus();

    /// <summary>Unpacks the first detail of type <typeparamref name="T"/>, if present.</summary>
    public static T? Detail<T>(this Google.Rpc.Status status) where T : class, IMessage<T>, new() =>
        status.Details.Select(d => d.TryUnpack<T>(out var value) ? value : null).FirstOrDefault(v => v is not null);
}
