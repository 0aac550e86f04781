using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Coordination;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Quotas on every resource (issue 12): border gateways and VPCs per account and region, locations per region, access
/// devices per location. Reaching one refuses the next create with RESOURCE_EXHAUSTED, a QuotaFailure and reason
/// <c>&lt;RESOURCE&gt;_QUOTA_EXCEEDED</c>; a delete frees its slot; concurrent creates racing for the last slots
/// succeed exactly as often as there are slots.
/// </summary>
public sealed class ResourceQuotaTests(ResourceQuotaTests.SmallQuotas system) : IClassFixture<ResourceQuotaTests.SmallQuotas>
{
    private const int Quota = 3;
    private const int Racers = 8;

    /// <summary>Every quota at three. (The fixture's own location takes one of cn-north-1's three.)</summary>
    public sealed class SmallQuotas : EmbeddedSystem
    {
        protected override IEnumerable<string> ExtraArguments =>
        [
            $"--DirectConnect:BorderGateways:QuotaPerAccountPerRegion={Quota}",
            $"--DirectConnect:Routing:VpcQuotaPerAccountPerRegion={Quota}",
            $"--DirectConnect:PhysicalConnections:LocationQuotaPerRegion={Quota}",
            $"--DirectConnect:PhysicalConnections:AccessDeviceQuotaPerLocation={Quota}",
        ];
    }

    private readonly BorderGatewayService.BorderGatewayServiceClient _gateways = new(system.Channel);
    private readonly VpcService.VpcServiceClient _vpcs = new(system.Channel);
    private readonly LocationService.LocationServiceClient _locations = new(system.Channel);
    private readonly AccessDeviceService.AccessDeviceServiceClient _devices = new(system.Channel);

    private CallOptions Operator => system.As("ops", "operator");

    private static string NewAccount() => "quota-" + Guid.NewGuid().ToString("N")[..10];

    private static async Task AssertQuotaExceededAsync(string reason, string subject, Func<Task> create)
    {
        var status = await RpcAssert.FailsWith(StatusCode.ResourceExhausted, create);
        Assert.Equal(reason, status.Reason());
        var violation = status.Detail<QuotaFailure>().Violations.Single();
        Assert.Equal(subject, violation.Subject);
        Assert.Contains($"at most {Quota}", violation.Description, StringComparison.Ordinal);
        Assert.Equal("3", status.Detail<ErrorInfo>().Metadata["quota"]);
    }

    /// <summary>Runs <paramref name="create"/> <see cref="Racers"/> times at once; returns how many succeeded, after checking every other was refused by the quota.</summary>
    private static async Task<int> RaceAsync(string reason, Func<int, Task> create)
    {
        using var start = new SemaphoreSlim(0);
        var outcomes = Enumerable.Range(0, Racers).Select(async i =>
        {
            await start.WaitAsync();
            try
            {
                await create(i);
                return (StatusCode?)null;
            }
            catch (RpcException exception)
            {
                Assert.Equal(reason, exception.GetRpcStatus()?.Detail<ErrorInfo>()?.Reason);
                return exception.StatusCode;
            }
        }).ToArray();
        start.Release(Racers);
        var results = await Task.WhenAll(outcomes);
        Assert.All(results.Where(r => r is not null), r => Assert.Equal(StatusCode.ResourceExhausted, r));
        return results.Count(r => r is null);
    }

    private Task<BorderGateway> CreateGatewayAsync(string account, int n) =>
        _gateways.CreateBorderGatewayAsync(new CreateBorderGatewayRequest
        {
            Region = Seed.Region, BorderGateway = new BorderGateway { Name = $"bgw-{n}" },
        }, system.As(account, "customer")).ResponseAsync;

    private Task<Vpc> RegisterVpcAsync(string account, int n, string region = Seed.Region) =>
        _vpcs.RegisterVpcAsync(new RegisterVpcRequest
        {
            Region = region, Vpc = new Vpc { AccountId = account, Name = $"vpc-{n}", CidrBlocks = { $"10.{n}.0.0/16" } },
        }, Operator).ResponseAsync;

    private Task<Location> CreateLocationAsync(string region, int n) =>
        _locations.CreateLocationAsync(new CreateLocationRequest
        {
            Region = region, Location = new Location { Code = $"Q-{region.ToUpperInvariant()}-{n}", Name = $"site {n}" },
        }, Operator).ResponseAsync;

