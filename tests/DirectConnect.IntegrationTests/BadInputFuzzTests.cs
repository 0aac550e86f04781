using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using DirectConnect.Contracts.V1;
using DirectConnect.Gateway.Hosting;
using Google.Api;
using Google.Protobuf.Reflection;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace DirectConnect.IntegrationTests;

/// <summary>The fuzzing fixture: the embedded system, never throttled, with a few real resources whose ids the fuzz reuses.</summary>
public sealed class BadInputFuzzSystem : EmbeddedSystem, IAsyncLifetime
{
    protected override IEnumerable<string> ExtraArguments =>
    [
        "--DirectConnect:RateLimits:TokenLimit=100000000",
        "--DirectConnect:RateLimits:TokensPerPeriod=100000000",
    ];

    /// <summary>Ids of resources that exist, so that some fuzzed requests address real ones.</summary>
    public List<string> KnownIds { get; } = [];

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        var device = await AddDeviceAsync(DefaultLocationId, ports: 2);
        var connection = await new PhysicalConnectionService.PhysicalConnectionServiceClient(Channel).CreatePhysicalConnectionAsync(
            new CreatePhysicalConnectionRequest
            {
                Region = "cn-north-1",
                PhysicalConnection = new PhysicalConnection
                {
                    Name = "fuzz-line", LocationId = DefaultLocationId, PortSpeed = PortSpeed._1G, BandwidthMbps = 500, Provider = "China Unicom",
                },
            }, As(BadInputFuzzTests.Customer, "customer"));
        var vpc = await new VpcService.VpcServiceClient(Channel).RegisterVpcAsync(
            new RegisterVpcRequest { Region = "cn-north-1", Vpc = new Vpc { AccountId = BadInputFuzzTests.Customer, Name = "fuzz-vpc", CidrBlocks = { "10.20.0.0/16" } } },
            As("ops", "operator"));
        // A registered partner, so that its methods get as far as the input can take them.
        await new PartnerService.PartnerServiceClient(Channel).RegisterPartnerAsync(new RegisterPartnerRequest
        {
            Region = "cn-north-1", Partner = new Partner { AccountId = BadInputFuzzTests.Partner, Name = "Fuzz Carrier" },
        }, As("ops", "operator"));
        KnownIds.AddRange([DefaultLocationId, device.Id, connection.Id, connection.Etag, vpc.Id, vpc.RouteTableId, vpc.Etag]);
    }
}

/// <summary>
/// Issue 6, bad-input fuzzing: thousands of generated requests that are each certainly invalid,
/// over gRPC (raw bytes: any field value, wrong wire types, invalid UTF-8, garbage, oversized)
/// and over REST (wrong JSON types, malformed JSON, out-of-range numbers, bad paths and query
/// parameters), to every method found in the descriptors. None may get INTERNAL/UNKNOWN or an
/// HTTP 5xx, none may leak a stack trace, and none may change the stored state. Seeded: a failure
/// prints the seed and the request, and the same seed replays it.
/// </summary>
public sealed class BadInputFuzzTests(BadInputFuzzSystem system, ITestOutputHelper output) : IClassFixture<BadInputFuzzSystem>
{
    internal const string Customer = "fuzz-customer";
    internal const string Partner = "fuzz-partner";
    private const string Region = "cn-north-1";
    private const int GrpcRequestsPerMethod = 70;
    private const int RestRequestsPerRule = 40;

    private static readonly StatusCode[] NeverAllowed =
        [StatusCode.Internal, StatusCode.Unknown, StatusCode.DataLoss, StatusCode.Unimplemented, StatusCode.Unavailable, StatusCode.DeadlineExceeded];

    /// <summary>Every service of the public API (directconnect.v1), from the generated descriptors.</summary>
    public static IReadOnlyList<Google.Protobuf.Reflection.ServiceDescriptor> Services { get; } = DirectConnect.Platform.Tenancy.MethodAccessCatalog.ContractServices();

    private static IEnumerable<MethodDescriptor> Methods => Services.SelectMany(s => s.Methods);

    private static HttpRule RuleOf(MethodDescriptor method) =>
        method.GetOptions()?.GetExtension(AnnotationsExtensions.Http) ?? throw new InvalidOperationException($"{method.FullName} has no HTTP rule");

