using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Idempotency;
using DirectConnect.Platform.Tenancy;
using Google.Api;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// AIP-155 on every mutating method: a retry with the same <c>request_id</c> returns the first
/// result byte for byte and does nothing again; the same id with different parameters is
/// ALREADY_EXISTS (<c>REQUEST_ID_REUSED</c>). The scenarios are checked to cover every mutating
/// method of the contracts, so a new one cannot be added without its idempotency being tested.
/// </summary>
public sealed class IdempotencyMatrixTests(IdempotencyMatrixTests.Roomy system) : IClassFixture<IdempotencyMatrixTests.Roomy>
{
    /// <summary>An embedded system whose default location has ports for every scenario's lines.</summary>
    public sealed class Roomy : EmbeddedSystem
    {
        protected override IEnumerable<string> ExtraArguments => ["--DirectConnect:PhysicalConnections:QuotaPerAccountPerRegion=1000"];

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            await AddDeviceAsync(DefaultLocationId, ports: 48);
        }
    }

    private const string Region = Seed.Region;
    private const string RouterRegion = "cn-south-1";
    private EmbeddedSystem System => system;
    private Seed S => new(system.Channel, system.As);
    private CallOptions Operator => S.Operator;

    private static string NewAccount() => "idem-" + Guid.NewGuid().ToString("N")[..8];

    private static string NewInterfaceId() => "dxvif-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A mutating call ready to be made: the request (with a request id), and who makes it.</summary>
    private sealed record Call(IMessage Request, CallOptions As);

    private delegate Task<Call> Scenario(IdempotencyMatrixTests t);

    private static readonly Dictionary<string, Scenario> Scenarios = new(StringComparer.Ordinal)
    {
        ["CreateLocation"] = t => Task.FromResult(new Call(new CreateLocationRequest
        {
            Region = Region, Location = new Location { Code = "IDEM-" + Guid.NewGuid().ToString("N")[..6].ToUpperInvariant(), Name = "idempotent" },
        }, t.Operator)),
        ["CreateAccessDevice"] = t => Task.FromResult(new Call(new CreateAccessDeviceRequest
        {
            Region = Region,
            AccessDevice = new AccessDevice
            {
                LocationId = t.System.DefaultLocationId, Name = "idem", Vendor = "Huawei", Model = "NE40E",
                Ports = { new AccessDevice.Types.Port { Name = "xe-9/0/0", Speed = PortSpeed._1G } },
            },
        }, t.Operator)),
        ["DeleteAccessDevice"] = async t =>
        {
            var location = await t.System.AddLocationAsync();
            var device = await t.System.AddDeviceAsync(location, ports: 1);
            return new Call(new DeleteAccessDeviceRequest { Region = Region, Id = device.Id }, t.Operator);
        },
        ["CreatePhysicalConnection"] = t =>
        {
            var account = NewAccount();
            return Task.FromResult(new Call(new CreatePhysicalConnectionRequest
            {
                Region = Region,
                PhysicalConnection = new PhysicalConnection
                {
                    Name = "line", LocationId = t.System.DefaultLocationId, PortSpeed = PortSpeed._10G, BandwidthMbps = 1000, Provider = "China Telecom",
                },
            }, t.S.Customer(account)));
        },
        ["UpdatePhysicalConnection"] = async t =>
        {
            var line = await t.S.Lines.OrderAsync(NewAccount(), t.System.DefaultLocationId);
            return new Call(new UpdatePhysicalConnectionRequest
            {
                Region = Region, Id = line.Id, PhysicalConnection = new PhysicalConnection { Name = "renamed" }, UpdateMask = new() { Paths = { "name" } },
            }, t.S.Customer(line.AccountId));
        },
        ["DeletePhysicalConnection"] = async t =>
        {
            var line = await t.S.Lines.OrderAsync(NewAccount(), t.System.DefaultLocationId);
            return new Call(new DeletePhysicalConnectionRequest { Region = Region, Id = line.Id }, t.S.Customer(line.AccountId));
        },
        ["ApprovePhysicalConnection"] = async t =>
        {
            var line = await t.S.Lines.OrderAsync(NewAccount(), t.System.DefaultLocationId);
            return new Call(new ApprovePhysicalConnectionRequest { Region = Region, Id = line.Id }, t.Operator);
        },
        ["RejectPhysicalConnection"] = async t =>
        {
            var line = await t.S.Lines.OrderAsync(NewAccount(), t.System.DefaultLocationId);
            return new Call(new RejectPhysicalConnectionRequest { Region = Region, Id = line.Id, Reason = "no capacity" }, t.Operator);
        },
        ["RecordPhysicalConnectionPayment"] = async t =>
        {
            var line = await t.S.Lines.ApproveAsync(await t.S.Lines.OrderAsync(NewAccount(), t.System.DefaultLocationId));
            return new Call(new RecordPhysicalConnectionPaymentRequest { Region = Region, Id = line.Id }, t.Operator);
        },
        ["CompletePhysicalConnectionConstruction"] = async t =>
        {
            var line = await t.S.Lines.PayAsync(await t.S.Lines.ApproveAsync(await t.S.Lines.OrderAsync(NewAccount(), t.System.DefaultLocationId)));
            return new Call(new CompletePhysicalConnectionConstructionRequest { Region = Region, Id = line.Id }, t.Operator);
        },
        ["ConfirmPhysicalConnection"] = async t =>
        {
            var lines = t.S.Lines;
            var line = await lines.BuildAsync(await lines.PayAsync(await lines.ApproveAsync(await lines.OrderAsync(NewAccount(), t.System.DefaultLocationId))));
            return new Call(new ConfirmPhysicalConnectionRequest { Region = Region, Id = line.Id }, t.S.Customer(line.AccountId));
        },
        ["CreateBorderGateway"] = t => Task.FromResult(new Call(new CreateBorderGatewayRequest
        {
            Region = Region, BorderGateway = new BorderGateway { Name = "bgw" },
        }, t.S.Customer(NewAccount()))),
        ["UpdateBorderGateway"] = async t =>
        {
            var account = NewAccount();
            var gateway = await t.S.AvailableGatewayAsync(account);
            return new Call(new UpdateBorderGatewayRequest
            {
                Region = Region, Id = gateway.Id, BorderGateway = new BorderGateway { Name = "renamed" }, UpdateMask = new() { Paths = { "name" } },
            }, t.S.Customer(account));
        },
        ["DeleteBorderGateway"] = async t =>
        {
            var account = NewAccount();
            var gateway = await t.S.AvailableGatewayAsync(account);
            return new Call(new DeleteBorderGatewayRequest { Region = Region, Id = gateway.Id }, t.S.Customer(account));
        },
        ["RegisterVpc"] = t => Task.FromResult(new Call(new RegisterVpcRequest
        {
            Region = Region, Vpc = new Vpc { AccountId = NewAccount(), Name = "vpc", CidrBlocks = { "10.70.0.0/16" } },
        }, t.Operator)),
        ["DeregisterVpc"] = async t =>
        {
            var vpc = await t.S.RegisterVpcAsync(NewAccount(), "10.71.0.0/16");
            return new Call(new DeregisterVpcRequest { Region = Region, Id = vpc.Id }, t.Operator);
        },
        ["CreateVirtualInterface"] = async t =>
        {
            var (account, line, gateway) = await t.LineAndGatewayAsync();
            return new Call(new CreateVirtualInterfaceRequest { Region = Region, VirtualInterface = Seed.Interface(line, gateway, vlan: 710) }, t.S.Customer(account));
        },
        ["UpdateVirtualInterface"] = async t =>
        {
            var (account, vif, _, _) = await t.InterfaceAsync();
            return new Call(new UpdateVirtualInterfaceRequest
            {
                Region = Region, Id = vif.Id, VirtualInterface = new VirtualInterface { Name = "renamed" }, UpdateMask = new() { Paths = { "name" } },
            }, t.S.Customer(account));
        },
        ["DeleteVirtualInterface"] = async t =>
        {
            var (account, vif, _, _) = await t.InterfaceAsync();
            return new Call(new DeleteVirtualInterfaceRequest { Region = Region, Id = vif.Id }, t.S.Customer(account));
        },
        // Routers in a region of their own: a gateway created in the other scenarios' region must not be placed on one.
        ["CreateRouter"] = t => Task.FromResult(new Call(new CreateRouterRequest
        {
            Region = RouterRegion, Router = new Router { Name = "router", InterfaceName = "eth1" },
        }, t.Operator)),
        ["DeleteRouter"] = async t =>
        {
            var router = await new RouterService.RouterServiceClient(t.System.Channel).CreateRouterAsync(new CreateRouterRequest
            {
                Region = RouterRegion, Router = new Router { Name = "router", InterfaceName = "eth1" },
            }, t.Operator);
            return new Call(new DeleteRouterRequest { Region = RouterRegion, Id = router.Id }, t.Operator);
        },
        ["CreateVpcRoute"] = async t =>
        {
            var (account, _, gateway, vpc) = await t.InterfaceAsync();
            return new Call(new CreateVpcRouteRequest
            {
                Region = Region, VpcId = vpc.Id,
                Route = new Route { Destination = "192.168.72.0/24", NextHop = new NextHop { Type = NextHopType.BorderGateway, Id = gateway.Id } },
            }, t.S.Customer(account));
        },
        ["DeleteVpcRoute"] = async t =>
        {
            var (account, _, gateway, vpc) = await t.InterfaceAsync();
            var route = await new RouteService.RouteServiceClient(t.System.Channel).CreateVpcRouteAsync(new CreateVpcRouteRequest
            {
                Region = Region, VpcId = vpc.Id,
                Route = new Route { Destination = "192.168.73.0/24", NextHop = new NextHop { Type = NextHopType.BorderGateway, Id = gateway.Id } },
            }, t.S.Customer(account));
            return new Call(new DeleteVpcRouteRequest { Region = Region, VpcId = vpc.Id, RouteId = route.Id }, t.S.Customer(account));
        },
        ["CreateBorderGatewayRoute"] = async t =>
        {
            var (account, vif, gateway, _) = await t.InterfaceAsync();
            return new Call(new CreateBorderGatewayRouteRequest
            {
                Region = Region, BorderGatewayId = gateway.Id,
                Route = new Route { Destination = "192.168.74.0/24", NextHop = new NextHop { Type = NextHopType.VirtualInterface, Id = vif.Id } },
            }, t.S.Customer(account));
        },
        ["DeleteBorderGatewayRoute"] = async t =>
        {
            var (account, vif, gateway, _) = await t.InterfaceAsync();
            var route = await new RouteService.RouteServiceClient(t.System.Channel).CreateBorderGatewayRouteAsync(new CreateBorderGatewayRouteRequest
            {
                Region = Region, BorderGatewayId = gateway.Id,
                Route = new Route { Destination = "192.168.75.0/24", NextHop = new NextHop { Type = NextHopType.VirtualInterface, Id = vif.Id } },
            }, t.S.Customer(account));
            return new Call(new DeleteBorderGatewayRouteRequest { Region = Region, BorderGatewayId = gateway.Id, RouteId = route.Id }, t.S.Customer(account));
        },
        ["RegisterPartner"] = t => Task.FromResult(new Call(new RegisterPartnerRequest
        {
            Region = Region, Partner = new Partner { AccountId = NewAccount(), Name = "Idempotent Carrier" },
        }, t.Operator)),
        ["DeletePartner"] = async t =>
        {
            var partner = NewAccount();
            await t.PartnersClient.RegisterPartnerAsync(new RegisterPartnerRequest { Region = Region, Partner = new Partner { AccountId = partner, Name = "p" } },
                t.Operator);
            return new Call(new DeletePartnerRequest { Region = Region, Id = partner }, t.Operator);
        },
        ["AllocateHostedConnection"] = async t =>
        {
            var (partner, line) = await t.PartnerLineAsync();
            return new Call(new AllocateHostedConnectionRequest
            {
                Region = Region, HostedConnection = new HostedConnection { PhysicalConnectionId = line.Id, AccountId = NewAccount(), Vlan = 10, BandwidthMbps = 50 },
            }, t.System.As(partner, Role.Partner));
        },
        ["AcceptHostedConnection"] = async t =>
        {
            var hosted = await t.HostedAsync();
            return new Call(new AcceptHostedConnectionRequest { Region = Region, Id = hosted.Id }, t.S.Customer(hosted.AccountId));
        },
        ["DeclineHostedConnection"] = async t =>
        {
            var hosted = await t.HostedAsync();
            return new Call(new DeclineHostedConnectionRequest { Region = Region, Id = hosted.Id }, t.S.Customer(hosted.AccountId));
        },
        ["DeleteHostedConnection"] = async t =>
        {
            var hosted = await t.HostedAsync();
            return new Call(new DeleteHostedConnectionRequest { Region = Region, Id = hosted.Id }, t.S.Customer(hosted.AccountId));
        },
    };

    private PartnerService.PartnerServiceClient PartnersClient => new(system.Channel);

    /// <summary>A new registered partner and one AVAILABLE line of its.</summary>
    private async Task<(string Partner, PhysicalConnection Line)> PartnerLineAsync()
    {
        var partner = NewAccount();
        await PartnersClient.RegisterPartnerAsync(new RegisterPartnerRequest { Region = Region, Partner = new Partner { AccountId = partner, Name = "p" } }, Operator);
        return (partner, await S.Lines.AvailableAsync(partner, system.DefaultLocationId));
    }

    /// <summary>A hosted connection pending a new customer's acceptance.</summary>
    private async Task<HostedConnection> HostedAsync()
    {
        var (partner, line) = await PartnerLineAsync();
        return await new HostedConnectionService.HostedConnectionServiceClient(system.Channel).AllocateHostedConnectionAsync(new AllocateHostedConnectionRequest
        {
            Region = Region, HostedConnection = new HostedConnection { PhysicalConnectionId = line.Id, AccountId = NewAccount(), Vlan = 10, BandwidthMbps = 50 },
        }, system.As(partner, Role.Partner));
    }

    private async Task<(string Account, PhysicalConnection Line, BorderGateway Gateway)> LineAndGatewayAsync()
    {
        var account = NewAccount();
        var line = await S.Lines.AvailableAsync(account, system.DefaultLocationId);
        return (account, line, await S.AvailableGatewayAsync(account));
    }

    private async Task<(string Account, VirtualInterface Interface, BorderGateway Gateway, Vpc Vpc)> InterfaceAsync()
    {
        var (account, line, gateway) = await LineAndGatewayAsync();
        var vpc = await S.RegisterVpcAsync(account, "10.72.0.0/16");
        gateway = await S.AttachedAsync(account, gateway.Id, vpc.Id);
        var vif = await S.CreateInterfaceAsync(account, Seed.Interface(line, gateway, vlan: 720, idcPrefix: "192.168.80.0/24"));
        return (account, vif, gateway, vpc);
    }

    /// <summary>The mutating methods of the contracts: every non-GET rule (a trace only reads).</summary>
    public static TheoryData<string> MutatingMethods() =>
    [
        .. MethodAccessCatalog.ContractServices().SelectMany(s => s.Methods)
            .Where(m => m.InputType.FindFieldByName("request_id") is not null)
            .Select(m => m.Name),
    ];

    [Fact]
    public void EveryMutatingMethodHasAScenarioAndEveryScenarioAMethod()
    {
        var mutating = MethodAccessCatalog.ContractServices().SelectMany(s => s.Methods)
            .Where(m => m.InputType.FindFieldByName("request_id") is not null).Select(m => m.Name).ToHashSet(StringComparer.Ordinal);
        var unread = MethodAccessCatalog.ContractServices().SelectMany(s => s.Methods)
            .Where(m => m.GetOptions().GetExtension(AnnotationsExtensions.Http).PatternCase != HttpRule.PatternOneofCase.Get
                        && m.Name != "TraceReachability" && !mutating.Contains(m.Name));
        Assert.Empty(unread); // a mutating method without request_id would escape this matrix
        Assert.Equal(mutating.Order(StringComparer.Ordinal), Scenarios.Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(MutatingMethods))]
    public async Task ARetryReturnsTheFirstResultAndADifferentRequestUnderTheSameIdIsRefused(string methodName)
    {
        var method = MethodAccessCatalog.ContractServices().SelectMany(s => s.Methods).Single(m => m.Name == methodName);
        var call = await Scenarios[methodName](this);
        var requestId = Guid.NewGuid().ToString();
        method.InputType.FindFieldByName("request_id").Accessor.SetValue(call.Request, requestId);

        var first = await InvokeAsync(method, call.Request, call.As);
        var retry = await InvokeAsync(method, call.Request, call.As);
        Assert.Equal(first, retry); // byte for byte: the same resource, the same state, the same etag

        var different = Different(call.Request);
        var refused = await RpcAssert.FailsWith(StatusCode.AlreadyExists, () => InvokeAsync(method, different, call.As));
        Assert.Equal("REQUEST_ID_REUSED", refused.Reason());
        Assert.Equal(requestId, refused.Detail<Google.Rpc.ErrorInfo>().Metadata["requestId"]);

        // And the retry after the refusal still answers with the first result.
        Assert.Equal(first, await InvokeAsync(method, call.Request, call.As));
    }

    [Fact]
    public void RequestIdsAreRememberedForAtLeastADay()
    {
        var record = (Platform.Coordination.UpsertState)RequestLedger.Record(new RequestId("scope", "acct", "id-1", "fingerprint"), [1, 2, 3]);
        Assert.True(record.TimeToLive >= TimeSpan.FromHours(24), $"remembered for {record.TimeToLive}");
    }

    /// <summary>The same request with one parameter changed (its etag, or a name, or the interface it is for).</summary>
    private static IMessage Different(IMessage request)
    {
        var different = request.Descriptor.Parser.ParseFrom(request.ToByteArray());
        var fields = different.Descriptor.Fields;
        if (fields.InDeclarationOrder().FirstOrDefault(f => f.Name == "etag") is { } etag)
        {
            etag.Accessor.SetValue(different, "0123456789abcdef");
        }
        else if (fields.InDeclarationOrder().FirstOrDefault(f => f.Name == "virtual_interface_id") is { } vif)
        {
            vif.Accessor.SetValue(different, NewInterfaceId());
        }
        else if (different is AllocateHostedConnectionRequest allocate)
        {
            allocate.HostedConnection.Vlan += 1;
        }
        else if (different is CreateVpcRouteRequest or CreateBorderGatewayRouteRequest)
        {
            var route = (Route)fields.InDeclarationOrder().Single(f => f.Name == "route").Accessor.GetValue(different);
            route.Destination = "192.168.99.0/24";
        }
        else
        {
            // Creates: rename the resource in the body.
            var body = fields.InDeclarationOrder().Single(f => f.FieldType == FieldType.Message);
            var resource = (IMessage)body.Accessor.GetValue(different);
            resource.Descriptor.FindFieldByName("name").Accessor.SetValue(resource, "a different name");
        }

        Assert.NotEqual(request, different);
        return different;
    }

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    private async Task<byte[]> InvokeAsync(MethodDescriptor method, IMessage request, CallOptions options) =>
        await system.Channel.CreateCallInvoker().AsyncUnaryCall(
            new Method<byte[], byte[]>(MethodType.Unary, method.Service.FullName, method.Name, Bytes, Bytes), null, options, request.ToByteArray());
}
