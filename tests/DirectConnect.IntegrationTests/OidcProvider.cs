using System.Collections.Concurrent;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// An OpenID Connect provider on loopback, as small as the authorization-code flow with PKCE allows, standing in
/// for the organisation's identity provider (Keycloak, Entra ID…) that a deployment names in
/// <c>DirectConnect:Auth:Authority</c>: discovery, keys (RS256), an authorization endpoint that signs in
/// <see cref="Account"/> without asking (the person has "typed their password"), and a token endpoint that checks
/// the client, the redirect address, the one-time code and the PKCE verifier. It keeps every token it issued, so a
/// test can show none of them reached a URL or a log.
/// </summary>
internal sealed class OidcProvider : IAsyncDisposable
{
    public const string ClientId = "directconnect-console";

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "test-" + Guid.NewGuid().ToString("N")[..8] };
    private readonly ConcurrentDictionary<string, Grant> _codes = new();

    private OidcProvider(WebApplication app) => _app = app;

    /// <summary>The issuer, which is also the authority's address.</summary>
    public string Issuer { get; private set; } = "";

    /// <summary>The account the next sign-in is for, and its roles.</summary>
    public string Account { get; set; } = "acme";

    public string[] Roles { get; set; } = ["customer"];

    /// <summary>Every token the provider issued.</summary>
    public ConcurrentBag<string> Issued { get; } = [];

    /// <summary>Token requests refused, with why (a wrong verifier, a reused code…).</summary>
    public ConcurrentBag<string> Refusals { get; } = [];

    public static async Task<OidcProvider> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var provider = new OidcProvider(app);
        provider.Map();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        provider.Issuer = address.TrimEnd('/') + "/realms/dc";
        return provider;
    }

    private void Map()
    {
        // The browser reads discovery, keys and tokens from the console's origin: they allow any origin, as public OIDC endpoints do.
        _app.Use(async (context, next) =>
        {
            context.Response.Headers.AccessControlAllowOrigin = "*";
            if (HttpMethods.IsOptions(context.Request.Method))
            {
                context.Response.Headers.AccessControlAllowHeaders = "content-type, authorization";
                context.Response.Headers.AccessControlAllowMethods = "GET, POST";
                context.Response.StatusCode = StatusCodes.Status204NoContent;
                return;
            }

            await next();
        });
        _app.MapGet("/realms/dc/.well-known/openid-configuration", () => Results.Text($$"""
            {
              "issuer": "{{Issuer}}",
              "authorization_endpoint": "{{Issuer}}/authorize",
              "token_endpoint": "{{Issuer}}/token",
              "jwks_uri": "{{Issuer}}/keys",
              "response_types_supported": ["code"],
              "subject_types_supported": ["public"],
              "id_token_signing_alg_values_supported": ["RS256"],
              "code_challenge_methods_supported": ["S256"],
              "grant_types_supported": ["authorization_code"]
            }
            """, "application/json"));
        _app.MapGet("/realms/dc/keys", () =>
        {
            var jwk = JsonWebKeyConverter.ConvertFromRSASecurityKey(new RsaSecurityKey(_key.Rsa.ExportParameters(false)) { KeyId = _key.KeyId });
            return Results.Json(new { keys = new[] { new { kty = jwk.Kty, kid = jwk.Kid, use = "sig", alg = "RS256", n = jwk.N, e = jwk.E } } });
        });
        _app.MapGet("/realms/dc/authorize", (HttpContext context) =>
        {
            var q = context.Request.Query;
            if (q["client_id"] != ClientId || q["response_type"] != "code" || q["code_challenge_method"] != "S256" || string.IsNullOrEmpty(q["code_challenge"]))
            {
                return Results.BadRequest("client_id, response_type=code and a S256 code_challenge are required");
            }

            var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
            _codes[code] = new Grant(q["redirect_uri"].ToString(), q["code_challenge"].ToString(), q["nonce"].ToString(), Account, Roles);
            var redirect = $"{q["redirect_uri"]}?code={code}&state={Uri.EscapeDataString(q["state"].ToString())}";
            return Results.Redirect(redirect);
        });
        _app.MapPost("/realms/dc/token", async (HttpContext context) =>
        {
            var form = await context.Request.ReadFormAsync();
            Grant? grant = null;
            var refusal = form["grant_type"] != "authorization_code" ? "grant_type"
                : form["client_id"] != ClientId ? "client_id"
                : !_codes.TryRemove(form["code"].ToString(), out grant) ? "code (unknown or used)"
                : form["redirect_uri"] != grant!.RedirectUri ? "redirect_uri"
                : Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(form["code_verifier"].ToString()))) != grant.Challenge ? "code_verifier"
                : null;
            if (refusal is not null)
            {
                Refusals.Add(refusal);
                return Results.Json(new { error = "invalid_grant", error_description = refusal }, statusCode: 400);
            }

            var access = Token("directconnect", grant!, includeRoles: true, nonce: null);
            var id = Token(ClientId, grant!, includeRoles: false, nonce: grant!.Nonce);
            Issued.Add(access);
            Issued.Add(id);
            return Results.Json(new { access_token = access, id_token = id, token_type = "Bearer", expires_in = 3600, scope = "openid profile" });
        });
    }

    private string Token(string audience, Grant grant, bool includeRoles, string? nonce)
    {
        var claims = new List<Claim> { new("sub", grant.Account), new("account", grant.Account) };
        if (includeRoles)
        {
            claims.AddRange(grant.Roles.Select(r => new Claim("roles", r)));
        }

        if (!string.IsNullOrEmpty(nonce))
        {
            claims.Add(new Claim("nonce", nonce));
        }

        var now = DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddHours(1),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
        });
    }

    public ValueTask DisposeAsync() => _app.DisposeAsync();

    private sealed record Grant(string RedirectUri, string Challenge, string Nonce, string Account, string[] Roles);
}