    private static bool IsPartnerMethod(MethodDescriptor method) =>
        DirectConnect.Platform.Tenancy.MethodAccessCatalog.AccessOf(method) == Access.Partner;

    private static bool IsReadOnly(MethodDescriptor method) => RuleOf(method).PatternCase == HttpRule.PatternOneofCase.Get;

    [Fact]
    public void TheDescriptorsNameEveryService()
    {
        // The fuzz enumerates the descriptors; make sure that enumeration sees the whole API.
        Assert.Equal(
            [
                "AccessDeviceService", "BorderGatewayService", "HostedConnectionService", "LocationService", "PartnerService", "PhysicalConnectionService",
                "ReachabilityService", "RouteService", "RouterService", "VirtualInterfaceService", "VpcService", "WatchService",
            ],
            Services.Select(s => s.Name).Order(StringComparer.Ordinal));
        Assert.All(Methods, m => Assert.NotEqual(HttpRule.PatternOneofCase.None, RuleOf(m).PatternCase));
    }

    [Fact]
    public async Task ThousandsOfBadGrpcRequestsAreRefusedCleanlyAndChangeNothing()
    {
        const int seed = 20261128;
        var before = await QuiescentSnapshotAsync();
        var generator = new BadInputGenerator(seed, ["cn-north-1", "cn-east-2", "cn-south-1"], system.KnownIds);
        var invoker = system.Channel.CreateCallInvoker();
        var operatorCall = system.As("fuzz-ops", "operator");
        var customerCall = system.As(Customer, "customer");
        var partnerCall = system.As(Partner, "partner");
        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>();
        var sent = 0;

        foreach (var method in Methods)
        {
            var rpc = new Method<byte[], byte[]>(method.IsServerStreaming ? MethodType.ServerStreaming : MethodType.Unary,
                method.Service.FullName, method.Name, RawBytes, RawBytes);
            for (var i = 0; i < GrpcRequestsPerMethod; i++)
            {
                var roll = generator.Random.Next(100);
                string kind;
                byte[] body;
                var poison = roll < 55 ? Poison.BadRegion : Poison.PoisonedStrings;
                if (roll < 85)
                {
                    kind = poison.ToString();
                    body = generator.Message(method.InputType, poison, Region);
                }
                else if (roll < 99)
                {
                    (kind, body) = generator.Unparseable(method.InputType, Region);
                    kind = "Unparseable: " + kind;
                }
                else
                {
                    kind = "Oversized";
                    body = [.. generator.Message(method.InputType, Poison.BadRegion, Region), .. OversizedField()];
                }

                var asCustomer = generator.Chance(0.3);
                // Partner methods are called by a partner (as others by an operator), so that what they refuse is the input, not the role.
                var options = (asCustomer ? customerCall : IsPartnerMethod(method) ? partnerCall : operatorCall).WithDeadline(DateTime.UtcNow.AddMinutes(1));
                var (code, detail, status) = await CallAsync(invoker, rpc, options, body);
                sent++;
                var outcome = $"{kind.Split(':')[0]} {code}";
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;

                // A request over the size limit is refused as such before anything else (a generated one can be, by chance).
                var problem = body.Length > MaxRequestBytes && kind != "Oversized"
                    ? (code == StatusCode.ResourceExhausted && status?.Details.Any(d => d.TryUnpack<ErrorInfo>(out var info) && info.Reason == "REQUEST_TOO_LARGE") == true
                        ? null
                        : $"a request of {body.Length} bytes got {code} ({detail}), not RESOURCE_EXHAUSTED with REQUEST_TOO_LARGE")
                    : JudgeGrpc(method, kind, asCustomer, code, detail, status);
                if (problem is not null)
                {
                    failures.Add($"{method.FullName} #{i} [{kind}{(asCustomer ? ", customer" : "")}] {problem}; request {Describe(body)}");
                }
            }
        }

        foreach (var (outcome, count) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{outcome}: {count}");
        }

        output.WriteLine($"gRPC requests sent: {sent} to {Methods.Count()} methods");
        Report(failures, seed, sent, "gRPC", before, await SnapshotAsync());
    }

