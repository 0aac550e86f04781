using System.Collections;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using DirectConnect.Contracts.V1;
using DirectConnect.Platform.ServiceIdentity;
using DirectConnect.Platform.Tenancy;
using InternalV1 = DirectConnect.Contracts.Internal.V1;
using Google.Api;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Every repeated field a client can send (issue 12) has a maximum, stated in its proto comment ("at most N"), which is
/// what SDK and OpenAPI users read, and the service refuses one element more with INVALID_ARGUMENT naming the field,
/// before it looks at any element. The fields are found in the descriptors: a new repeated field without a documented,
/// enforced bound fails here. Output-only fields are ignored on input (AIP-203), and so are immutable ones in an update
/// (AIP-134); the body size limit bounds what parsing them costs.
/// </summary>
public sealed partial class RepeatedFieldBoundTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    private static readonly XDocument[] ContractDocs =
    [
        XDocument.Load(Path.Combine(AppContext.BaseDirectory, "DirectConnect.Contracts.xml")),
        XDocument.Load(Path.Combine(AppContext.BaseDirectory, "DirectConnect.Contracts.Internal.xml")),
    ];

    /// <summary>Every method a request can reach: the public API and the internal one (which the services call).</summary>
    private static IEnumerable<MethodDescriptor> AllMethods() =>
        MethodAccessCatalog.ContractServices().Concat(InternalMethodCatalog.Services()).SelectMany(s => s.Methods);

    /// <summary>A repeated field (or an update mask, whose paths are) reachable from a request: the method and the field path from the request.</summary>
    public static TheoryData<string, string> RepeatedRequestFields()
    {
        var data = new TheoryData<string, string>();
        foreach (var method in AllMethods())
        {
            foreach (var path in Walk(method, method.InputType, []))
            {
                data.Add(method.FullName, string.Join(".", path.Select(f => f.Name)));
            }
        }

        return data;
    }

    private static IEnumerable<List<FieldDescriptor>> Walk(MethodDescriptor method, MessageDescriptor message, List<FieldDescriptor> path)
    {
        foreach (var field in message.Fields.InDeclarationOrder())
        {
            var behavior = field.GetOptions()?.GetExtension(FieldBehaviorExtensions.FieldBehavior) ?? [];
            if (behavior.Contains(FieldBehavior.OutputOnly) ||
                (path.Count > 0 && method.Name.StartsWith("Update", StringComparison.Ordinal) && behavior.Contains(FieldBehavior.Immutable)))
            {
                continue; // ignored on input
            }

            List<FieldDescriptor> here = [.. path, field];
            if (field.IsRepeated || (field.FieldType == FieldType.Message && field.MessageType.FullName == FieldMask.Descriptor.FullName))
            {
                yield return here;
            }
            else if (field.FieldType == FieldType.Message && !field.MessageType.File.Package.StartsWith("google.", StringComparison.Ordinal) &&
                     path.All(f => f.MessageType != field.MessageType))
            {
                foreach (var nested in Walk(method, field.MessageType, here))
                {
                    yield return nested;
                }
            }
        }
    }

    [Fact]
    public void TheWalkFindsEveryRepeatedFieldOfTheApiToday()
    {
        // The theory below rests on the walk: make sure it sees the fields it must.
        Assert.Equal(
        [
            "directconnect.internal.v1.BorderGatewayReservationService.ReserveBorderGateway idc_prefixes",
            "directconnect.internal.v1.DataPlaneService.ReportVirtualInterfaceStatus advertised_prefixes",
            "directconnect.internal.v1.DataPlaneService.ReportVirtualInterfaceStatus received_prefixes",
            "directconnect.v1.AccessDeviceService.CreateAccessDevice access_device.ports",
            "directconnect.v1.BorderGatewayService.UpdateBorderGateway update_mask",
            "directconnect.v1.PhysicalConnectionService.UpdatePhysicalConnection update_mask",
            "directconnect.v1.VirtualInterfaceService.CreateVirtualInterface virtual_interface.idc_prefixes",
            "directconnect.v1.VirtualInterfaceService.UpdateVirtualInterface update_mask",
            "directconnect.v1.VpcService.RegisterVpc vpc.cidr_blocks",
        ], RepeatedRequestFields().Select(row => $"{row[0]} {row[1]}").Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(RepeatedRequestFields))]
    public async Task OneElementOverTheDocumentedMaximumIsRefusedNamingTheFieldBeforeAnyElementIsLookedAt(string methodName, string fieldPath)
    {
        var method = AllMethods().Single(m => m.FullName == methodName);
        var path = Resolve(method.InputType, fieldPath);
        var max = DocumentedMaximum(path[^1]);

        // Elements that are each invalid: if any of them were looked at, it would be named.
        var request = Request(method, path, max + 1);
        var rpc = new Method<byte[], byte[]>(MethodType.Unary, method.Service.FullName, method.Name, Marshallers.Create(b => b, b => b), Marshallers.Create(b => b, b => b));
        var isInternal = method.File.Package.StartsWith("directconnect.internal.", StringComparison.Ordinal);
        var (channel, caller) = isInternal ? (system.InternalChannel, system.AsService("virtual-interfaces")) : (system.Channel, system.As("bounds-ops", "operator"));
        if (method.InputType.FindFieldByName("router_id") is { } router)
        {
            // The data plane's methods are the agents': one speaking for the router the request names.
            const string routerId = "rtr-bounds000000";
            router.Accessor.SetValue(request, routerId);
            caller = TestAgent.As(system, routerId);
        }

        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () =>
            channel.CreateCallInvoker().AsyncUnaryCall(rpc, null, caller, request.ToByteArray()).ResponseAsync);

        var violations = status.Detail<BadRequest>().FieldViolations;
        var count = Assert.Single(violations, v => v.Field == fieldPath);
        Assert.Contains($"at most {max}", count.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(violations, v => v.Field.StartsWith(fieldPath + "[", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EachDocumentedMaximumIsAccepted()
    {
        var seed = new Seed(system.Channel, system.As);
        var account = "bounds-" + Guid.NewGuid().ToString("N")[..10];

        var device = await system.AddDeviceAsync(system.DefaultLocationId, ports: 1024);
        Assert.Equal(1024, device.Ports.Count);

        var vpc = await seed.RegisterVpcAsync(account, Enumerable.Range(0, 5).Select(i => $"10.{i}.0.0/16").ToArray());
        Assert.Equal(5, vpc.CidrBlocks.Count);

        var gateway = await seed.AvailableGatewayAsync(account);
        var mask = new FieldMask();
        mask.Paths.AddRange(Enumerable.Repeat("name", 16));
        var renamed = await seed.Gateways.UpdateBorderGatewayAsync(new UpdateBorderGatewayRequest
        {
            Region = Seed.Region, Id = gateway.Id, BorderGateway = new BorderGateway { Name = "renamed" }, UpdateMask = mask,
        }, seed.Customer(account));
        Assert.Equal("renamed", renamed.Name);

        var reserve = new InternalV1.ReserveBorderGatewayRequest { Region = Seed.Region, Id = gateway.Id, AccountId = account, VirtualInterfaceId = "dxvif-bounds0000001" };
        reserve.IdcPrefixes.AddRange(Enumerable.Range(0, 100).Select(i => $"192.168.{i}.0/24"));
        var reserved = await Reservations.ReserveBorderGatewayAsync(reserve, system.AsService("virtual-interfaces"));
        Assert.Contains("dxvif-bounds0000001", reserved.VirtualInterfaceIds);
    }

    [Fact]
    public async Task AReservationOverTheIdcPrefixMaximumIsRefusedAndTheLargestRequestIsOneViolation()
    {
        // Found by the security review: ReserveBorderGateway compared idc_prefixes pairwise with no count limit
        // (two 20,000-prefix requests burned 36 CPU-seconds), and 26 MB of duplicates built 1.9 million violations.
        var seed = new Seed(system.Channel, system.As);
        var account = "bounds-" + Guid.NewGuid().ToString("N")[..10];
        var gateway = await seed.AvailableGatewayAsync(account);

        var service = system.AsService("virtual-interfaces");
        var distinct = new InternalV1.ReserveBorderGatewayRequest { Region = Seed.Region, Id = gateway.Id, AccountId = account, VirtualInterfaceId = "dxvif-bounds0000002" };
        distinct.IdcPrefixes.AddRange(Enumerable.Range(0, 101).Select(i => $"192.168.{i}.0/24"));
        var refused = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => Reservations.ReserveBorderGatewayAsync(distinct, service).ResponseAsync);
        Assert.Equal("idc_prefixes", refused.Detail<BadRequest>().FieldViolations.Single().Field);
        Assert.Empty((await seed.GetGatewayAsync(account, gateway.Id)).VirtualInterfaceIds);

        // The largest request the size limit lets through, all duplicates: one violation, no element looked at.
        var largest = new InternalV1.ReserveBorderGatewayRequest { Region = Seed.Region, Id = gateway.Id, AccountId = account, VirtualInterfaceId = "dxvif-bounds0000003" };
        const int elementSize = 12; // tag, length, "10.0.0.0/8"
        largest.IdcPrefixes.AddRange(Enumerable.Repeat("10.0.0.0/8", ((1024 * 1024) - largest.CalculateSize()) / elementSize));
        Assert.InRange(largest.CalculateSize(), (1024 * 1024) - elementSize, 1024 * 1024);

        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, () => Reservations.ReserveBorderGatewayAsync(largest, service).ResponseAsync);
        var violation = status.Detail<BadRequest>().FieldViolations.Single();
        Assert.Equal("idc_prefixes", violation.Field);
        Assert.Contains($"got {largest.IdcPrefixes.Count}", violation.Description, StringComparison.Ordinal);
    }

    private InternalV1.BorderGatewayReservationService.BorderGatewayReservationServiceClient Reservations => new(system.InternalChannel);

    private static List<FieldDescriptor> Resolve(MessageDescriptor message, string fieldPath)
    {
        var path = new List<FieldDescriptor>();
        foreach (var name in fieldPath.Split('.'))
        {
            var field = message.FindFieldByName(name);
            path.Add(field);
            message = field.FieldType == FieldType.Message ? field.MessageType : message;
        }

        return path;
    }

    /// <summary>The maximum the field's documentation states ("at most N"), as clients read it.</summary>
    private static int DocumentedMaximum(FieldDescriptor field)
    {
        var type = field.ContainingType.ClrType.FullName!.Replace('+', '.');
        var member = $"P:{type}.{field.PropertyName}";
        var summary = ContractDocs.SelectMany(d => d.Descendants("member")).SingleOrDefault(m => (string?)m.Attribute("name") == member)?.Element("summary")?.Value ?? "";
        var match = AtMost().Match(summary.ReplaceLineEndings(" "));
        Assert.True(match.Success, $"{field.FullName} states no maximum (\"at most N\") in its proto comment: {summary.Trim()}");
        return int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    [GeneratedRegex(@"at most (\d+)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex AtMost();

    /// <summary>A request of <paramref name="method"/> in a served region, every message on the way set, with <paramref name="count"/> bad elements at the end of <paramref name="path"/>.</summary>
    private static IMessage Request(MethodDescriptor method, List<FieldDescriptor> path, int count)
    {
        var request = (IMessage)Activator.CreateInstance(method.InputType.ClrType)!;
        method.InputType.FindFieldByName("region")?.Accessor.SetValue(request, Seed.Region);
        // Every message field of the request present, so that validation reaches the fields inside it (an update's patch).
        foreach (var field in method.InputType.Fields.InDeclarationOrder().Where(f => f.FieldType == FieldType.Message && !f.IsRepeated))
        {
            field.Accessor.SetValue(request, Activator.CreateInstance(field.MessageType.ClrType)!);
        }

        var message = request;
        foreach (var field in path.SkipLast(1))
        {
            message = (IMessage)field.Accessor.GetValue(message);
        }

        var last = path[^1];
        if (!last.IsRepeated)
        {
            // An update mask: its paths are the list.
            var mask = (FieldMask)last.Accessor.GetValue(message);
            mask.Paths.AddRange(Enumerable.Range(0, count).Select(i => $"no_such_field_{i}"));
            return request;
        }

        var list = (IList)last.Accessor.GetValue(message);
        for (var i = 0; i < count; i++)
        {
            list.Add(last.FieldType == FieldType.Message ? Activator.CreateInstance(last.MessageType.ClrType)! : last.FieldType == FieldType.String ? "" : throw new NotSupportedException(last.FullName));
        }

        return request;
    }
}
