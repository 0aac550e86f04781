using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DirectConnect.Contracts.V1;
using DirectConnect.Gateway.Security;
using DirectConnect.Platform.Tenancy;
using Google.Api;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Microsoft.IdentityModel.Tokens;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Who may call what, over every method of the public API — enumerated from the contracts, so a
/// new method joins the matrix by existing — and over both transports: missing, forged, expired,
/// wrong-audience, wrong-issuer and account-less tokens are UNAUTHENTICATED (401); a customer
/// calling an operator method is PERMISSION_DENIED (403); another account's resource is
/// NOT_FOUND (404), and no answer to another account ever contains the owner's ids.
/// </summary>
public sealed class AccessMatrixTests(AccessMatrixTests.Topology system) : IClassFixture<AccessMatrixTests.Topology>
{
    private const string Owner = "matrix-owner";
    private const string Stranger = "matrix-stranger";

    /// <summary>
    /// One account's full topology: line, VPC, gateway, interface and a route in each table; the account is a partner too,
    /// with a second line hosting a connection for another customer.
    /// </summary>
    public sealed class Topology : EmbeddedSystem
    {
        public Dictionary<string, string> Ids { get; } = new(StringComparer.Ordinal);

        public override async Task InitializeAsync()
        {
            await base.InitializeAsync();
            var seed = new Seed(Channel, As);
            var device = await AddDeviceAsync(DefaultLocationId, ports: 2);
            var line = await seed.Lines.AvailableAsync(Owner, DefaultLocationId);
            var vpc = await seed.RegisterVpcAsync(Owner, "10.40.0.0/16");
            var gateway = await seed.AttachedAsync(Owner, (await seed.AvailableGatewayAsync(Owner)).Id, vpc.Id);
            var vif = await seed.CreateInterfaceAsync(Owner, Seed.Interface(line, gateway, vlan: 400, idcPrefix: "192.168.40.0/24"));
            var routes = new RouteService.RouteServiceClient(Channel);
            var vpcRoute = await routes.CreateVpcRouteAsync(new CreateVpcRouteRequest
            {
                Region = Seed.Region, VpcId = vpc.Id,
                Route = new Route { Destination = "192.168.40.0/24", NextHop = new NextHop { Type = NextHopType.BorderGateway, Id = gateway.Id } },
            }, seed.Customer(Owner));
            var gatewayRoute = await routes.CreateBorderGatewayRouteAsync(new CreateBorderGatewayRouteRequest
            {
                Region = Seed.Region, BorderGatewayId = gateway.Id,
                Route = new Route { Destination = "192.168.40.0/24", NextHop = new NextHop { Type = NextHopType.VirtualInterface, Id = vif.Id } },
            }, seed.Customer(Owner));
            await new PartnerService.PartnerServiceClient(Channel).RegisterPartnerAsync(new RegisterPartnerRequest
            {
                Region = Seed.Region, Partner = new Partner { AccountId = Owner, Name = "Matrix Carrier" },
            }, seed.Operator);
            var hostLine = await seed.Lines.AvailableAsync(Owner, DefaultLocationId);
            var hosted = await new HostedConnectionService.HostedConnectionServiceClient(Channel).AllocateHostedConnectionAsync(new AllocateHostedConnectionRequest
            {
                Region = Seed.Region,
                HostedConnection = new HostedConnection { PhysicalConnectionId = hostLine.Id, AccountId = "matrix-customer", Vlan = 401, BandwidthMbps = 100 },
            }, As(Owner, Role.Partner));
            Ids["location"] = DefaultLocationId;
            Ids["hostLine"] = hostLine.Id;
            Ids["hosted"] = hosted.Id;
            Ids["device"] = device.Id;
            Ids["line"] = line.Id;
            Ids["vpc"] = vpc.Id;
            Ids["gateway"] = gateway.Id;
            Ids["vif"] = vif.Id;
            Ids["vpcRoute"] = vpcRoute.Id;
            Ids["gatewayRoute"] = gatewayRoute.Id;
            // Registered last: the topology's gateway was placed on no router, so its interface is AVAILABLE as usual.
            Ids["router"] = (await new RouterService.RouterServiceClient(Channel).CreateRouterAsync(new CreateRouterRequest
            {
                Region = Seed.Region, Router = new Router { Name = "matrix", InterfaceName = "eth9" },
            }, seed.Operator)).Id;
        }
    }

    public static TheoryData<string> Methods() => [.. MethodAccessCatalog.ContractServices().SelectMany(s => s.Methods).Select(m => m.FullName)];

    private static MethodDescriptor Find(string fullName) =>
        MethodAccessCatalog.ContractServices().SelectMany(s => s.Methods).Single(m => m.FullName == fullName);