    [Fact]
    public async Task ThousandsOfBadRestRequestsAreRefusedCleanlyAndChangeNothing()
    {
        const int seed = 61128;
        var before = await QuiescentSnapshotAsync();
        var generator = new BadInputGenerator(seed, ["cn-north-1", "cn-east-2", "cn-south-1"], system.KnownIds);
        using var operatorHttp = system.Rest("fuzz-ops", "operator");
        using var customerHttp = system.Rest(Customer, "customer");
        using var partnerHttp = system.Rest(Partner, "partner");
        var failures = new List<string>();
        var outcomes = new Dictionary<string, int>();
        var sent = 0;

        foreach (var method in Methods)
        {
            var rule = RuleOf(method);
            for (var i = 0; i < RestRequestsPerRule; i++)
            {
                var poison = generator.Chance(0.6) ? Poison.BadRegion : Poison.PoisonedStrings;
                var (request, description) = RestRequest(generator, method, rule, poison);
                using var disposeRequest = request;
                var asCustomer = generator.Chance(0.3);
                using var response = await (asCustomer ? customerHttp : IsPartnerMethod(method) ? partnerHttp : operatorHttp)
                    .SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
                sent++;
                // A valid watch opens an event stream that never ends on its own: its headers are the answer.
                var body = response.IsSuccessStatusCode && response.Content.Headers.ContentType?.MediaType == "text/event-stream"
                    ? ""
                    : await response.Content.ReadAsStringAsync();
                var outcome = $"{poison} {(int)response.StatusCode}";
                outcomes[outcome] = outcomes.GetValueOrDefault(outcome) + 1;
                var problem = JudgeRest(method, poison, request.RequestUri!.OriginalString, response, body);
                if (problem is not null)
                {
                    failures.Add($"{method.FullName} #{i} [{poison}{(asCustomer ? ", customer" : "")}] {problem}; request {description}");
                }
            }
        }

        foreach (var (outcome, count) in outcomes.OrderBy(o => o.Key, StringComparer.Ordinal))
        {
            output.WriteLine($"{outcome}: {count}");
        }

        output.WriteLine($"REST requests sent: {sent} to {Methods.Count()} HTTP rules");
        Report(failures, seed, sent, "REST", before, await SnapshotAsync());
    }

    [Theory]
    [InlineData("invalid UTF-8 in a string", "0A02C0AF")]
    [InlineData("a length past the end", "0A0A636E2D6E6F7274682D311A7F6162")]
    [InlineData("tag zero", "0A0A636E2D6E6F7274682D310000")]
    [InlineData("wire type 7", "0F01")]
    public async Task AnUnparseableGrpcRequestIsInvalidArgumentNotUnknown(string what, string hex)
    {
        // Found by the fuzz: grpc-dotnet parses the request before any interceptor and answered these with
        // UNKNOWN "Exception was thrown by handler."; a client sent bad input, so it is INVALID_ARGUMENT.
        var before = await QuiescentSnapshotAsync();
        var rpc = new Method<byte[], byte[]>(MethodType.Unary, "directconnect.v1.LocationService", "CreateLocation", RawBytes, RawBytes);
        var (code, detail, status) = await CallAsync(system.Channel.CreateCallInvoker(), rpc, system.As("fuzz-ops", "operator"), Convert.FromHexString(hex));

        Assert.True(code == StatusCode.InvalidArgument, $"{what}: {code} {detail}");
        Assert.NotNull(status);
        Assert.Equal("MALFORMED_REQUEST", status.Detail<ErrorInfo>().Reason);
        Assert.Contains("CreateLocationRequest", status.Message, StringComparison.Ordinal);
        Assert.False(LeaksInternals(status.ToString()), status.ToString());
        AssertSame(before, await SnapshotAsync());

        // A well-formed request on the same path is still served (the guarded binding keeps every method).
        var locations = new LocationService.LocationServiceClient(system.Channel);
        Assert.Equal(system.DefaultLocationId, (await locations.GetLocationAsync(
            new GetLocationRequest { Region = Region, Id = system.DefaultLocationId }, system.As("fuzz-ops", "operator"))).Id);
    }

