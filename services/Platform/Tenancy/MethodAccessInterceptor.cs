using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using Grpc.Core;

namespace DirectConnect.Platform.Tenancy;

/// <summary>
/// Enforces, for every call of the public API (gRPC and transcoded REST alike), the access its
/// method declares in the proto before the method runs: an authenticated caller with an account
/// always, the <c>operator</c> role for <see cref="Access.Operator"/> methods. A method that
/// declares nothing is refused: forgetting is closed, not open. Tenancy within an account
/// (another account's resource is NOT_FOUND) is the methods' part, via <see cref="Caller"/>.
/// </summary>
public sealed class MethodAccessInterceptor(MethodAccessCatalog catalog) : AdmissionInterceptor
{
    /// <inheritdoc />
    protected override void Admit(ServerCallContext context)
    {
        var method = catalog.Find(context.Method);
        if (method is null)
        {
            return; // not the public API (health, reflection): their endpoints carry their own policy
        }

        var caller = context.GetCaller();
        switch (MethodAccessCatalog.AccessOf(method))
        {
            case Access.Account:
                return;
            case Access.Operator:
                caller.Require(Role.Operator, method.Name);
                return;
            default:
                throw new DomainException(ErrorCode.PermissionDenied, "ACCESS_UNDECLARED",
                    $"{method.Name} declares no access and is refused.");
        }
    }
}
