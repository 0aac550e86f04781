using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.Platform.Grpc;

/// <summary>Errors of a call to another service, re-addressed to the fields of the request that caused them.</summary>
public static class DownstreamErrors
{
    /// <summary>
    /// The same error with every BadRequest field path renamed by <paramref name="rename"/> (e.g.
    /// <c>vlan</c> → <c>virtual_interface.vlan</c>), so the client sees its own field names.
    /// </summary>
    public static RpcException Readdress(RpcException exception, Func<string, string> rename)
    {
        ArgumentNullException.ThrowIfNull(exception);
        ArgumentNullException.ThrowIfNull(rename);
        if (exception.GetRpcStatus() is not { } status)
        {
            return exception;
        }

        for (var i = 0; i < status.Details.Count; i++)
        {
            if (status.Details[i].TryUnpack<BadRequest>(out var badRequest))
            {
                foreach (var violation in badRequest.FieldViolations)
                {
                    violation.Field = rename(violation.Field);
                }

                status.Details[i] = Google.Protobuf.WellKnownTypes.Any.Pack(badRequest);
            }
        }

        return status.ToRpcException();
    }
}