    private Task<AccessDevice> CreateDeviceAsync(string locationId, int n)
    {
        var device = new AccessDevice { LocationId = locationId, Name = $"asw-{n}" };
        device.Ports.Add(new AccessDevice.Types.Port { Name = "xe-0/0/0", Speed = PortSpeed._10G });
        return _devices.CreateAccessDeviceAsync(new CreateAccessDeviceRequest { Region = Seed.Region, AccessDevice = device }, Operator).ResponseAsync;
    }

    [Fact]
    public async Task TheBorderGatewayQuotaRefusesTheNextCreateAndADeleteFreesASlot()
    {
        // Found by the security review: 2,000 border gateways were created in 20 seconds.
        var account = NewAccount();
        var created = new List<BorderGateway>();
        for (var i = 0; i < Quota; i++)
        {
            created.Add(await CreateGatewayAsync(account, i));
        }

        await AssertQuotaExceededAsync("BORDER_GATEWAY_QUOTA_EXCEEDED", $"account:{account}/region:{Seed.Region}", () => CreateGatewayAsync(account, 9));
        await CreateGatewayAsync(NewAccount(), 0); // another account has its own quota

        await _gateways.DeleteBorderGatewayAsync(new DeleteBorderGatewayRequest { Region = Seed.Region, Id = created[0].Id }, system.As(account, "customer"));
        await CreateGatewayAsync(account, 10);
        await AssertQuotaExceededAsync("BORDER_GATEWAY_QUOTA_EXCEEDED", $"account:{account}/region:{Seed.Region}", () => CreateGatewayAsync(account, 11));
    }

    [Fact]
    public async Task ConcurrentBorderGatewayCreatesRacingForTheLastSlotsSucceedExactlyQuotaTimes()
    {
        var account = NewAccount();
        Assert.Equal(Quota, await RaceAsync("BORDER_GATEWAY_QUOTA_EXCEEDED", i => CreateGatewayAsync(account, i)));
        var listed = await _gateways.ListBorderGatewaysAsync(new ListBorderGatewaysRequest { Region = Seed.Region }, system.As(account, "customer"));
        Assert.Equal(Quota, listed.BorderGateways.Count);
    }

    [Fact]
    public async Task GatewaysCreatedBeforeTheQuotaExistedCountAgainstIt()
    {
        // Deployments upgraded to the quota have gateways but no count yet: the first create counts them.
        var account = NewAccount();
        var created = new List<BorderGateway>();
        for (var i = 0; i < Quota; i++)
        {
            created.Add(await CreateGatewayAsync(account, i));
        }

        await _gateways.DeleteBorderGatewayAsync(new DeleteBorderGatewayRequest { Region = Seed.Region, Id = created[0].Id }, system.As(account, "customer"));
        var store = system.Services.GetRequiredService<IStateStore>();
        Assert.True(await store.TryDeleteAsync($"border-gateway-count/{account}/{Seed.Region}", ETagCondition.Any));

        await CreateGatewayAsync(account, 3); // two live ones counted, a third fits
        await AssertQuotaExceededAsync("BORDER_GATEWAY_QUOTA_EXCEEDED", $"account:{account}/region:{Seed.Region}", () => CreateGatewayAsync(account, 4));
    }

    [Fact]
    public async Task TheVpcQuotaRefusesTheNextRegistrationAndADeregistrationFreesASlot()
    {
        var account = NewAccount();
        var registered = new List<Vpc>();
        for (var i = 0; i < Quota; i++)
        {
            registered.Add(await RegisterVpcAsync(account, i));
        }

        await AssertQuotaExceededAsync("VPC_QUOTA_EXCEEDED", $"account:{account}/region:{Seed.Region}", () => RegisterVpcAsync(account, 9));
        await RegisterVpcAsync(account, 9, "cn-east-2"); // per region

        await _vpcs.DeregisterVpcAsync(new DeregisterVpcRequest { Region = Seed.Region, Id = registered[1].Id }, Operator);
        await RegisterVpcAsync(account, 10);
        await AssertQuotaExceededAsync("VPC_QUOTA_EXCEEDED", $"account:{account}/region:{Seed.Region}", () => RegisterVpcAsync(account, 11));
    }

    [Fact]
    public async Task ConcurrentVpcRegistrationsRacingForTheLastSlotsSucceedExactlyQuotaTimes()
    {
        var account = NewAccount();
        Assert.Equal(Quota, await RaceAsync("VPC_QUOTA_EXCEEDED", i => RegisterVpcAsync(account, i)));
        var listed = await _vpcs.ListVpcsAsync(new ListVpcsRequest { Region = Seed.Region }, system.As(account, "customer"));
        Assert.Equal(Quota, listed.Vpcs.Count);
    }

