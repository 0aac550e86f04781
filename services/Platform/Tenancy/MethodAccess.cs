using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using DirectConnect.Platform.ServiceIdentity;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace DirectConnect.Platform.Tenancy;

/// <summary>
/// Enforces, before a method runs, who may call it, as the contracts declare next to its
/// definition. Public methods (gRPC and transcoded REST alike): an authenticated caller with an
/// account always, the <c>operator</c> role for <see cref="Access.Operator"/> methods, the <c>partner</c> role for
/// <see cref="Access.Partner"/> ones; a method
/// that declares nothing is refused — forgetting is closed, not open. Internal methods
/// (<c>directconnect.internal.v1</c>): a service identity whose app-id the method's
/// <c>callers</c> option names, and behind Dapr the sidecar's <c>dapr-caller-app-id</c> saying the
/// same. Tenancy within an account (another account's resource is NOT_FOUND) is the methods'
/// part, via <see cref="Caller"/>. <see cref="Grpc.ErrorInterceptor"/>, the one interceptor of every call, asks this first.
/// </summary>
public sealed class MethodAccess(
    MethodAccessCatalog catalog,
    InternalMethodCatalog internalCatalog,
    IOptions<ServiceIdentityOptions> serviceIdentity)
{
    /// <summary>The metadata Dapr's sidecar adds with the calling app's id (from its mTLS identity).</summary>
    public const string DaprCallerAppIdHeader = "dapr-caller-app-id";

    /// <summary>Throws a <see cref="DomainException"/> when the caller of <paramref name="context"/> may not call its method.</summary>
    public void Admit(ServerCallContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (catalog.Find(context.Method) is { } method)
        {
            AdmitPublic(context, method);
        }
        else if (internalCatalog.Find(context.Method) is { } internalMethod)
        {
            AdmitInternal(context, internalMethod);
        }

        // Otherwise neither API (health, reflection): their endpoints carry their own policy.
    }

    private static void AdmitPublic(ServerCallContext context, Google.Protobuf.Reflection.MethodDescriptor method) =>
        RequireAccess(context.GetCaller(), method);

    /// <summary>
    /// Refuses <paramref name="caller"/> unless the access <paramref name="method"/> declares admits it. REST requests are
    /// checked with it before their input is (<see cref="Rest.RestInputValidation"/>): who may call comes before what they sent.
    /// </summary>
    public static void RequireAccess(Caller caller, Google.Protobuf.Reflection.MethodDescriptor method)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(method);
        switch (MethodAccessCatalog.AccessOf(method))
        {
            case Access.Account:
                return;
            case Access.Operator:
                caller.Require(Role.Operator, method.Name);
                return;
            case Access.Partner:
                // The role only: whether the account is registered as a partner in the region is the method's to check.
                caller.Require(Role.Partner, method.Name);
                return;
            default:
                throw new DomainException(ErrorCode.PermissionDenied, "ACCESS_UNDECLARED",
                    $"{method.Name} declares no access and is refused.");
        }
    }

    private void AdmitInternal(ServerCallContext context, Google.Protobuf.Reflection.MethodDescriptor method)
    {
        var http = context.GetHttpContext();
        // The endpoint's policy admits service identities only; checked again here so that a
        // mapping without that policy still fails closed.
        var service = http.User.Identities
            .FirstOrDefault(i => i.IsAuthenticated && i.AuthenticationType == ServiceIdentityAuthenticationHandler.SchemeName)
            ?.FindFirst(ServiceCredentials.ServiceClaim)?.Value
            ?? throw ServiceIdentityErrors.Required();
        if (!InternalMethodCatalog.CallersOf(method).Contains(service, StringComparer.Ordinal))
        {
            throw ServiceIdentityErrors.NotAllowed(method.Name, service);
        }

        // Dapr's sidecar appends the caller's app-id to whatever the caller sent, so a forged value
        // shows up as a second one: anything but exactly the token's service is refused.
        var daprCallers = http.Request.Headers[DaprCallerAppIdHeader]
            .SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToArray();
        if (daprCallers.Length > 1 || (daprCallers.Length == 1 && daprCallers[0] != service))
        {
            throw ServiceIdentityErrors.NotAllowed(method.Name, string.Join(", ", daprCallers));
        }

        // Agents run next to the routers, outside the mesh: their calls come without a sidecar, proven by their router's key.
        if (daprCallers.Length == 0 && serviceIdentity.Value.RequireDaprCallerAppId && AgentIdentity.RouterOf(http.User) is null)
        {
            throw ServiceIdentityErrors.NotAllowed(method.Name, "a caller without a Dapr app-id");
        }
    }
}