    [Fact]
    public async Task AnErrorThatEchoesHugeInputStaysReadable()
    {
        // Found by the fuzz: an update mask with a 1 MiB path (or hundreds of paths) was echoed into the
        // status, whose trailers then exceeded what the client accepts: it saw UNAVAILABLE, not INVALID_ARGUMENT.
        // (Now a request is at most 1 MiB and a mask at most 16 paths: a path of half that still makes the point.)
        var mask = new Google.Protobuf.WellKnownTypes.FieldMask();
        mask.Paths.Add(new string('p', 1 << 19));
        mask.Paths.AddRange(Enumerable.Range(0, 15).Select(i => $"no_such_field_{i}_{new string('q', 5000)}"));
        var client = new PhysicalConnectionService.PhysicalConnectionServiceClient(system.Channel);

        var status = await RpcAssert.FailsWith(StatusCode.InvalidArgument, async () => await client.UpdatePhysicalConnectionAsync(
            new UpdatePhysicalConnectionRequest { Region = "nowhere-1", Id = "dxpc-000000000000", PhysicalConnection = new PhysicalConnection { Name = "x" }, UpdateMask = mask },
            system.As(Customer, "customer")));

        var fields = status.Detail<BadRequest>().FieldViolations.Select(v => v.Field).ToList();
        Assert.Contains("update_mask", fields);
        Assert.Contains("region", fields); // every bad field is still named
    }

    [Fact]
    public async Task TheSnapshotSeesAWrite()
    {
        // The fuzz's "nothing changed" rests on the snapshot: make sure it can fail.
        var before = await QuiescentSnapshotAsync();
        await system.AddLocationAsync();
        var after = await SnapshotAsync();
        Assert.Throws<Xunit.Sdk.TrueException>(() => AssertSame(before, after));
    }

    // ------------------------------------------------------------------------------------ gRPC

    private static readonly Marshaller<byte[]> RawBytes = Marshallers.Create(b => b, b => b);

    /// <summary>The request size limit the fixture runs with (the default).</summary>
    private const int MaxRequestBytes = 1024 * 1024;

    /// <summary>A field 1 string of 4.5 MiB: over the 1 MiB limit on its own (and over gRPC's usual 4 MiB).</summary>
    private static byte[] OversizedField()
    {
        var length = (4 * 1024 * 1024) + (512 * 1024);
        using var buffer = new MemoryStream();
        var output = new Google.Protobuf.CodedOutputStream(buffer);
        output.WriteTag(Google.Protobuf.WireFormat.MakeTag(999, Google.Protobuf.WireFormat.WireType.LengthDelimited));
        output.WriteBytes(Google.Protobuf.ByteString.CopyFrom(new byte[length]));
        output.Flush();
        return buffer.ToArray();
    }

    private static async Task<(StatusCode Code, string Detail, Google.Rpc.Status? Status)> CallAsync(
        CallInvoker invoker, Method<byte[], byte[]> rpc, CallOptions options, byte[] body)
    {
        try
        {
            if (rpc.Type == MethodType.ServerStreaming)
            {
                // The server sends the headers once the watch is open (WatchGrpcService). A refusal is a trailers-only
                // response, which the client shows as headers carrying the status details (every error of ours has
                // them); reading on then throws it. No time window: a slow refusal under load is still a refusal, and
                // a refusal without details would count as accepted here and be reported.
                using var stream = invoker.AsyncServerStreamingCall(rpc, null, options, body);
                var headers = await stream.ResponseHeadersAsync;
                if (headers.Get("grpc-status-details-bin") is not null)
                {
                    await stream.ResponseStream.MoveNext();
                }
            }
            else
            {
                using var call = invoker.AsyncUnaryCall(rpc, null, options, body);
                await call.ResponseAsync;
            }

            return (StatusCode.OK, "", null);
        }
        catch (RpcException exception)
        {
            return (exception.StatusCode, exception.Status.Detail, exception.GetRpcStatus());
        }
    }

