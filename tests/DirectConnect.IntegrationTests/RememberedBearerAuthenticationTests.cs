using System.Net;
using System.Net.Http.Headers;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Tenancy;
using Grpc.Core;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.IntegrationTests;

/// <summary>The embedded system, counting how often the JWT bearer handler runs (its message-received event).</summary>
public sealed class BearerCountingSystem : EmbeddedSystem
{
    private int _handlerRuns;

    /// <summary>How many requests went through the JWT bearer handler.</summary>
    public int BearerHandlerRuns => Volatile.Read(ref _handlerRuns);

    /// <inheritdoc />
    protected override void Configure(WebApplicationBuilder builder) =>
        builder.Services.PostConfigure<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme, options =>
        {
            var received = options.Events.OnMessageReceived;
            options.Events.OnMessageReceived = context =>
            {
                Interlocked.Increment(ref _handlerRuns);
                return received(context);
            };
        });
}

/// <summary>
/// A bearer token validated a moment ago is authenticated from the token cache, on both transports, without the bearer
/// handler, and gives the same caller as a full validation: its account and its roles.
/// </summary>
public sealed class RememberedBearerAuthenticationTests(BearerCountingSystem system) : IClassFixture<BearerCountingSystem>
{
    [Fact]
    public async Task ARememberedTokenSkipsTheBearerHandlerOnBothTransportsAndKeepsItsCaller()
    {
        var account = "fast-" + Guid.NewGuid().ToString("N")[..8];
        var token = system.Token(account, Role.Customer);
        var call = new CallOptions(new Metadata { { "authorization", $"Bearer {token}" } });
        var connections = new PhysicalConnectionService.PhysicalConnectionServiceClient(system.Channel);
        var before = system.BearerHandlerRuns;

        var created = await connections.CreatePhysicalConnectionAsync(new CreatePhysicalConnectionRequest
        {
            Region = Seed.Region,
            PhysicalConnection = new PhysicalConnection { Name = "mine", LocationId = system.DefaultLocationId, PortSpeed = PortSpeed._10G, BandwidthMbps = 1000, Provider = "p" },
        }, call);
        Assert.Equal(before + 1, system.BearerHandlerRuns); // the first call validates the token
        Assert.Equal(account, created.AccountId);

        for (var i = 0; i < 3; i++)
        {
            var read = await connections.GetPhysicalConnectionAsync(new GetPhysicalConnectionRequest { Region = Seed.Region, Id = created.Id }, call);
            Assert.Equal(account, read.AccountId);
        }

        using var rest = new HttpClient { BaseAddress = system.RestAddress };
        rest.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await rest.GetAsync($"/v1/regions/{Seed.Region}/physicalConnections/{created.Id}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // A lower-case scheme is the same token, as the bearer handler reads it.
        using var lower = new HttpRequestMessage(HttpMethod.Get, $"/v1/regions/{Seed.Region}/physicalConnections/{created.Id}");
        lower.Headers.TryAddWithoutValidation("Authorization", $"bearer {token}");
        Assert.Equal(HttpStatusCode.OK, (await rest.SendAsync(lower)).StatusCode);
        Assert.Equal(before + 1, system.BearerHandlerRuns);

        // The remembered caller keeps its role, and only its own account's resources.
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, async () => await new LocationService.LocationServiceClient(system.Channel).CreateLocationAsync(
            new CreateLocationRequest { Region = Seed.Region, Location = new Location { Code = "FAST-1", Name = "no" } }, call));
        var other = new CallOptions(new Metadata { { "authorization", $"Bearer {system.Token(account + "-other", Role.Customer)}" } });
        await connections.ListPhysicalConnectionsAsync(new ListPhysicalConnectionsRequest { Region = Seed.Region }, other);
        await RpcAssert.FailsWith(StatusCode.NotFound, async () => await connections.GetPhysicalConnectionAsync(
            new GetPhysicalConnectionRequest { Region = Seed.Region, Id = created.Id }, other));
        Assert.Equal(before + 2, system.BearerHandlerRuns); // the other token: validated once, then remembered

        // A token that was never validated, and one that was refused, still go through the handler every time.
        var forged = token[..^2] + (token[^2] == 'A' ? "B" : "A") + token[^1];
        var refused = new CallOptions(new Metadata { { "authorization", $"Bearer {forged}" } });
        for (var i = 0; i < 2; i++)
        {
            await RpcAssert.FailsWithoutStatus(StatusCode.Unauthenticated, async () => await connections.GetPhysicalConnectionAsync(
                new GetPhysicalConnectionRequest { Region = Seed.Region, Id = created.Id }, refused));
        }

        Assert.Equal(before + 4, system.BearerHandlerRuns);
    }
}
