using DirectConnect.Platform.Errors;
using Grpc.Core;

namespace DirectConnect.Platform.Tenancy;

/// <summary>Reads the <see cref="Caller"/> of a gRPC call from its authenticated principal.</summary>
public static class ServerCallContextCallerExtensions
{
    /// <summary>The caller; UNAUTHENTICATED when the principal carries no valid account.</summary>
    public static Caller GetCaller(this ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return context.GetHttpContext().GetCaller();
    }

    /// <summary>PERMISSION_DENIED unless the caller holds <paramref name="role"/>.</summary>
    public static Caller Require(this Caller caller, string role, string method)
    {
        ArgumentNullException.ThrowIfNull(caller);
        return caller.Roles.Contains(role) ? caller : throw DomainException.RoleRequired(role, method);
    }
}
