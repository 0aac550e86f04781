using System.Net;
using System.Security.Claims;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Tenancy;
using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.IntegrationTests;

/// <summary>The embedded system, counting how often ASP.NET Core's policy evaluator authorizes a request (the full path).</summary>
public class PolicyCountingSystem : EmbeddedSystem
{
    private int _evaluations;

    /// <summary>How many requests the policy evaluator authorized or refused.</summary>
    public int Evaluations => Volatile.Read(ref _evaluations);

    /// <inheritdoc />
    protected override void Configure(WebApplicationBuilder builder) =>
        builder.Services.AddTransient<IPolicyEvaluator>(services =>
            new CountingEvaluator(ActivatorUtilities.CreateInstance<PolicyEvaluator>(services), () => Interlocked.Increment(ref _evaluations)));

    private sealed class CountingEvaluator(IPolicyEvaluator inner, Action counted) : IPolicyEvaluator
    {
        public Task<AuthenticateResult> AuthenticateAsync(AuthorizationPolicy policy, HttpContext context) => inner.AuthenticateAsync(policy, context);

        public Task<PolicyAuthorizationResult> AuthorizeAsync(AuthorizationPolicy policy, AuthenticateResult authenticationResult, HttpContext context, object? resource)
        {
            counted();
            return inner.AuthorizeAsync(policy, authenticationResult, context, resource);
        }
    }
}

/// <summary>The counting system with an authorization handler of its own, which refuses every account starting "blocked-".</summary>
public sealed class OwnHandlerSystem : PolicyCountingSystem
{
    /// <inheritdoc />
    protected override void Configure(WebApplicationBuilder builder)
    {
        base.Configure(builder);
        builder.Services.AddSingleton<IAuthorizationHandler, BlockingHandler>();
    }

    private sealed class BlockingHandler : AuthorizationHandler<ClaimsAuthorizationRequirement>
    {
        protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ClaimsAuthorizationRequirement requirement)
        {
            if (context.User.FindFirst(CallerClaims.Account)?.Value.StartsWith("blocked-", StringComparison.Ordinal) == true)
            {
                context.Fail();
            }

            return Task.CompletedTask;
        }
    }
}

/// <summary>
/// A public method, which only the fallback policy governs, is authorized without ASP.NET Core's authorization middleware
/// when the caller meets that policy; everything else still goes through it, with the same outcome as before.
/// </summary>
public sealed class FallbackPolicyAuthorizationTests(PolicyCountingSystem system) : IClassFixture<PolicyCountingSystem>
{
    [Fact]
    public async Task ACallerWhoMeetsTheFallbackPolicySkipsTheEvaluatorAndEveryOtherRequestDoesNot()
    {
        var account = "authz-" + Guid.NewGuid().ToString("N")[..8];
        var connections = new PhysicalConnectionService.PhysicalConnectionServiceClient(system.Channel);
        var call = system.As(account, Role.Customer);
        var created = await connections.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest
        {
            Region = Seed.Region,
            PhysicalConnection = new PhysicalConnection { Name = "mine", LocationId = system.DefaultLocationId, PortSpeed = PortSpeed._10G, BandwidthMbps = 1000, Provider = "p" },
        }, call);

        // The fast path: a valid caller on a public method, over gRPC and REST, remembered token or not.
        var before = system.Evaluations;
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(created.Id, (await connections.GetPhysicalConnectionAsync(new GetPhysicalConnectionRequest { Region = Seed.Region, Id = created.Id }, call)).Id);
        }

        using var rest = system.Rest(account, Role.Customer);
        Assert.Equal(HttpStatusCode.OK, (await rest.GetAsync($"/v1/regions/{Seed.Region}/physicalConnections/{created.Id}")).StatusCode);
        Assert.Equal(before, system.Evaluations);

        // No token: the full path, which challenges (UNAUTHENTICATED), each time.
        for (var i = 0; i < 2; i++)
        {
            await RpcAssert.FailsWithoutStatus(StatusCode.Unauthenticated, async () => await connections.GetPhysicalConnectionAsync(
                new GetPhysicalConnectionRequest { Region = Seed.Region, Id = created.Id }));
        }

        Assert.Equal(before + 2, system.Evaluations);

        // A valid token without the account claim the policy requires: the full path refuses it (a policy failure answers
        // UNAUTHENTICATED, as every credential that names no caller), the second time too, when the token is remembered and
        // its identity comes from the cache.
        var noAccount = new CallOptions(new Metadata { { "authorization", $"Bearer {Tokens.SignedWith(system.DataDirectory, new Claim(CallerClaims.Roles, Role.Operator))}" } });
        for (var i = 0; i < 2; i++)
        {
            await RpcAssert.FailsWithoutStatus(StatusCode.Unauthenticated, async () => await connections.GetPhysicalConnectionAsync(
                new GetPhysicalConnectionRequest { Region = Seed.Region, Id = created.Id }, noAccount));
        }

        Assert.Equal(before + 4, system.Evaluations);

        // An endpoint that declares its own authorization (health allows anonymous callers) goes through the middleware,
        // which lets it in before any policy is evaluated.
        var health = await new Health.HealthClient(system.Channel).CheckAsync(new HealthCheckRequest());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);
        Assert.Equal(before + 4, system.Evaluations);
    }
}

/// <summary>A host that registers an authorization handler of its own gets it run on every request: no fast path.</summary>
public sealed class OwnAuthorizationHandlerTests(OwnHandlerSystem system) : IClassFixture<OwnHandlerSystem>
{
    [Fact]
    public async Task TheHandlerRunsForEveryCallAndRefusesWhomItRefuses()
    {
        var connections = new PhysicalConnectionService.PhysicalConnectionServiceClient(system.Channel);
        var before = system.Evaluations;
        var allowed = system.As("fine-" + Guid.NewGuid().ToString("N")[..8], Role.Customer);
        for (var i = 0; i < 2; i++)
        {
            await connections.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Seed.Region }, allowed);
        }

        Assert.Equal(before + 2, system.Evaluations);

        var blocked = system.As("blocked-" + Guid.NewGuid().ToString("N")[..8], Role.Customer);
        for (var i = 0; i < 2; i++)
        {
            await RpcAssert.FailsWithoutStatus(StatusCode.Unauthenticated, async () =>
                await connections.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Seed.Region }, blocked));
        }

        Assert.Equal(before + 4, system.Evaluations);
    }
}
