using DirectConnect.Contracts.V1;
using DirectConnect.Platform.Tenancy;
using Google.Api;
using Google.Protobuf.Reflection;

namespace DirectConnect.ContractTests;

/// <summary>The AIP conventions of API.md, checked on the compiled descriptors of every public service.</summary>
public sealed class ApiConventionTests
{
    // Discovered the way the gateway's access check discovers them, so a new service is checked too.
    private static readonly IReadOnlyList<ServiceDescriptor> Services = MethodAccessCatalog.ContractServices();

    private static IEnumerable<MethodDescriptor> Methods => Services.SelectMany(s => s.Methods);

    private static HttpRule? Http(MethodDescriptor method) => method.GetOptions()?.GetExtension(AnnotationsExtensions.Http);

    public static TheoryData<string> MethodNames() => [.. Methods.Select(m => m.FullName)];

    private static MethodDescriptor Method(string fullName) => Methods.Single(m => m.FullName == fullName);

    [Fact]
    public void DiscoveryFindsEveryPublicService()
    {
        ServiceDescriptor[] known =
        [
            LocationService.Descriptor, AccessDeviceService.Descriptor, PhysicalConnectionService.Descriptor,
            BorderGatewayService.Descriptor, VpcService.Descriptor, VirtualInterfaceService.Descriptor,
            RouteService.Descriptor, ReachabilityService.Descriptor, WatchService.Descriptor,
        ];
        Assert.Empty(known.Select(s => s.FullName).Except(Services.Select(s => s.FullName)));
    }

    [Theory]
    [MemberData(nameof(MethodNames))]
    public void EveryMethodDeclaresWhoMayCallIt(string fullName) =>
        Assert.NotEqual(Access.Unspecified, MethodAccessCatalog.AccessOf(Method(fullName)));

    [Fact]
    public void OperatorOnlyMethodsAreTheInventoryTheReviewTheVpcCatalogAndThePartnerRegistry()
    {
        string[] expected =
        [
            "CreateAccessDevice", "GetAccessDevice", "ListAccessDevices", "DeleteAccessDevice", "CreateLocation",
            "ApprovePhysicalConnection", "RejectPhysicalConnection", "RecordPhysicalConnectionPayment",
            "CompletePhysicalConnectionConstruction", "RegisterVpc", "DeregisterVpc",
            "CreateRouter", "GetRouter", "ListRouters", "DeleteRouter",
            "RegisterPartner", "ListPartners", "DeletePartner",
        ];
        var declared = Methods.Where(m => MethodAccessCatalog.AccessOf(m) == Access.Operator).Select(m => m.Name);
        Assert.Equal(expected.Order(StringComparer.Ordinal), declared.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void PartnerOnlyMethodsAreTheHostedAllocations()
    {
        var declared = Methods.Where(m => MethodAccessCatalog.AccessOf(m) == Access.Partner).Select(m => m.Name);
        Assert.Equal(["AllocateHostedConnection"], declared);
    }

    [Theory]
    [MemberData(nameof(MethodNames))]
    public void EveryMethodHasARestRuleUnderItsRegion(string fullName)
    {
        var rule = Http(Method(fullName));
        Assert.NotNull(rule);
        var path = rule.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => rule.Get,
            HttpRule.PatternOneofCase.Post => rule.Post,
            HttpRule.PatternOneofCase.Patch => rule.Patch,
            HttpRule.PatternOneofCase.Delete => rule.Delete,
            _ => throw new Xunit.Sdk.XunitException($"{fullName} uses {rule.PatternCase}"),
        };
        Assert.StartsWith("/v1/regions/{region}/", path, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(MethodNames))]
    public void EveryMutatingMethodTakesARequestId(string fullName)
    {
        var method = Method(fullName);
        var rule = Http(method)!;
        var mutating = rule.PatternCase is not HttpRule.PatternOneofCase.Get && method.Name != "TraceReachability";
        if (mutating)
        {
            Assert.NotNull(method.InputType.FindFieldByName("request_id"));
        }
        else
        {
            Assert.Null(method.InputType.FindFieldByName("request_id"));
        }
    }

    [Theory]
    [MemberData(nameof(MethodNames))]
    public void UpdatesTakeAFieldMaskAndAnETag(string fullName)
    {
        var method = Method(fullName);
        if (method.Name.StartsWith("Update", StringComparison.Ordinal))
        {
            Assert.Equal("google.protobuf.FieldMask", method.InputType.FindFieldByName("update_mask")?.MessageType.FullName);
            Assert.NotNull(method.InputType.FindFieldByName("etag"));
        }

        if (method.Name.StartsWith("Delete", StringComparison.Ordinal) && !method.Name.Contains("Route", StringComparison.Ordinal))
        {
            Assert.NotNull(method.InputType.FindFieldByName("etag"));
        }
    }

    [Theory]
    [MemberData(nameof(MethodNames))]
    public void ListsArePaged(string fullName)
    {
        var method = Method(fullName);
        if (method.Name.StartsWith("List", StringComparison.Ordinal))
        {
            Assert.NotNull(method.InputType.FindFieldByName("page_size"));
            Assert.NotNull(method.InputType.FindFieldByName("page_token"));
            Assert.NotNull(method.OutputType.FindFieldByName("next_page_token"));
        }
    }

    [Theory]
    [MemberData(nameof(MethodNames))]
    public void AMethodReturningRawBytesDeclaresTheirMediaType(string fullName)
    {
        // The OpenAPI document describes such a response as bytes of this type, so generated clients do not parse it as JSON.
        var method = Method(fullName);
        var mediaType = method.GetOptions()?.GetExtension(MediaTypeExtensions.ResponseMediaType) ?? "";
        if (method.OutputType.FullName == "google.api.HttpBody")
        {
            Assert.Matches("^[a-z]+/[a-z0-9.+-]+$", mediaType);
        }
        else
        {
            Assert.Equal("", mediaType);
        }
    }

    [Fact]
    public void EveryResourceCarriesTheStandardFields()
    {
        foreach (var resource in new[]
                 {
                     PhysicalConnection.Descriptor, BorderGateway.Descriptor, VirtualInterface.Descriptor, Vpc.Descriptor, Route.Descriptor,
                     HostedConnection.Descriptor, Partner.Descriptor,
                 })
        {
            foreach (var field in new[] { "id", "account_id", "region", "create_time", "update_time", "etag" })
            {
                Assert.True(resource.FindFieldByName(field) is not null, $"{resource.FullName} has no {field}");
            }
        }
    }

    [Fact]
    public void EnumsStartWithUnspecified()
    {
        var enums = Services.Select(s => s.File).Distinct()
            .SelectMany(f => f.EnumTypes.Concat(f.MessageTypes.SelectMany(Nested)));
        foreach (var type in enums)
        {
            Assert.EndsWith("_UNSPECIFIED", type.FindValueByNumber(0).Name, StringComparison.Ordinal);
        }

        static IEnumerable<EnumDescriptor> Nested(MessageDescriptor message) =>
            message.EnumTypes.Concat(message.NestedTypes.SelectMany(Nested));
    }
}
