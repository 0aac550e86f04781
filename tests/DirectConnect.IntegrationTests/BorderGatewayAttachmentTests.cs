using DirectConnect.BorderGateways.Application;
using DirectConnect.BorderGateways.Domain;
using DirectConnect.BorderGateways.Storage;
using DirectConnect.Platform.Coordination;
using Microsoft.Extensions.DependencyInjection;
using DomainGateway = DirectConnect.BorderGateways.Domain.BorderGateway;

namespace DirectConnect.IntegrationTests;

/// <summary>When a border gateway turns AVAILABLE, and which VPCs it is attached to by then.</summary>
public sealed class BorderGatewayAttachmentTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private const string Region = Seed.Region;
    private readonly Seed _seed = new(system.Channel, system.As);

    private static string NewAccount() => "acct-" + Guid.NewGuid().ToString("N")[..10];

    [Fact]
    public async Task AGatewayIsAvailableOnlyOnceAttachedToEveryVpcRegisteredBeforeIt()
    {
        // The race is between the catalog's VpcRegistered events and the gateway's own creation:
        // many rounds, each registering two VPCs right before the gateway, give it every chance.
        const int rounds = 30;
        var early = new List<string>();
        for (var round = 0; round < rounds; round++)
        {
            var account = NewAccount();
            var first = await _seed.RegisterVpcAsync(account, "10.1.0.0/16");
            var second = await _seed.RegisterVpcAsync(account, "10.2.0.0/16");
            var created = await _seed.GatewayAsync(account);
            var available = await Seed.EventuallyAsync(() => _seed.GetGatewayAsync(account, created.Id),
                g => g.State == Contracts.V1.BorderGateway.Types.State.Available, "became AVAILABLE");
            var attached = available.VpcAttachments.Select(a => a.VpcId).Order(StringComparer.Ordinal).ToArray();
            if (!attached.SequenceEqual(new[] { first.Id, second.Id }.Order(StringComparer.Ordinal)))
            {
                early.Add($"{created.Id} was AVAILABLE attached to [{string.Join(", ", attached)}] of {first.Id} and {second.Id}");
            }
        }

        Assert.True(early.Count == 0, $"{early.Count} of {rounds} gateways were AVAILABLE before attaching every VPC registered before them:\n" +
            string.Join('\n', early));
    }

    // The orders in which the catalog's events and a gateway's creation can be handled, staged one
    // by one below the API (an account of its own, so the running handlers see none of it).

    [Fact]
    public async Task AGatewayWaitsForAVpcTheCatalogListedButItsEventsHaveNotDeliveredYet()
    {
        var (account, attacher) = (NewAccount(), Attacher);
        var gatewayId = await StageGatewayAsync(account, awaiting: ["vpc-a1"]);

        await attacher.GatewayCreatedAsync(gatewayId, CancellationToken.None);
        Assert.Equal(BorderGatewayState.Creating, (await GatewayAsync(gatewayId)).State);

        await attacher.VpcRegisteredAsync(account, Region, new KnownVpc("vpc-a1", ["10.1.0.0/16"]), CancellationToken.None);
        await AssertAvailableAttachedToAsync(gatewayId, "vpc-a1");
    }

    [Fact]
    public async Task AGatewayDoesNotWaitForAVpcDeregisteredBeforeItWasIndexed()
    {
        var (account, attacher) = (NewAccount(), Attacher);
        // The catalog listed both, then both events were handled before the gateway was in the index.
        await attacher.VpcRegisteredAsync(account, Region, new KnownVpc("vpc-b1", ["10.1.0.0/16"]), CancellationToken.None);
        await attacher.VpcRegisteredAsync(account, Region, new KnownVpc("vpc-b2", ["10.2.0.0/16"]), CancellationToken.None);
        await attacher.VpcDeregisteredAsync(account, Region, "vpc-b1", CancellationToken.None);
        var gatewayId = await StageGatewayAsync(account, awaiting: ["vpc-b1", "vpc-b2"]);

        await attacher.GatewayCreatedAsync(gatewayId, CancellationToken.None);
        await AssertAvailableAttachedToAsync(gatewayId, "vpc-b2");
    }

    [Fact]
    public async Task AGatewayDoesNotWaitForAVpcDeregisteredBeforeItsRegistrationWasSeen()
    {
        var (account, attacher) = (NewAccount(), Attacher);
        var gatewayId = await StageGatewayAsync(account, awaiting: ["vpc-c1", "vpc-c2"]);
        await attacher.GatewayCreatedAsync(gatewayId, CancellationToken.None);
        await attacher.VpcRegisteredAsync(account, Region, new KnownVpc("vpc-c2", ["10.2.0.0/16"]), CancellationToken.None);
        Assert.Equal(BorderGatewayState.Creating, (await GatewayAsync(gatewayId)).State);

        // Out of order: the deregistration arrives first, and the registration delivered after it changes nothing.
        await attacher.VpcDeregisteredAsync(account, Region, "vpc-c1", CancellationToken.None);
        await AssertAvailableAttachedToAsync(gatewayId, "vpc-c2");
        await attacher.VpcRegisteredAsync(account, Region, new KnownVpc("vpc-c1", ["10.1.0.0/16"]), CancellationToken.None);
        await AssertAvailableAttachedToAsync(gatewayId, "vpc-c2");
    }

    [Fact]
    public async Task AVpcRegisteredAfterTheCatalogWasReadAttachesWithoutHoldingTheGatewayBack()
    {
        var (account, attacher) = (NewAccount(), Attacher);
        var gatewayId = await StageGatewayAsync(account, awaiting: []);
        await attacher.VpcRegisteredAsync(account, Region, new KnownVpc("vpc-d1", ["10.1.0.0/16"]), CancellationToken.None);
        var available = await AssertAvailableAttachedToAsync(gatewayId, "vpc-d1");

        await attacher.GatewayCreatedAsync(gatewayId, CancellationToken.None); // delivered later, or again: no change
        Assert.Equal(available.ETag, (await GatewayAsync(gatewayId)).ETag);
    }

    private VpcAttacher Attacher => system.Services.GetRequiredService<VpcAttacher>();

    private BorderGatewayStore Gateways => system.Services.GetRequiredService<BorderGatewayStore>();

    private async Task<DomainGateway> GatewayAsync(string id) => (await Gateways.GetAsync(id, CancellationToken.None))!.Value;

    private async Task<DomainGateway> AssertAvailableAttachedToAsync(string gatewayId, params string[] vpcIds)
    {
        var gateway = await GatewayAsync(gatewayId);
        Assert.Equal(BorderGatewayState.Available, gateway.State);
        Assert.Equal(vpcIds, gateway.Attachments.Select(a => a.VpcId));
        return gateway;
    }

    /// <summary>What CreateBorderGateway commits: a CREATING gateway awaiting <paramref name="awaiting"/>, in the account's index.</summary>
    private async Task<string> StageGatewayAsync(string account, string[] awaiting)
    {
        var now = DateTimeOffset.UtcNow;
        var gateway = DomainGateway.Create("dxbgw-" + Guid.NewGuid().ToString("N")[..12], account, Region, "bgw", "", DomainGateway.DefaultAsn,
            awaiting, "rtb-" + Guid.NewGuid().ToString("N")[..12], now, Guid.NewGuid().ToString("N"));
        var index = await Gateways.GetIndexForAppendAsync(account, Region, CancellationToken.None);
        Assert.True(await system.Services.GetRequiredService<IStateStore>().TryExecuteTransactionAsync(
            [BorderGatewayStore.Put(gateway, ETagCondition.MustNotExist), .. index.Append(gateway.Id)],
            []));
        return gateway.Id;
    }
}
