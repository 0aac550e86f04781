using DirectConnect.Contracts.V1;
using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>The VPC catalog (Routing module): operators register, customers read their own.</summary>
public sealed class VpcCatalogTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private const string Region = "cn-north-1";
    private readonly VpcService.VpcServiceClient _vpcs = new(system.Channel);

    private static string NewAccount() => "vpc-owner-" + Guid.NewGuid().ToString("N")[..8];

    private async Task<Vpc> RegisterAsync(string account, params string[] cidrs)
    {
        var vpc = new Vpc { AccountId = account, Name = "prod" };
        vpc.CidrBlocks.AddRange(cidrs);
        return await _vpcs.RegisterVpcAsync(new RegisterVpcRequest { Region = Region, Vpc = vpc }, system.As("ops", "operator"));
    }

    [Fact]
    public async Task AnOperatorRegistersAVpcAndOnlyItsAccountSeesIt()
    {
        var account = NewAccount();
        var registered = await RegisterAsync(account, "10.0.0.0/16", "10.1.0.0/16");
        Assert.StartsWith("vpc-", registered.Id, StringComparison.Ordinal);
        Assert.StartsWith("rtb-", registered.RouteTableId, StringComparison.Ordinal);
        Assert.Equal(Vpc.Types.State.Available, registered.State);
        Assert.Equal(["10.0.0.0/16", "10.1.0.0/16"], registered.CidrBlocks);

        var owner = system.As(account, "customer");
        Assert.Equal(registered, await _vpcs.GetVpcAsync(new GetVpcRequest { Region = Region, Id = registered.Id }, owner));
        Assert.Equal([registered.Id], (await _vpcs.ListVpcsAsync(new ListVpcsRequest { Region = Region }, owner)).Vpcs.Select(v => v.Id));

        var stranger = system.As(NewAccount(), "customer");
        await RpcAssert.FailsWith(StatusCode.NotFound, async () => await _vpcs.GetVpcAsync(new GetVpcRequest { Region = Region, Id = registered.Id }, stranger));
        Assert.Empty((await _vpcs.ListVpcsAsync(new ListVpcsRequest { Region = Region }, stranger)).Vpcs);

        var all = await _vpcs.ListVpcsAsync(new ListVpcsRequest { Region = Region, PageSize = 1000 }, system.As("ops", "operator"));
        Assert.Contains(registered.Id, all.Vpcs.Select(v => v.Id));
    }

    [Fact]
    public async Task BadBlocksAreRefusedTogetherWithTheCanonicalFormAndNothingIsRegistered()
    {
        var account = NewAccount();
        var vpc = new Vpc { AccountId = "Not An Account", Name = "" };
        vpc.CidrBlocks.AddRange(["10.0.1.5/16", "172.16.0.0/12", "172.16.8.0/24", "banana"]);
        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () =>
            await _vpcs.RegisterVpcAsync(new RegisterVpcRequest { Region = Region, Vpc = vpc, VpcId = "VPC_1" }, system.As("ops", "operator")));

        var violations = status.Detail<BadRequest>().FieldViolations;
        Assert.Equal(
            ["vpc_id", "vpc.account_id", "vpc.name", "vpc.cidr_blocks[0]", "vpc.cidr_blocks[2]", "vpc.cidr_blocks[3]"],
            violations.Select(v => v.Field));
        Assert.Contains("10.0.0.0/16", violations[3].Description, StringComparison.Ordinal);
        Assert.Empty((await _vpcs.ListVpcsAsync(new ListVpcsRequest { Region = Region }, system.As(account, "customer"))).Vpcs);
    }

    [Fact]
    public async Task OnlyOperatorsRegisterAndDeregister()
    {
        var account = NewAccount();
        var customer = system.As(account, "customer");
        var vpc = new Vpc { AccountId = account, Name = "mine", CidrBlocks = { "10.9.0.0/16" } };
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, async () =>
            await _vpcs.RegisterVpcAsync(new RegisterVpcRequest { Region = Region, Vpc = vpc }, customer));
        var registered = await RegisterAsync(account, "10.9.0.0/16");
        await RpcAssert.FailsWith(StatusCode.PermissionDenied, async () =>
            await _vpcs.DeregisterVpcAsync(new DeregisterVpcRequest { Region = Region, Id = registered.Id }, customer));
    }

    [Fact]
    public async Task AVpcIdFromTheVpcServiceIsKeptAndCannotBeRegisteredTwice()
    {
        var id = "vpc-" + Guid.NewGuid().ToString("N")[..12];
        var vpc = new Vpc { AccountId = NewAccount(), Name = "given id", CidrBlocks = { "10.20.0.0/16" } };
        var registered = await _vpcs.RegisterVpcAsync(new RegisterVpcRequest { Region = Region, Vpc = vpc, VpcId = id }, system.As("ops", "operator"));
        Assert.Equal(id, registered.Id);
        var again = await RpcAssert.FailsWith(StatusCode.AlreadyExists, async () =>
            await _vpcs.RegisterVpcAsync(new RegisterVpcRequest { Region = Region, Vpc = vpc, VpcId = id }, system.As("ops", "operator")));
        Assert.Equal("VPC_ALREADY_REGISTERED", again.Reason());
    }

    [Fact]
    public async Task ADeregisteredVpcIsATombstoneListedOnlyOnRequest()
    {
        var account = NewAccount();
        var registered = await RegisterAsync(account, "10.30.0.0/16");
        var operatorCall = system.As("ops", "operator");
        var deregistered = await _vpcs.DeregisterVpcAsync(new DeregisterVpcRequest { Region = Region, Id = registered.Id, Etag = registered.Etag }, operatorCall);
        Assert.Equal(Vpc.Types.State.Deleted, deregistered.State);

        var owner = system.As(account, "customer");
        Assert.Empty((await _vpcs.ListVpcsAsync(new ListVpcsRequest { Region = Region }, owner)).Vpcs);
        Assert.Single((await _vpcs.ListVpcsAsync(new ListVpcsRequest { Region = Region, ShowDeleted = true }, owner)).Vpcs);
        var twice = await RpcAssert.FailsWith(StatusCode.FailedPrecondition, async () =>
            await _vpcs.DeregisterVpcAsync(new DeregisterVpcRequest { Region = Region, Id = registered.Id }, operatorCall));
        Assert.Equal("STATE_DELETED", twice.Detail<ErrorInfo>().Metadata["currentState"]);
    }
}
