using System.Net;
using System.Text;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.ServiceIdentity;
using DirectConnect.Platform.Tenancy;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using InternalV1 = DirectConnect.Contracts.Internal.V1;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The internal API (<c>directconnect.internal.v1</c>, enumerated from the contracts) is nobody's but
/// the services': through the public edge every internal method, gRPC or REST, answers as a method
/// that does not exist, whoever calls, and it is in neither the OpenAPI document nor reflection;
/// called directly where the modules serve it, a person's token of any role is PERMISSION_DENIED, and
/// so is a service the method does not name. The sequence a customer once used to delete a line
/// under its own live interface — release both reservations, delete the line — cannot be played.
/// </summary>
public sealed class InternalApiTests(InternalApiTests.Topology system) : IClassFixture<InternalApiTests.Topology>
{
    private const string Owner = "internal-owner";

    /// <summary>One account with a live interface on its line and gateway.</summary>
    public sealed class Topology : EmbeddedSystem
    {
        public PhysicalConnection Line { get; private set; } = null!;

        public BorderGateway Gateway { get; private set; } = null!;

        public VirtualInterface Interface { get; private set; } = null!;

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var seed = new Seed(Channel, As);
            await AddDeviceAsync(DefaultLocationId, ports: 1);
            Line = await seed.Lines.AvailableAsync(Owner, DefaultLocationId);
            Gateway = await seed.AvailableGatewayAsync(Owner);
            var created = await seed.CreateInterfaceAsync(Owner, Seed.Interface(Line, Gateway, vlan: 300, idcPrefix: "192.168.30.0/24"));
            Interface = await Seed.EventuallyAsync(() => seed.GetInterfaceAsync(Owner, created.Id), v => v.State == VirtualInterface.Types.State.Available, "became AVAILABLE");
        }
    }

    public static TheoryData<string> InternalMethods() =>
        [.. InternalMethodCatalog.Services().SelectMany(s => s.Methods).Select(m => m.FullName)];

    public static TheoryData<string> People() => ["customer", "operator", "partner", "customer+operator"];

    private static MethodDescriptor ReservePhysicalConnection => InternalV1.PhysicalConnectionReservationService.Descriptor.FindMethodByName("ReservePhysicalConnection");

    private static MethodDescriptor Find(string fullName) =>
        InternalMethodCatalog.Services().SelectMany(s => s.Methods).Single(m => m.FullName == fullName);

    [Fact]
    public void TheInternalApiHasMethodsAndEachNamesItsCallers()
    {
        var methods = InternalMethodCatalog.Services().SelectMany(s => s.Methods).ToArray();
        Assert.Contains(methods, m => m.Name == "ReservePhysicalConnection");
        Assert.Contains(methods, m => m.Name == "ReserveBorderGateway");
        Assert.All(methods, m => Assert.NotEmpty(InternalMethodCatalog.CallersOf(m)));
        // And the public API has none of them.
        Assert.DoesNotContain(MethodAccessCatalog.ContractServices().SelectMany(s => s.Methods), m => m.Name.StartsWith("Reserve", StringComparison.Ordinal) || m.Name.StartsWith("Release", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(InternalMethods))]
    public async Task ThroughTheEdgeAnInternalMethodDoesNotExistOverGrpcForAnyone(string fullName)
    {
        var method = Find(fullName);
        foreach (var credentials in new[] { system.Token(Owner, Role.Customer), system.Token("ops", Role.Operator), null })
        {
            var (code, _) = await CallAsync(system.Channel, method, RequestFor(method), credentials);
            Assert.True(code == StatusCode.Unimplemented, $"{method.FullName} through the edge with {(credentials is null ? "no token" : "a person's token")}: {code}");
        }

        // Not even a service's own token opens it on the public port.
        var (asService, _) = await CallAsync(system.Channel, method, RequestFor(method), ServiceToken("virtual-interfaces"));
        Assert.Equal(StatusCode.Unimplemented, asService);
    }

    [Theory]
    [MemberData(nameof(InternalMethods))]
    public async Task ThroughTheEdgeAnInternalMethodDoesNotExistOverRest(string fullName)
    {
        var method = Find(fullName);
        // Where its REST form would be (the public methods' shape, and the custom verbs the reservations once had), and its gRPC path.
        var noun = method.Name.EndsWith("PhysicalConnection", StringComparison.Ordinal) ? $"physicalConnections/{system.Line.Id}" : $"borderGateways/{system.Gateway.Id}";
        foreach (var (path, nonsense) in new[]
                 {
                     ($"/v1/regions/{Seed.Region}/{noun}:reserve", $"/v1/regions/{Seed.Region}/{noun}:frobnicate"),
                     ($"/v1/regions/{Seed.Region}/{noun}:release", $"/v1/regions/{Seed.Region}/{noun}:frobnicate"),
                     ($"/{method.Service.FullName}/{method.Name}", $"/{method.Service.FullName}X/{method.Name}"),
                 })
        {
            foreach (var (who, roles) in new[] { ("owner", new[] { Role.Customer }), ("ops", new[] { Role.Operator }) })
            {
                using var http = system.Rest(who == "owner" ? Owner : "ops", roles);
                var status = await PostAsync(http, path);
                // Exactly what a method that never existed gets: 404, or 405 where the path is a resource's.
                Assert.True(status is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"POST {path} as {who}: {(int)status}");
                Assert.Equal(await PostAsync(http, nonsense), status);
            }
        }
    }

    [Fact]
    public async Task TheOpenApiDocumentAndReflectionShowNoInternalMethod()
    {
        using var anonymous = system.Rest(null);
        var document = await anonymous.GetStringAsync("/openapi/v1.json");
        Assert.Contains("/v1/regions/{region}/physicalConnections", document, StringComparison.Ordinal); // the document is the real one
        foreach (var method in InternalMethodCatalog.Services().SelectMany(s => s.Methods))
        {
            Assert.DoesNotContain(method.Name, document, StringComparison.Ordinal);
            Assert.DoesNotContain(method.InputType.Name, document, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(":reserve", document, StringComparison.Ordinal);
        Assert.DoesNotContain(":release", document, StringComparison.Ordinal);

        var services = await ReflectedServicesAsync(system.Channel);
        Assert.Contains("directconnect.v1.PhysicalConnectionService", services); // reflection works, and lists the public API
        Assert.DoesNotContain(services, s => s.StartsWith("directconnect.internal.", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(People))]
    public async Task AtTheModulesAPersonsTokenOfAnyRoleIsPermissionDenied(string roles)
    {
        var token = system.Token(Owner, roles.Split('+'));
        foreach (var method in InternalMethodCatalog.Services().SelectMany(s => s.Methods))
        {
            var (code, status) = await CallAsync(system.InternalChannel, method, RequestFor(method), token);
            Assert.True(code == StatusCode.PermissionDenied, $"{method.Name} as a {roles}: {code} {status}");
            Assert.Equal("SERVICE_IDENTITY_REQUIRED", status?.Reason());
        }

        var (anonymous, anonymousStatus) = await CallAsync(system.InternalChannel, ReservePhysicalConnection, new InternalV1.ReservePhysicalConnectionRequest(), null);
        Assert.Equal(StatusCode.PermissionDenied, anonymous);
        Assert.Equal("SERVICE_IDENTITY_REQUIRED", anonymousStatus?.Reason());
    }

    [Fact]
    public async Task AtTheModulesOnlyTheServicesAMethodNamesMayCallIt()
    {
        foreach (var method in InternalMethodCatalog.Services().SelectMany(s => s.Methods))
        {
            foreach (var appId in Platform.Hosting.ServiceAppIds.ByService.Values.Except(InternalMethodCatalog.CallersOf(method)))
            {
                var (code, status) = await CallAsync(system.InternalChannel, method, RequestFor(method), ServiceToken(appId));
                Assert.True(code == StatusCode.PermissionDenied, $"{method.Name} as {appId}: {code}");
                Assert.Equal("CALLER_NOT_ALLOWED", status?.Reason());
            }

            // A Dapr caller app-id that is not the token's (a forged one travels beside the real one) is refused.
            var allowed = InternalMethodCatalog.CallersOf(method)[0];
            var (forged, forgedStatus) = await CallAsync(system.InternalChannel, method, RequestFor(method), CallerToken(allowed),
                new Metadata { { MethodAccess.DaprCallerAppIdHeader, "routing" } });
            Assert.Equal(StatusCode.PermissionDenied, forged);
            Assert.Equal("CALLER_NOT_ALLOWED", forgedStatus?.Reason());

            // The allowed service gets through admission (the request itself is then judged: another
            // account's or an unknown resource is NOT_FOUND, never a permission error).
            var (admitted, admittedStatus) = await CallAsync(system.InternalChannel, method, RequestFor(method), CallerToken(allowed),
                allowed == AgentIdentity.AppId ? null : new Metadata { { MethodAccess.DaprCallerAppIdHeader, allowed } });
            Assert.True(admitted is StatusCode.OK or StatusCode.NotFound or StatusCode.AlreadyExists or StatusCode.InvalidArgument,
                $"{method.Name} as {allowed}: {admitted} {admittedStatus}");
        }
    }

    [Fact]
    public async Task AServiceTokenSignedWithAnotherKeyIsPermissionDenied()
    {
        var stranger = new ServiceCredentials(Microsoft.Extensions.Options.Options.Create(new ServiceIdentityOptions()), TimeProvider.System);
        var (code, status) = await CallAsync(system.InternalChannel, ReservePhysicalConnection, RequestFor(ReservePhysicalConnection), stranger.TokenFor("virtual-interfaces"));
        Assert.Equal(StatusCode.PermissionDenied, code);
        Assert.Equal("SERVICE_IDENTITY_REQUIRED", status?.Reason());
    }

    [Fact]
    public async Task ACustomerCannotReleaseItsLiveInterfacesReservationsAndSoCannotDeleteItsLine()
    {
        // The found sequence, over REST: release the line's and the gateway's reservations, then delete the line.
        using var http = system.Rest(Owner, Role.Customer);
        var body = new StringContent("{\"virtualInterfaceId\": \"" + system.Interface.Id + "\"}", Encoding.UTF8, "application/json");
        using var releaseLine = await http.PostAsync($"/v1/regions/{Seed.Region}/physicalConnections/{system.Line.Id}:release", body);
        using var releaseGateway = await http.PostAsync($"/v1/regions/{Seed.Region}/borderGateways/{system.Gateway.Id}:release", body);
        Assert.False(releaseLine.IsSuccessStatusCode, $"the line's release answered {(int)releaseLine.StatusCode}");
        Assert.False(releaseGateway.IsSuccessStatusCode, $"the gateway's release answered {(int)releaseGateway.StatusCode}");

        using var delete = await http.DeleteAsync($"/v1/regions/{Seed.Region}/physicalConnections/{system.Line.Id}");
        Assert.Equal(HttpStatusCode.BadRequest, delete.StatusCode); // FAILED_PRECONDITION
        Assert.Contains("PHYSICAL_CONNECTION_IN_USE", await delete.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var seed = new Seed(system.Channel, system.As);
        var line = await seed.Lines.GetAsync(system.Line.Id);
        Assert.Equal(PhysicalConnection.Types.State.Available, line.State);
        Assert.Contains(system.Interface.Id, line.VirtualInterfaceIds);
        Assert.Contains(system.Interface.Id, (await seed.GetGatewayAsync(Owner, system.Gateway.Id)).VirtualInterfaceIds);
        Assert.Equal(VirtualInterface.Types.State.Available, (await seed.GetInterfaceAsync(Owner, system.Interface.Id)).State);
    }

    private async Task<HttpStatusCode> PostAsync(HttpClient http, string path)
    {
        using var response = await http.PostAsync(path, new StringContent("{\"virtualInterfaceId\": \"" + system.Interface.Id + "\"}", Encoding.UTF8, "application/json"));
        return response.StatusCode;
    }

    private const string AgentRouter = "rtr-000000000000";

    /// <summary>A token proving <paramref name="appId"/>: for the agents', that of <see cref="AgentRouter"/>'s agent (agents prove a router).</summary>
    private string CallerToken(string appId) => appId == AgentIdentity.AppId
        ? new AgentTokens(AgentRouter, Convert.ToBase64String(TestAgent.KeyOf(system, AgentRouter)), TimeProvider.System).Token()
        : ServiceToken(appId);

    private string ServiceToken(string appId) =>
        ((Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<ServiceCredentials>(system.Services))).TokenFor(appId);

    /// <summary>A request for <paramref name="method"/> aimed at the owner's resources (as the VirtualInterfaces service would send it).</summary>
    private IMessage RequestFor(MethodDescriptor method) => method.InputType.Name switch
    {
        nameof(InternalV1.ReservePhysicalConnectionRequest) => new InternalV1.ReservePhysicalConnectionRequest
        {
            Region = Seed.Region, Id = system.Line.Id, AccountId = Owner, VirtualInterfaceId = system.Interface.Id, Vlan = 300,
        },
        // No hosted connection exists here: a caller the method admits is told NOT_FOUND, any other is refused before that.
        nameof(InternalV1.ReserveHostedConnectionRequest) => new InternalV1.ReserveHostedConnectionRequest
        {
            Region = Seed.Region, Id = "dxhc-000000000000", AccountId = Owner, VirtualInterfaceId = system.Interface.Id, Vlan = 300,
        },
        nameof(InternalV1.ReserveBorderGatewayRequest) => new InternalV1.ReserveBorderGatewayRequest
        {
            Region = Seed.Region, Id = system.Gateway.Id, AccountId = Owner, VirtualInterfaceId = system.Interface.Id, IdcPrefixes = { "192.168.30.0/24" },
        },
        nameof(InternalV1.GetBorderGatewayAnnouncementsRequest) => new InternalV1.GetBorderGatewayAnnouncementsRequest { Region = Seed.Region, Id = system.Gateway.Id },
        nameof(InternalV1.GetRouterForAgentRequest) => new InternalV1.GetRouterForAgentRequest { RouterId = AgentRouter },
        // The data plane's methods, as the agent of a router that is not registered would call them.
        nameof(InternalV1.WatchRouterDesiredStateRequest) => new InternalV1.WatchRouterDesiredStateRequest { RouterId = AgentRouter },
        nameof(InternalV1.GetVirtualInterfaceAuthKeyRequest) => new InternalV1.GetVirtualInterfaceAuthKeyRequest
        {
            RouterId = AgentRouter, VirtualInterfaceId = system.Interface.Id,
        },
        nameof(InternalV1.ReportVirtualInterfaceStatusRequest) => new InternalV1.ReportVirtualInterfaceStatusRequest
        {
            RouterId = AgentRouter, VirtualInterfaceId = system.Interface.Id, Applied = true,
        },
        _ => throw new Xunit.Sdk.XunitException($"{method.FullName} is new: say here how to call it."),
    };

    private static async Task<(StatusCode Code, Google.Rpc.Status? Status)> CallAsync(GrpcChannel channel, MethodDescriptor method, IMessage request,
        string? bearer, Metadata? extra = null)
    {
        var raw = new Method<byte[], byte[]>(MethodType.Unary, method.Service.FullName, method.Name,
            Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        var headers = new Metadata();
        if (bearer is not null)
        {
            headers.Add("authorization", "Bearer " + bearer);
        }

        foreach (var entry in extra ?? [])
        {
            headers.Add(entry);
        }

        try
        {
            await channel.CreateCallInvoker().AsyncUnaryCall(raw, null, new CallOptions(headers), request.ToByteArray());
            return (StatusCode.OK, null);
        }
        catch (RpcException exception)
        {
            return (exception.StatusCode, exception.GetRpcStatus());
        }
    }

    private static async Task<IReadOnlyList<string>> ReflectedServicesAsync(GrpcChannel channel)
    {
        var client = new ServerReflection.ServerReflectionClient(channel);
        using var call = client.ServerReflectionInfo();
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await call.RequestStream.CompleteAsync();
        var services = new List<string>();
        while (await call.ResponseStream.MoveNext(CancellationToken.None))
        {
            services.AddRange(call.ResponseStream.Current.ListServicesResponse?.Service.Select(s => s.Name) ?? []);
        }

        return services;
    }
}

/// <summary>
/// Behind Dapr (<c>DirectConnect:ServiceIdentity:RequireDaprCallerAppId</c>, as the Kubernetes
/// manifests set it), a service token alone is not enough: the callee's sidecar must name exactly
/// one caller app-id, and it must be the token's.
/// </summary>
public sealed class BehindDaprInternalApiTests(BehindDaprInternalApiTests.System system) : IClassFixture<BehindDaprInternalApiTests.System>
{
    public sealed class System : EmbeddedSystem
    {
        protected override IEnumerable<string> ExtraArguments => ["--DirectConnect:ServiceIdentity:RequireDaprCallerAppId=true"];
    }

    [Fact]
    public async Task AnInternalCallWithoutTheSidecarsCallerAppIdIsRefusedAndWithItIsAdmitted()
    {
        var reservations = new InternalV1.PhysicalConnectionReservationService.PhysicalConnectionReservationServiceClient(system.InternalChannel);
        var request = new InternalV1.ReservePhysicalConnectionRequest
        {
            Region = Seed.Region, Id = "dxpc-000000000001", AccountId = "nobody", VirtualInterfaceId = "dxvif-000000000001", Vlan = 10,
        };
        var token = system.AsService("virtual-interfaces").Headers!;

        var refused = await RpcAssert.FailsWith(StatusCode.PermissionDenied, async () => await reservations.ReservePhysicalConnectionAsync(request, token));
        Assert.Equal("CALLER_NOT_ALLOWED", refused.Reason());

        var twice = new Metadata { token[0], { MethodAccess.DaprCallerAppIdHeader, "virtual-interfaces" }, { MethodAccess.DaprCallerAppIdHeader, "routing" } };
        Assert.Equal("CALLER_NOT_ALLOWED", (await RpcAssert.FailsWith(StatusCode.PermissionDenied, async () => await reservations.ReservePhysicalConnectionAsync(request, twice))).Reason());

        // Admitted: the connection does not exist, which is the method's own answer.
        var named = new Metadata { token[0], { MethodAccess.DaprCallerAppIdHeader, "virtual-interfaces" } };
        Assert.Equal("RESOURCE_NOT_FOUND", (await RpcAssert.FailsWith(StatusCode.NotFound, async () => await reservations.ReservePhysicalConnectionAsync(request, named))).Reason());
    }
}