    private static string? JudgeGrpc(MethodDescriptor method, string kind, bool asCustomer, StatusCode code, string detail, Google.Rpc.Status? status)
    {
        if (NeverAllowed.Contains(code))
        {
            return $"got {code} ({detail})";
        }

        if (LeaksInternals(detail) || (status is not null && LeaksInternals(status.ToString())))
        {
            return $"the error leaks internals: {detail}";
        }

        if (code == StatusCode.OK)
        {
            // Only a read of a well-formed region may succeed (it has nothing bad to refuse but text it cannot find).
            return kind == nameof(Poison.PoisonedStrings) && IsReadOnly(method) ? null : "succeeded";
        }

        if (kind.StartsWith("Unparseable", StringComparison.Ordinal))
        {
            // No field can be named when the bytes are not a message: ErrorInfo says why.
            return code != StatusCode.InvalidArgument ? $"got {code} ({detail}), not INVALID_ARGUMENT"
                : status?.Details.Select(d => d.TryUnpack<ErrorInfo>(out var v) ? v : null).FirstOrDefault(v => v is not null)?.Reason == "MALFORMED_REQUEST" ? null
                : $"INVALID_ARGUMENT without ErrorInfo reason MALFORMED_REQUEST: {status}";
        }

        if (kind == "Oversized")
        {
            return code == StatusCode.ResourceExhausted && status?.Details.Any(d => d.TryUnpack<ErrorInfo>(out var info) && info.Reason == "REQUEST_TOO_LARGE") == true
                ? null
                : $"got {code} ({detail}), not RESOURCE_EXHAUSTED with reason REQUEST_TOO_LARGE";
        }

        if (code == StatusCode.InvalidArgument)
        {
            return RichInvalidArgument(status, kind == nameof(Poison.BadRegion) ? "region" : null);
        }

        // Authorization comes before validation (AIP-211): a method that needs a role the caller lacks refuses it first.
        if (code == StatusCode.PermissionDenied && status?.Details.Any(d => d.TryUnpack<ErrorInfo>(out var info) && info.Reason == "ROLE_REQUIRED") == true)
        {
            return null;
        }

        // Otherwise a region that is not served is bad input before anything else.
        if (kind == nameof(Poison.BadRegion))
        {
            return $"got {code} ({detail}), not INVALID_ARGUMENT";
        }

        return status is null ? $"got {code} ({detail}) without a google.rpc.Status" : null;
    }

    /// <summary>INVALID_ARGUMENT as the API promises it: a google.rpc.Status with ErrorInfo and BadRequest (naming <paramref name="field"/>).</summary>
    private static string? RichInvalidArgument(Google.Rpc.Status? status, string? field)
    {
        if (status is null)
        {
            return "INVALID_ARGUMENT without a google.rpc.Status";
        }

        var info = status.Details.Select(d => d.TryUnpack<ErrorInfo>(out var v) ? v : null).FirstOrDefault(v => v is not null);
        var badRequest = status.Details.Select(d => d.TryUnpack<BadRequest>(out var v) ? v : null).FirstOrDefault(v => v is not null);
        if (info is null || string.IsNullOrEmpty(info.Reason))
        {
            return $"INVALID_ARGUMENT without an ErrorInfo reason: {status}";
        }

        if (badRequest is null || badRequest.FieldViolations.Count == 0)
        {
            return $"INVALID_ARGUMENT without BadRequest field violations: {status}";
        }

        return field is null || badRequest.FieldViolations.Any(v => v.Field == field) ? null : $"INVALID_ARGUMENT that does not name {field}: {status}";
    }

    private static bool LeaksInternals(string text) =>
        text.Contains("   at ", StringComparison.Ordinal) || text.Contains("Exception", StringComparison.Ordinal);

    private static string Describe(byte[] body) =>
        body.Length <= 96 ? Convert.ToHexString(body) : $"{body.Length} bytes, {Convert.ToHexString(body.AsSpan(0, 64))}…";

    // ------------------------------------------------------------------------------------ REST

    private static (HttpRequestMessage Request, string Description) RestRequest(
        BadInputGenerator generator, MethodDescriptor method, HttpRule rule, Poison poison)
    {
        var (verb, template) = rule.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => (HttpMethod.Get, rule.Get),
            HttpRule.PatternOneofCase.Post => (HttpMethod.Post, rule.Post),
            HttpRule.PatternOneofCase.Patch => (HttpMethod.Patch, rule.Patch),
            HttpRule.PatternOneofCase.Put => (HttpMethod.Put, rule.Put),
            HttpRule.PatternOneofCase.Delete => (HttpMethod.Delete, rule.Delete),
            _ => throw new InvalidOperationException($"{method.FullName}: unsupported HTTP rule {rule}"),
        };

        var input = method.InputType;
        var pathFields = new HashSet<string>(StringComparer.Ordinal);
        var path = System.Text.RegularExpressions.Regex.Replace(template, @"\{([a-z_]+)\}", match =>
        {
            var name = match.Groups[1].Value;
            pathFields.Add(name);
            return name == "region" ? PathSegment(generator, poison == Poison.BadRegion ? generator.BadRegion() : Region, raw: false)
                : PathSegment(generator, poison == Poison.PoisonedStrings ? generator.PoisonedString() : generator.AnyString(), generator.Chance(0.1));
        });

