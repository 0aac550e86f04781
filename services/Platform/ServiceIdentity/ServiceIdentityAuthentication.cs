using System.Security.Claims;
using System.Text.Encodings.Web;
using DirectConnect.Platform.Errors;
using DirectConnect.Platform.Grpc;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DirectConnect.Platform.ServiceIdentity;

/// <summary>
/// The <c>ServiceIdentity</c> authentication scheme: a bearer service token (see
/// <see cref="ServiceCredentials"/>) becomes a principal carrying the calling service's app-id. It
/// is the only scheme the internal API's endpoints accept; a request that does not prove a service
/// identity — a person's token of any role included — is PERMISSION_DENIED with reason
/// <c>SERVICE_IDENTITY_REQUIRED</c>.
/// </summary>
public sealed class ServiceIdentityAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ServiceCredentials credentials) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    /// <summary>The scheme's name.</summary>
    public const string SchemeName = "ServiceIdentity";

    /// <inheritdoc />
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var caller = await credentials.ValidateCallerAsync(header["Bearer ".Length..].Trim()).ConfigureAwait(false);
        if (caller is null)
        {
            return AuthenticateResult.Fail("not a service token");
        }

        var identity = new ClaimsIdentity([new Claim(ServiceCredentials.ServiceClaim, caller.Service)], SchemeName, ServiceCredentials.ServiceClaim, null);
        if (caller.Router is not null)
        {
            identity.AddClaim(new Claim(AgentIdentity.RouterClaim, caller.Router));
        }

        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    /// <inheritdoc />
    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => RefuseAsync();

    /// <inheritdoc />
    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => RefuseAsync();

    private Task RefuseAsync() => StatusResponses.WriteAsync(Context, RpcStatusMapper.ToStatus(ServiceIdentityErrors.Required()));
}

/// <summary>The errors of the internal API's admission.</summary>
public static class ServiceIdentityErrors
{
    /// <summary>PERMISSION_DENIED: the caller proved no service identity (a person's token never does).</summary>
    public static DomainException Required() =>
        new(ErrorCode.PermissionDenied, "SERVICE_IDENTITY_REQUIRED",
            "This method belongs to the internal API: only DirectConnect's own services may call it.");

    /// <summary>PERMISSION_DENIED: a service the method does not allow, or a Dapr caller app-id that does not match.</summary>
    public static DomainException NotAllowed(string method, string caller) =>
        new(ErrorCode.PermissionDenied, "CALLER_NOT_ALLOWED", $"{method} may not be called by {caller}.")
        {
            Metadata = new Dictionary<string, string> { ["method"] = method },
        };
}
