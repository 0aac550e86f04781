using System.Text;
using DirectConnect.Cli.Requests;
using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.Cli.Output;

/// <summary>The exit codes of <c>dc</c>, one per class of failure, so that scripts can tell them apart.</summary>
public static class ExitCodes
{
    /// <summary>Done.</summary>
    public const int Ok = 0;

    /// <summary>Anything not below: an internal error, a cancelled call, an unknown status.</summary>
    public const int Other = 1;

    /// <summary>Invalid input: a bad option or value (nothing sent), or INVALID_ARGUMENT / OUT_OF_RANGE from the API.</summary>
    public const int InvalidInput = 2;

    /// <summary>NOT_FOUND: the resource does not exist, or is not the caller's to see.</summary>
    public const int NotFound = 3;

    /// <summary>FAILED_PRECONDITION, ABORTED or ALREADY_EXISTS: the resource is not in a state that allows it, or changed meanwhile.</summary>
    public const int Conflict = 4;

    /// <summary>UNAUTHENTICATED or PERMISSION_DENIED, or no token to send.</summary>
    public const int Auth = 5;

    /// <summary>UNAVAILABLE or DEADLINE_EXCEEDED: the API could not be reached or did not answer in time; retrying may help.</summary>
    public const int Unavailable = 6;

    /// <summary>RESOURCE_EXHAUSTED: a quota, a capacity or a rate limit.</summary>
    public const int Exhausted = 7;

    /// <summary><c>--wait</c> ran out of time before the resource reached the state.</summary>
    public const int WaitTimedOut = 8;

    /// <summary>The exit code of a gRPC status.</summary>
    public static int Of(StatusCode code) => code switch
    {
        StatusCode.InvalidArgument or StatusCode.OutOfRange => InvalidInput,
        StatusCode.NotFound => NotFound,
        StatusCode.FailedPrecondition or StatusCode.Aborted or StatusCode.AlreadyExists => Conflict,
        StatusCode.Unauthenticated or StatusCode.PermissionDenied => Auth,
        StatusCode.Unavailable or StatusCode.DeadlineExceeded => Unavailable,
        StatusCode.ResourceExhausted => Exhausted,
        _ => Other,
    };
}

/// <summary>
/// A failed call as a person reads it, from the <c>google.rpc.Status</c> the API returns: the code and
/// message, the reason, each bad field with the option that sets it, each blocker of a precondition,
/// each quota, and when to retry.
/// </summary>
public static class Failure
{
    /// <summary>The lines to print on standard error.</summary>
    public static string Describe(RpcException error, RequestShape? shape)
    {
        var text = new StringBuilder();
        var status = error.GetRpcStatus();
        var message = status?.Message ?? error.Status.Detail;
        text.Append("error: ").Append(CodeName(error.StatusCode)).Append(": ").AppendLine(message);
        if (status is null)
        {
            if (error.StatusCode == StatusCode.Unavailable)
            {
                text.AppendLine("  the API could not be reached: is the endpoint right (--endpoint, DC_ENDPOINT, `dc login --endpoint`) and the gateway running?");
            }

            return text.ToString();
        }

        if (status.GetDetail<ErrorInfo>() is { } info)
        {
            text.Append("  reason: ").Append(info.Reason);
            if (!string.IsNullOrEmpty(info.Domain))
            {
                text.Append(" (").Append(info.Domain).Append(')');
            }

            text.AppendLine();
            foreach (var (key, value) in info.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
            {
                text.Append("    ").Append(key).Append(": ").AppendLine(value);
            }
        }

        if (status.GetDetail<BadRequest>() is { } bad)
        {
            foreach (var violation in bad.FieldViolations)
            {
                var option = shape?.OptionFor(violation.Field);
                text.Append("  ").Append(option is null ? violation.Field : $"{option} ({violation.Field})").Append(": ");
                text.Append(violation.Description);
                if (!string.IsNullOrEmpty(violation.Reason))
                {
                    text.Append(" [").Append(violation.Reason).Append(']');
                }

                text.AppendLine();
            }
        }

        if (status.GetDetail<PreconditionFailure>() is { } precondition)
        {
            foreach (var violation in precondition.Violations)
            {
                text.Append("  blocked by ").Append(violation.Type).Append(' ').Append(violation.Subject).Append(": ").AppendLine(violation.Description);
            }
        }

        if (status.GetDetail<QuotaFailure>() is { } quota)
        {
            foreach (var violation in quota.Violations)
            {
                text.Append("  quota ").Append(violation.Subject).Append(": ").AppendLine(violation.Description);
            }
        }

        if (status.GetDetail<ResourceInfo>() is { } resource)
        {
            text.Append("  resource: ").Append(resource.ResourceType).Append(' ').Append(resource.ResourceName);
            text.AppendLine(string.IsNullOrEmpty(resource.Description) ? "" : $": {resource.Description}");
        }

        if (status.GetDetail<RetryInfo>() is { RetryDelay: { } delay })
        {
            text.Append("  retry after ").Append(delay.ToTimeSpan().TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)).AppendLine(" s");
        }

        if (status.GetDetail<Help>() is { } help)
        {
            foreach (var link in help.Links)
            {
                text.Append("  see ").Append(link.Url).AppendLine(string.IsNullOrEmpty(link.Description) ? "" : $" ({link.Description})");
            }
        }

        return text.ToString();
    }

    /// <summary>UNAUTHENTICATED as the API's documents spell codes.</summary>
    public static string CodeName(StatusCode code) => code switch
    {
        StatusCode.OK => "OK",
        _ => string.Concat(code.ToString().Select((c, i) => i > 0 && char.IsUpper(c) ? $"_{c}" : char.ToUpperInvariant(c).ToString())),
    };
}