        var bodyField = rule.Body;
        var query = new List<string>();
        foreach (var field in input.Fields.InFieldNumberOrder())
        {
            if (pathFields.Contains(field.Name) || bodyField == "*" || field.Name == bodyField)
            {
                continue;
            }

            var poisonedString = poison == Poison.PoisonedStrings && field.FieldType == FieldType.String;
            if (!poisonedString && !generator.Chance(0.6))
            {
                continue;
            }

            var name = generator.Chance(0.9) ? field.JsonName : field.Name;
            query.Add($"{name}={QueryValue(generator, field, poison)}");
        }

        if (generator.Chance(0.1))
        {
            query.Add(generator.Pick("noSuchParameter=1", "%zz=1", "pageSize", "=", "a=%", "showDeleted=maybe&showDeleted=true", "pageSize=1&pageSize=2"));
        }

        var uri = path + (query.Count > 0 ? "?" + string.Join("&", query) : "");
        var request = new HttpRequestMessage(verb, new Uri(uri, UriKind.Relative));
        var description = $"{verb} {Shorten(uri)}";
        if (!string.IsNullOrEmpty(bodyField))
        {
            var message = bodyField == "*" ? input : input.FindFieldByName(bodyField).MessageType;
            var json = bodyField == "*"
                ? BodyOfStar(generator, input, pathFields, poison)
                : generator.JsonMessage(message, poison, depth: 0);
            byte[] bytes;
            var roll = generator.Random.Next(100);
            if (roll < 15)
            {
                bytes = generator.MalformedJson(json);
            }
            else if (roll < 17)
            {
                // A body over the 1 MiB request limit.
                bytes = Encoding.UTF8.GetBytes("{\"name\": \"" + new string('y', 5 * 1024 * 1024) + "\"}");
            }
            else
            {
                bytes = Encoding.UTF8.GetBytes(json);
            }

            var content = new ByteArrayContent(bytes);
            content.Headers.ContentType = generator.Chance(0.05)
                ? new MediaTypeHeaderValue(generator.Pick("text/plain", "application/xml", "application/x-www-form-urlencoded"))
                : new MediaTypeHeaderValue("application/json");
            request.Content = content;
            // As curl does for large bodies: a server that refuses the request outright (Kestrel closes
            // the connection on a malformed request line) is heard before the body is sent.
            request.Headers.ExpectContinue = bytes.Length > 1024 * 1024;
            description += $" body {Shorten(Encoding.UTF8.GetString(bytes))}";
        }