    [Fact]
    public async Task OneVpcIdRegisteredByManyAtOnceIsRegisteredOnceAndTheOthersAreToldItExists()
    {
        // Registrations in a region are committed in batches: the same chosen id several times in one batch is one VPC.
        var account = NewAccount();
        var id = "vpc-" + Guid.NewGuid().ToString("N")[..12];
        using var start = new SemaphoreSlim(0);
        var outcomes = Enumerable.Range(0, Racers).Select(async i =>
        {
            await start.WaitAsync();
            try
            {
                return (await _vpcs.RegisterVpcAsync(new RegisterVpcRequest
                {
                    Region = Seed.Region, VpcId = id, Vpc = new Vpc { AccountId = account, Name = $"same-{i}", CidrBlocks = { "10.9.0.0/16" } },
                }, Operator)).Id;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.AlreadyExists)
            {
                Assert.Equal("VPC_ALREADY_REGISTERED", e.GetRpcStatus()?.Reason());
                return null;
            }
        }).ToArray();
        start.Release(Racers);
        var registered = (await Task.WhenAll(outcomes)).OfType<string>().ToArray();

        Assert.Equal([id], registered);
        var listed = await _vpcs.ListVpcsAsync(new ListVpcsRequest { Region = Seed.Region }, system.As(account, "customer"));
        Assert.Equal([id], listed.Vpcs.Select(v => v.Id));
        // One counts against the quota: two more fit.
        await RegisterVpcAsync(account, 1);
        await RegisterVpcAsync(account, 2);
        await AssertQuotaExceededAsync("VPC_QUOTA_EXCEEDED", $"account:{account}/region:{Seed.Region}", () => RegisterVpcAsync(account, 3));
    }

    [Fact]
    public async Task TheLocationQuotaRefusesTheNextLocationOfTheRegion()
    {
        // Locations cannot be deleted: every one counts.
        for (var i = 0; i < Quota; i++)
        {
            await CreateLocationAsync("cn-east-2", i);
        }

        await AssertQuotaExceededAsync("LOCATION_QUOTA_EXCEEDED", "region:cn-east-2", () => CreateLocationAsync("cn-east-2", 9));
    }

    [Fact]
    public async Task ConcurrentLocationCreatesRacingForTheLastSlotsSucceedExactlyQuotaTimes()
    {
        Assert.Equal(Quota, await RaceAsync("LOCATION_QUOTA_EXCEEDED", i => CreateLocationAsync("cn-south-1", i)));
        var listed = await _locations.ListLocationsAsync(new ListLocationsRequest { Region = "cn-south-1" }, Operator);
        Assert.Equal(Quota, listed.Locations.Count);
    }

    [Fact]
    public async Task TheAccessDeviceQuotaRefusesTheNextDeviceOfTheLocationAndADeleteFreesASlot()
    {
        var location = system.DefaultLocationId;
        var created = new List<AccessDevice>();
        for (var i = 0; i < Quota; i++)
        {
            created.Add(await CreateDeviceAsync(location, i));
        }

        await AssertQuotaExceededAsync("ACCESS_DEVICE_QUOTA_EXCEEDED", $"location:{location}", () => CreateDeviceAsync(location, 9));

        await _devices.DeleteAccessDeviceAsync(new DeleteAccessDeviceRequest { Region = Seed.Region, Id = created[2].Id }, Operator);
        await CreateDeviceAsync(location, 10);
        await AssertQuotaExceededAsync("ACCESS_DEVICE_QUOTA_EXCEEDED", $"location:{location}", () => CreateDeviceAsync(location, 11));
    }

    [Fact]
    public async Task ConcurrentDeviceCreatesRacingForTheLastSlotsSucceedExactlyQuotaTimes()
    {
        var location = await system.AddLocationAsync();
        Assert.Equal(Quota, await RaceAsync("ACCESS_DEVICE_QUOTA_EXCEEDED", i => CreateDeviceAsync(location, i)));
        var listed = await _devices.ListAccessDevicesAsync(new ListAccessDevicesRequest { Region = Seed.Region, PageSize = 1000 }, Operator);
        Assert.Equal(Quota, listed.AccessDevices.Count(d => d.LocationId == location));
    }
}