    // ---- gRPC ----

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task BadCredentialsAreUnauthenticatedOverGrpc(string fullName)
    {
        var method = Find(fullName);
        foreach (var (what, token) in BadTokens())
        {
            var (code, status, _) = await CallAsync(method, Request(method), token);
            Assert.True(code == StatusCode.Unauthenticated, $"{method.Name} with {what}: {code}");
            Assert.Equal("UNAUTHENTICATED", status?.Reason());
            Assert.Equal("The request carries no valid credentials.", status!.Message); // nothing that helps an attacker
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task CustomersGetPermissionDeniedFromOperatorMethodsOnlyOverGrpc(string fullName)
    {
        var method = Find(fullName);
        // Operator and partner methods are refused to a customer even for the owner's own resources; the others are open to
        // any customer (a stranger here, so nothing of the owner's changes) and answer for themselves.
        var needsRole = MethodAccessCatalog.AccessOf(method) is Access.Operator or Access.Partner;
        var (code, status, _) = await CallAsync(method, Request(method), system.Token(needsRole ? Owner : Stranger, Role.Customer));
        if (needsRole)
        {
            Assert.True(code == StatusCode.PermissionDenied, $"{method.Name}: {code}");
            Assert.Equal("ROLE_REQUIRED", status?.Reason());
        }
        else
        {
            Assert.True(code is not (StatusCode.PermissionDenied or StatusCode.Unauthenticated), $"{method.Name}: {code} {status}");
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task AnotherAccountsResourceIsNotFoundAndNeverLeaksOverGrpc(string fullName)
    {
        var method = Find(fullName);
        if (MethodAccessCatalog.AccessOf(method) == Access.Operator)
        {
            return; // operators see every account: nothing to hide from them
        }

        var request = Request(method);
        var (code, status, response) = await CallAsync(method, request, system.Token(Stranger, Role.Customer));
        if (AddressesAnOwnedResource(method))
        {
            Assert.True(code == StatusCode.NotFound, $"{method.Name} on the owner's resource as a stranger: {code} {status}");
            Assert.Equal("RESOURCE_NOT_FOUND", status?.Reason());
        }

        var answer = Encoding.UTF8.GetString(response) + status;
        foreach (var id in system.Ids.Where(i => i.Key is not ("location" or "device")).Select(i => i.Value))
        {
            if (!request.ToString()!.Contains(id, StringComparison.Ordinal))
            {
                Assert.DoesNotContain(id, answer, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task TheOwnerReachesEveryResourceTheMatrixAddresses()
    {
        // The NOT_FOUND rows mean something only if the same requests succeed for the owner.
        foreach (var method in MethodAccessCatalog.ContractServices().SelectMany(s => s.Methods).Where(AddressesAnOwnedResource)
                     .Where(m => m.Name.StartsWith("Get", StringComparison.Ordinal) || m.Name.StartsWith("List", StringComparison.Ordinal)))
        {
            var (code, status, _) = await CallAsync(method, Request(method), system.Token(Owner, Role.Customer));
            Assert.True(code == StatusCode.OK, $"{method.Name} as the owner: {code} {status}");
        }
    }

    // ---- REST ----

    [Theory]
    [MemberData(nameof(Methods))]
    public async Task TheSameAnswersOverRest(string fullName)
    {
        var method = Find(fullName);
        var request = Request(method);
        foreach (var (what, token) in BadTokens())
        {
            var (http, status) = await SendAsync(method, request, token);
            Assert.True(http == HttpStatusCode.Unauthorized, $"{method.Name} with {what}: {http}");
            Assert.Equal(16, status.GetProperty("code").GetInt32());
        }

        if (MethodAccessCatalog.AccessOf(method) is Access.Operator or Access.Partner)
        {
            var (http, status) = await SendAsync(method, request, system.Token(Owner, Role.Customer));
            Assert.True(http == HttpStatusCode.Forbidden, $"{method.Name} as a customer: {http}");
            Assert.Equal(7, status.GetProperty("code").GetInt32());
        }
        else if (AddressesAnOwnedResource(method))
        {
            var (http, status) = await SendAsync(method, request, system.Token(Stranger, Role.Customer));
            Assert.True(http == HttpStatusCode.NotFound, $"{method.Name} as a stranger: {http} {status}");
            Assert.Equal(5, status.GetProperty("code").GetInt32());
        }
    }

    // ---- the requests ----

    /// <summary>Methods that name one of the owner's resources (by id, or as the parent of routes).</summary>
    private static bool AddressesAnOwnedResource(MethodDescriptor method) =>
        method.Service.Name is not ("LocationService" or "AccessDeviceService" or "RouterService" or "ReachabilityService" or "WatchService")
        && (method.InputType.FindFieldByName("id") is not null
            || method.InputType.FindFieldByName("vpc_id") is not null
            || method.InputType.FindFieldByName("border_gateway_id") is not null)
        && method.Name != "RegisterVpc";

    /// <summary>A well-formed request for <paramref name="method"/> naming the owner's resources, so the answer depends only on who calls.</summary>
    private IMessage Request(MethodDescriptor method)
    {
        var ids = system.Ids;
        var request = method.InputType.Parser.ParseFrom(ByteString.Empty);
        void Set(string field, object value)
        {
            if (method.InputType.FindFieldByName(field) is { } descriptor)
            {
                descriptor.Accessor.SetValue(request, value);
            }
        }

        Set("region", Seed.Region);
        Set("request_id", Guid.NewGuid().ToString());
        Set("id", method.Service.Name switch
        {
            "PhysicalConnectionService" => ids["line"],
            "BorderGatewayService" => ids["gateway"],
            "VirtualInterfaceService" => ids["vif"],
            "VpcService" => ids["vpc"],
            "AccessDeviceService" => ids["device"],
            "LocationService" => ids["location"],
            "RouterService" => ids["router"],
            "HostedConnectionService" => ids["hosted"],
            "PartnerService" => Owner,
            _ => "",
        });
        Set("vpc_id", method.Name == "RegisterVpc" ? "" : ids["vpc"]);
        Set("border_gateway_id", ids["gateway"]);
        Set("route_id", method.Name == "DeleteVpcRoute" ? ids["vpcRoute"] : ids["gatewayRoute"]);
        Set("virtual_interface_id", ids["vif"]);
        switch (request)
        {
            case UpdatePhysicalConnectionRequest update:
                update.PhysicalConnection = new PhysicalConnection { Name = "renamed" };
                update.UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "name" } };
                break;
            case UpdateBorderGatewayRequest update:
                update.BorderGateway = new BorderGateway { Name = "renamed" };
                update.UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "name" } };
                break;
            case UpdateVirtualInterfaceRequest update:
                update.VirtualInterface = new VirtualInterface { Name = "renamed" };
                update.UpdateMask = new Google.Protobuf.WellKnownTypes.FieldMask { Paths = { "name" } };
                break;
            case RejectPhysicalConnectionRequest reject:
                reject.Reason = "the matrix says so";
                break;
            case CreateVpcRouteRequest create:
                create.Route = new Route { Destination = "192.168.41.0/24", NextHop = new NextHop { Type = NextHopType.BorderGateway, Id = ids["gateway"] } };
                break;
            case CreateBorderGatewayRouteRequest create:
                create.Route = new Route { Destination = "192.168.42.0/24", NextHop = new NextHop { Type = NextHopType.VirtualInterface, Id = ids["vif"] } };
                break;
            case CreateRouterRequest create:
                create.Router = new Router { Name = "matrix-2", InterfaceName = "eth8" };
                break;
            case AllocateHostedConnectionRequest allocate:
                allocate.HostedConnection = new HostedConnection { PhysicalConnectionId = ids["hostLine"], AccountId = "matrix-customer-2", Vlan = 402, BandwidthMbps = 50 };
                break;
            case RegisterPartnerRequest register:
                register.Partner = new Partner { AccountId = "matrix-new-partner", Name = "New Carrier" };
                break;
            case GetRouterConfigurationRequest configuration:
                configuration.Vendor = RouterVendor.Frr;
                break;
        }

        return request;
    }

    /// <summary>Every kind of credentials that must be refused, each otherwise valid.</summary>
    private IEnumerable<(string What, string? Token)> BadTokens()
    {
        var key = AuthenticationSetup.SigningKey(new AuthOptions(), new Gateway.Hosting.GatewayOptions { DataDirectory = system.DataDirectory });
        var roles = new[] { Role.Operator };
        yield return ("no token", null);
        yield return ("a token signed with another key", new TokenIssuer(new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)),
            AuthOptions.EmbeddedIssuer, "directconnect", TimeProvider.System).Issue(Owner, roles, TimeSpan.FromHours(1)));
        yield return ("an expired token", new TokenIssuer(key, AuthOptions.EmbeddedIssuer, "directconnect", new PastClock())
            .Issue(Owner, roles, TimeSpan.FromHours(1)));
        yield return ("a token for another audience", new TokenIssuer(key, AuthOptions.EmbeddedIssuer, "someone-else", TimeProvider.System)
            .Issue(Owner, roles, TimeSpan.FromHours(1)));
        yield return ("a token from another issuer", new TokenIssuer(key, "someone-else", "directconnect", TimeProvider.System)
            .Issue(Owner, roles, TimeSpan.FromHours(1)));
        yield return ("a token without an account", Tokens.SignedWith(system.DataDirectory, new Claim(CallerClaims.Roles, Role.Operator)));
        yield return ("a token that is not a JWT", "not-a-jwt");
    }

    private sealed class PastClock : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddHours(-3);
    }

    private static readonly Marshaller<byte[]> Bytes = Marshallers.Create(b => b, b => b);

    /// <summary>Calls <paramref name="method"/> with raw protobuf bytes, unary or server-streaming (first message).</summary>
    private async Task<(StatusCode Code, Google.Rpc.Status? Status, byte[] Response)> CallAsync(MethodDescriptor method, IMessage request, string? token)
    {
        var headers = new Metadata();
        if (token is not null)
        {
            headers.Add("authorization", $"Bearer {token}");
        }

        var options = new CallOptions(headers, DateTime.UtcNow.AddSeconds(30));
        var invoker = system.Channel.CreateCallInvoker();
        try
        {
            if (method.IsServerStreaming)
            {
                var grpcMethod = new Method<byte[], byte[]>(MethodType.ServerStreaming, method.Service.FullName, method.Name, Bytes, Bytes);
                using var cancel = new CancellationTokenSource();
                using var call = invoker.AsyncServerStreamingCall(grpcMethod, null, options.WithCancellationToken(cancel.Token), request.ToByteArray());
                // Authorization fails before the first message; an accepted watch is open: answer OK once it is.
                var headersTask = call.ResponseHeadersAsync;
                await headersTask;
                var first = call.ResponseStream.MoveNext(cancel.Token);
                var done = await Task.WhenAny(first, Task.Delay(TimeSpan.FromMilliseconds(300)));
                if (done == first)
                {
                    await first;
                    return (StatusCode.OK, null, first.Result ? call.ResponseStream.Current : []);
                }

                await cancel.CancelAsync();
                return (StatusCode.OK, null, []);
            }

            var unary = new Method<byte[], byte[]>(MethodType.Unary, method.Service.FullName, method.Name, Bytes, Bytes);
            var response = await invoker.AsyncUnaryCall(unary, null, options, request.ToByteArray());
            return (StatusCode.OK, null, response);
        }
        catch (RpcException exception)
        {
            Assert.DoesNotContain("   at ", exception.Status.Detail, StringComparison.Ordinal);
            return (exception.StatusCode, exception.GetRpcStatus(), []);
        }
    }

    /// <summary>Sends <paramref name="request"/> over REST, as its HTTP rule maps it.</summary>
    private async Task<(HttpStatusCode Code, JsonElement Status)> SendAsync(MethodDescriptor method, IMessage request, string? token)
    {
        var rule = method.GetOptions().GetExtension(AnnotationsExtensions.Http);
        var (verb, template) = rule.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => (HttpMethod.Get, rule.Get),
            HttpRule.PatternOneofCase.Post => (HttpMethod.Post, rule.Post),
            HttpRule.PatternOneofCase.Patch => (HttpMethod.Patch, rule.Patch),
            HttpRule.PatternOneofCase.Delete => (HttpMethod.Delete, rule.Delete),
            _ => throw new Xunit.Sdk.XunitException($"{method.Name} uses {rule.PatternCase}"),
        };
        var path = System.Text.RegularExpressions.Regex.Replace(template, @"\{(\w+)\}",
            m => Uri.EscapeDataString((string)method.InputType.FindFieldByName(m.Groups[1].Value).Accessor.GetValue(request)));
        if (verb == HttpMethod.Get)
        {
            // Fields outside the path travel in the query, by their JSON names (enums by value name).
            var query = method.InputType.Fields.InDeclarationOrder()
                .Where(f => !template.Contains("{" + f.Name + "}", StringComparison.Ordinal) && f.FieldType is not FieldType.Message && !f.IsRepeated)
                .Select(f => (f, Value: f.Accessor.GetValue(request)))
                .Where(x => x.Value is not (null or "" or 0 or 0L or false))
                .Select(x => $"{x.f.JsonName}={Uri.EscapeDataString(x.f.FieldType == FieldType.Enum
                    ? x.f.EnumType.FindValueByNumber((int)x.Value).Name
                    : Convert.ToString(x.Value, System.Globalization.CultureInfo.InvariantCulture)!)}");
            path += "?" + string.Join('&', query);
        }

        using var message = new HttpRequestMessage(verb, path);
        if (rule.Body == "*")
        {
            message.Content = new StringContent(JsonFormatter.Default.Format(request), Encoding.UTF8, "application/json");
        }
        else if (rule.Body.Length > 0)
        {
            var body = (IMessage?)method.InputType.FindFieldByName(rule.Body).Accessor.GetValue(request);
            message.Content = new StringContent(body is null ? "{}" : JsonFormatter.Default.Format(body), Encoding.UTF8, "application/json");
        }

        if (token is not null)
        {
            message.Headers.Authorization = new("Bearer", token);
        }

        using var http = system.Rest(null);
        using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
        if (response.IsSuccessStatusCode)
        {
            return (response.StatusCode, default);
        }

        var text = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(text);
        return (response.StatusCode, document.RootElement.Clone());
    }
}