        return (request, description);
    }

    private static string BodyOfStar(BadInputGenerator generator, MessageDescriptor input, HashSet<string> pathFields, Poison poison)
    {
        var parts = new List<string>();
        foreach (var field in input.Fields.InFieldNumberOrder().Where(f => !pathFields.Contains(f.Name)))
        {
            if (poison == Poison.PoisonedStrings && field.FieldType == FieldType.String && !field.IsRepeated)
            {
                parts.Add($"{BadInputGenerator.JsonString(field.JsonName)}: {BadInputGenerator.JsonString(generator.PoisonedString())}");
            }
            else if (generator.Chance(0.7))
            {
                parts.Add($"{BadInputGenerator.JsonString(field.JsonName)}: {generator.JsonValue(field, poison, 0)}");
            }
        }

        return "{" + string.Join(", ", parts) + "}";
    }

    private static string PathSegment(BadInputGenerator generator, string value, bool raw)
    {
        if (value.Length > 1500 && generator.Chance(0.8))
        {
            value = value[..1500]; // mostly under Kestrel's 8 KiB request line, so that the application sees it
        }

        if (raw)
        {
            // Invalid percent-encoding, or encoded bytes that are not UTF-8.
            return generator.Pick("%zz", "%", "%C0%AF", "%FF%FE", "a%2", "%E2%82", "%00", "%ED%A0%80", "%2F..%2F");
        }

        return value.Length == 0 ? "%20" : Uri.EscapeDataString(value);
    }

    private static string QueryValue(BadInputGenerator generator, FieldDescriptor field, Poison poison)
    {
        if (generator.Chance(0.1))
        {
            return generator.Pick("%zz", "%", "%C0%AF", "%FF", "{}", "[1]", "");
        }

        var text = field.FieldType switch
        {
            FieldType.String => poison == Poison.PoisonedStrings ? generator.PoisonedString() : generator.AnyString(),
            FieldType.Bool => generator.Pick("true", "false", "maybe", "1", "TRUE", ""),
            FieldType.Enum => generator.Chance(0.5) ? generator.Pick(field.EnumType.Values).Name : generator.Pick("NOT_A_VALUE", "999", "-1", "state_active"),
            FieldType.Message => generator.Pick("name,description", "*", "no_such_field", "a..b", "x"),
            FieldType.Double or FieldType.Float => generator.Pick("1e400", "NaN", "abc"),
            _ => generator.Pick("abc", "1e400", "18446744073709551616", "-9223372036854775809", "2147483648", "-1", "1.5", "0x10", " 5", ""),
        };
        return Uri.EscapeDataString(text.Length > 4000 ? text[..4000] : text);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + $"…({text.Length} chars)";

    private static string? JudgeRest(MethodDescriptor method, Poison poison, string target, HttpResponseMessage response, string body)
    {
        var code = (int)response.StatusCode;
        if (code >= 500)
        {
            return $"HTTP {code}: {Shorten(body)}";
        }

        if (LeaksInternals(body))
        {
            return $"HTTP {code} leaks internals: {Shorten(body)}";
        }

        if (response.IsSuccessStatusCode)
        {
            return poison == Poison.PoisonedStrings && IsReadOnly(method) ? null : $"HTTP {code} (succeeded): {Shorten(body)}";
        }

        if (body.Length == 0)
        {
            // Kestrel answers some requests itself, before any application code, with an empty body: a request line
            // over its limit (414), headers over theirs (431), and a path with an encoded NUL (400), which it refuses outright.
            var kestrel = response.StatusCode is HttpStatusCode.RequestUriTooLong or HttpStatusCode.RequestHeaderFieldsTooLarge ||
                (response.StatusCode == HttpStatusCode.BadRequest && target.Split('?')[0].Contains("%00", StringComparison.Ordinal));
            return kestrel
                ? null
                : $"HTTP {code} with an empty body, not a google.rpc.Status";
        }

        Google.Rpc.Status status;
        try
        {
            status = StatusJson.Parse<Google.Rpc.Status>(body);
        }
        catch (Google.Protobuf.InvalidProtocolBufferException error)
        {
            return $"HTTP {code} body is not a google.rpc.Status ({error.Message}): {Shorten(body)}";
        }

        var grpcCode = (StatusCode)status.Code;
        if (NeverAllowed.Contains(grpcCode) || grpcCode == StatusCode.OK || string.IsNullOrEmpty(status.Message))
        {
            return $"HTTP {code} carries {grpcCode}: {Shorten(body)}";
        }

        // Issue 14: every error carries its reason, and bad input names the field, in API terms.
        var info = DirectConnect.Platform.Grpc.RpcStatusMapper.Detail<ErrorInfo>(status);
        if (info is null || string.IsNullOrEmpty(info.Reason))
        {
            return $"HTTP {code} without an ErrorInfo reason: {Shorten(body)}";
        }

        if (grpcCode == StatusCode.InvalidArgument)
        {
            var violations = DirectConnect.Platform.Grpc.RpcStatusMapper.Detail<BadRequest>(status)?.FieldViolations ?? [];
            // Only a body that is not JSON of its message at all (MALFORMED_REQUEST) may have no field to name: the whole body is wrong.
            if (violations.Count == 0 || (info.Reason != "MALFORMED_REQUEST" && !violations.Any(v => v.Field.Length > 0)))
            {
                return $"HTTP {code} INVALID_ARGUMENT without a BadRequest naming a field: {Shorten(body)}";
            }
        }

        return LeaksDotNetType(status.ToString()) ? $"HTTP {code} names a .NET type: {Shorten(body)}" : null;
    }

    /// <summary>Reads a REST error body with the detail types the API sends.</summary>
    private static readonly Google.Protobuf.JsonParser StatusJson =
        new(Google.Protobuf.JsonParser.Settings.Default.WithTypeRegistry(DirectConnect.Platform.Grpc.StatusResponses.DetailTypes));

    /// <summary>Errors speak in proto terms: a C# namespace of the contracts or the framework is an implementation detail leaking.</summary>
    private static bool LeaksDotNetType(string text) =>
        text.Contains("DirectConnect.Contracts", StringComparison.Ordinal) || text.Contains("System.", StringComparison.Ordinal) ||
        text.Contains("Google.Protobuf.", StringComparison.Ordinal);

    // ------------------------------------------------------------------------------------ state

    private string DatabasePath => system.Services.GetRequiredService<GatewayOptions>().DatabasePath;

    /// <summary>Every row of the state table (resources, indexes, the request ledger) and of the events and dead letters, each hashed.</summary>
    private async Task<bool> AllEventsHandledAsync()
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM subscriptions s WHERE s.position < (SELECT COALESCE(MAX(seq), 0) FROM events e WHERE e.topic = s.topic)";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) == 0;
    }

    private async Task<Dictionary<string, string>> SnapshotAsync()
    {
        var rows = new Dictionary<string, string>(StringComparer.Ordinal);
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
        await connection.OpenAsync();
        foreach (var (table, sql) in new[]
                 {
                     ("state", "SELECT key, value, etag, expires_at FROM state"),
                     ("events", "SELECT seq, id, topic, type, source, time, data FROM events"),
                     ("dead_letters", "SELECT subscription || '/' || seq, reason, time FROM dead_letters"),
                 })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
                for (var column = 1; column < reader.FieldCount; column++)
                {
                    var value = reader.IsDBNull(column) ? [0xFF] : reader.GetValue(column) switch
                    {
                        byte[] bytes => bytes,
                        var other => Encoding.UTF8.GetBytes(Convert.ToString(other, System.Globalization.CultureInfo.InvariantCulture)!),
                    };
                    hash.AppendData(BitConverter.GetBytes(value.Length));
                    hash.AppendData(value);
                }

                rows[$"{table}:{reader.GetValue(0)}"] = Convert.ToHexString(hash.GetHashAndReset());
            }
        }

        return rows;
    }

    /// <summary>A snapshot once the fixture's own events have been handled (two equal snapshots in a row).</summary>
    private async Task<Dictionary<string, string>> QuiescentSnapshotAsync()
    {
        var previous = await SnapshotAsync();
        for (var attempt = 0; attempt < 150; attempt++)
        {
            await Task.Delay(200);
            var current = await SnapshotAsync();
            // Quiet means every handler has consumed every event (so none is about to write) and nothing moved meanwhile.
            if (await AllEventsHandledAsync() && current.Count == previous.Count && current.All(r => previous.TryGetValue(r.Key, out var v) && v == r.Value))
            {
                return current;
            }

            previous = current;
        }

        throw new InvalidOperationException("The stored state kept changing before the fuzz started.");
    }

    /// <summary>Fails with the seed, every mishandled request (in the test output) and any change of the stored state.</summary>
    private void Report(List<string> failures, int seed, int sent, string transport, Dictionary<string, string> before, Dictionary<string, string> after)
    {
        foreach (var failure in failures)
        {
            output.WriteLine(failure);
        }

        var stateChange = StateChange(before, after);
        Assert.True(failures.Count == 0 && stateChange.Length == 0,
            $"seed {seed}: {failures.Count} of {sent} bad {transport} requests were mishandled:\n{string.Join("\n", failures.Take(25))}{stateChange}");
    }

    private static void AssertSame(Dictionary<string, string> before, Dictionary<string, string> after)
    {
        var change = StateChange(before, after);
        Assert.True(change.Length == 0, change);
    }

    private static string StateChange(Dictionary<string, string> before, Dictionary<string, string> after)
    {
        var added = after.Keys.Except(before.Keys).ToList();
        var removed = before.Keys.Except(after.Keys).ToList();
        var changed = before.Keys.Intersect(after.Keys).Where(k => before[k] != after[k]).ToList();
        return added.Count + removed.Count + changed.Count == 0 ? "" :
            $"\nbad requests changed the stored state: added [{string.Join(", ", added.Take(20))}], " +
            $"removed [{string.Join(", ", removed.Take(20))}], changed [{string.Join(", ", changed.Take(20))}]";
    }
}
