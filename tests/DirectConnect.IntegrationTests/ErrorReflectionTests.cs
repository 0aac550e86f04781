using DirectConnect.Contracts.V1;
using DirectConnect.Platform.ServiceIdentity;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Grpc.Core;
using Grpc.Net.Client;
using V1 = Grpc.Reflection.V1;
using V1Alpha = Grpc.Reflection.V1Alpha;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// What grpcurl-style tools get from reflection, in both versions it is asked in (<c>v1</c> first,
/// then <c>v1alpha</c>): the error model's types, so that an error's details decode without the
/// protos — and still nothing of the internal API.
/// </summary>
public sealed class ErrorReflectionTests(EmbeddedSystem system) : IClassFixture<EmbeddedSystem>
{
    public static TheoryData<string> Versions => new() { "v1", "v1alpha" };

    /// <summary>The types of every error detail the API sends (services/Platform/Grpc/StatusResponses.cs).</summary>
    private static readonly string[] ErrorTypes =
    [
        "google.rpc.Status", "google.rpc.ErrorInfo", "google.rpc.BadRequest", "google.rpc.PreconditionFailure", "google.rpc.QuotaFailure",
        "google.rpc.ResourceInfo", "google.rpc.RetryInfo", "google.rpc.Help", "google.rpc.LocalizedMessage",
    ];

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task ReflectionServesTheFileOfEveryErrorType(string version)
    {
        var reflection = ReflectionClient.For(version, system.Channel);
        foreach (var symbol in ErrorTypes)
        {
            var files = await reflection.FileContainingSymbolAsync(symbol);
            Assert.True(files is not null, $"{version}: FileContainingSymbol({symbol}) answered an error");
            Assert.NotNull(Types(Build(files)).GetValueOrDefault(symbol));
        }
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task AnErrorsDetailsDecodeWithNothingButWhatReflectionServes(string version)
    {
        var client = new PhysicalConnectionService.PhysicalConnectionServiceClient(system.Channel);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await client.CreatePhysicalConnectionAsync(
            new CreatePhysicalConnectionRequest { Region = Seed.Region, PhysicalConnection = new PhysicalConnection() }, system.As("reflect", "customer")));
        var detailsBin = error.Trailers.GetValueBytes("grpc-status-details-bin");
        Assert.NotNull(detailsBin);

        // Only what reflection answers: the Status's own file first, then the file of each type a detail names.
        var reflection = ReflectionClient.For(version, system.Channel);
        var files = new Dictionary<string, ByteString>(StringComparer.Ordinal);
        async Task<MessageDescriptor> ResolveAsync(string symbol)
        {
            var answer = await reflection.FileContainingSymbolAsync(symbol);
            Assert.True(answer is not null, $"{version}: FileContainingSymbol({symbol}) answered an error");
            foreach (var file in answer)
            {
                files.TryAdd(FileDescriptorProto.Parser.ParseFrom(file).Name, file);
            }

            return Types(Build(files.Values)).GetValueOrDefault(symbol) ?? throw new InvalidOperationException($"{symbol} is not in the files reflection answered");
        }

        var status = Decode(await ResolveAsync("google.rpc.Status"), ByteString.CopyFrom(detailsBin));
        Assert.Equal((int)StatusCode.InvalidArgument, Assert.Single(status["code"]));
        Assert.Contains("invalid", (string)Assert.Single(status["message"]), StringComparison.OrdinalIgnoreCase);
        var details = new Dictionary<string, Dictionary<string, List<object>>>(StringComparer.Ordinal);
        foreach (Dictionary<string, List<object>> any in status["details"])
        {
            var typeUrl = (string)Assert.Single(any["type_url"]);
            var typeName = typeUrl[(typeUrl.LastIndexOf('/') + 1)..];
            details[typeName] = Decode(await ResolveAsync(typeName), (ByteString)Assert.Single(any["value"]));
        }

        var info = details["google.rpc.ErrorInfo"];
        Assert.Equal("INVALID_ARGUMENT", Assert.Single(info["reason"]));
        Assert.Equal("directconnect.v1", Assert.Single(info["domain"]));
        var violations = details["google.rpc.BadRequest"]["field_violations"].Cast<Dictionary<string, List<object>>>().ToList();
        Assert.Contains(violations, v => (string)v["field"].Single() == "physical_connection.name" && ((string)v["description"].Single()).Length > 0);
    }

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task ReflectionServesNothingOfTheInternalApi(string version)
    {
        var reflection = ReflectionClient.For(version, system.Channel);
        var services = await reflection.ListServicesAsync();
        Assert.Contains(PhysicalConnectionService.Descriptor.FullName, services);
        Assert.DoesNotContain(services, s => s.StartsWith("directconnect.internal.", StringComparison.Ordinal));
        foreach (var service in InternalMethodCatalog.Services())
        {
            Assert.Null(await reflection.FileContainingSymbolAsync(service.FullName));
            Assert.Null(await reflection.FileByFilenameAsync(service.File.Name));
        }

        // Nor does anything reflection serves lead there: no file it answers imports an internal one.
        foreach (var symbol in ErrorTypes.Append(PhysicalConnectionService.Descriptor.FullName))
        {
            var files = await reflection.FileContainingSymbolAsync(symbol) ?? [];
            Assert.All(files, f => Assert.DoesNotContain("directconnect/internal", FileDescriptorProto.Parser.ParseFrom(f).Name, StringComparison.Ordinal));
        }
    }

    /// <summary>Builds the files (in any order; each one's imports among them) as a tool would from reflection's answers.</summary>
    private static IReadOnlyList<FileDescriptor> Build(IEnumerable<ByteString> files)
    {
        var byName = files.ToDictionary(f => FileDescriptorProto.Parser.ParseFrom(f).Name, StringComparer.Ordinal);
        var ordered = new List<ByteString>();
        var visited = new HashSet<string>(StringComparer.Ordinal);
        void Visit(string name)
        {
            if (!visited.Add(name))
            {
                return;
            }

            var file = byName.TryGetValue(name, out var bytes) ? bytes : throw new InvalidOperationException($"reflection did not answer {name}, which another answered file imports");
            foreach (var dependency in FileDescriptorProto.Parser.ParseFrom(file).Dependency)
            {
                Visit(dependency);
            }

            ordered.Add(file);
        }

        foreach (var name in byName.Keys)
        {
            Visit(name);
        }

        return FileDescriptor.BuildFromByteStrings(ordered);
    }

    private static Dictionary<string, MessageDescriptor> Types(IEnumerable<FileDescriptor> files)
    {
        static IEnumerable<MessageDescriptor> All(IEnumerable<MessageDescriptor> types) => types.SelectMany(t => All(t.NestedTypes).Prepend(t));
        return All(files.SelectMany(f => f.MessageTypes)).ToDictionary(t => t.FullName, StringComparer.Ordinal);
    }

    /// <summary>
    /// Protobuf's wire format read with a descriptor alone, as a dynamic message does: each field by
    /// its name, nested messages as nested dictionaries (a map is its entries, each with key and value).
    /// </summary>
    private static Dictionary<string, List<object>> Decode(MessageDescriptor type, ByteString bytes)
    {
        var fields = new Dictionary<string, List<object>>(StringComparer.Ordinal);
        var input = new CodedInputStream(bytes.ToByteArray());
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            var field = type.FindFieldByNumber(WireFormat.GetTagFieldNumber(tag));
            if (field is null)
            {
                input.SkipLastField();
                continue;
            }

            object value = field.FieldType switch
            {
                FieldType.String => input.ReadString(),
                FieldType.Bytes => input.ReadBytes(),
                FieldType.Message => Decode(field.MessageType, input.ReadBytes()),
                FieldType.Int32 => input.ReadInt32(),
                FieldType.Enum => input.ReadEnum(),
                FieldType.Int64 => input.ReadInt64(),
                FieldType.UInt32 => input.ReadUInt32(),
                FieldType.UInt64 => input.ReadUInt64(),
                FieldType.Bool => input.ReadBool(),
                FieldType.Double => input.ReadDouble(),
                FieldType.Float => input.ReadFloat(),
                _ => throw new NotSupportedException($"{field.FullName}: {field.FieldType}"),
            };
            (fields.TryGetValue(field.Name, out var values) ? values : fields[field.Name] = []).Add(value);
        }

        return fields;
    }

    /// <summary>The two reflection protocols behind one face: each answer's files, or null for an error answer.</summary>
    private abstract class ReflectionClient
    {
        public static ReflectionClient For(string version, GrpcChannel channel) =>
            version == "v1" ? new V1Client(new V1.ServerReflection.ServerReflectionClient(channel)) : new V1AlphaClient(new V1Alpha.ServerReflection.ServerReflectionClient(channel));

        public abstract Task<IReadOnlyList<ByteString>?> FileContainingSymbolAsync(string symbol);

        public abstract Task<IReadOnlyList<ByteString>?> FileByFilenameAsync(string name);

        public abstract Task<IReadOnlyList<string>> ListServicesAsync();

        private sealed class V1Client(V1.ServerReflection.ServerReflectionClient client) : ReflectionClient
        {
            public override Task<IReadOnlyList<ByteString>?> FileContainingSymbolAsync(string symbol) => FilesAsync(new V1.ServerReflectionRequest { FileContainingSymbol = symbol });

            public override Task<IReadOnlyList<ByteString>?> FileByFilenameAsync(string name) => FilesAsync(new V1.ServerReflectionRequest { FileByFilename = name });

            public override async Task<IReadOnlyList<string>> ListServicesAsync() =>
                [.. (await AskAsync(new V1.ServerReflectionRequest { ListServices = "" })).ListServicesResponse.Service.Select(s => s.Name)];

            private async Task<IReadOnlyList<ByteString>?> FilesAsync(V1.ServerReflectionRequest request) =>
                await AskAsync(request) is { MessageResponseCase: V1.ServerReflectionResponse.MessageResponseOneofCase.FileDescriptorResponse } answer
                    ? [.. answer.FileDescriptorResponse.FileDescriptorProto]
                    : null;

            private async Task<V1.ServerReflectionResponse> AskAsync(V1.ServerReflectionRequest request)
            {
                using var call = client.ServerReflectionInfo();
                await call.RequestStream.WriteAsync(request);
                await call.RequestStream.CompleteAsync();
                Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
                return call.ResponseStream.Current;
            }
        }

        private sealed class V1AlphaClient(V1Alpha.ServerReflection.ServerReflectionClient client) : ReflectionClient
        {
            public override Task<IReadOnlyList<ByteString>?> FileContainingSymbolAsync(string symbol) => FilesAsync(new V1Alpha.ServerReflectionRequest { FileContainingSymbol = symbol });

            public override Task<IReadOnlyList<ByteString>?> FileByFilenameAsync(string name) => FilesAsync(new V1Alpha.ServerReflectionRequest { FileByFilename = name });

            public override async Task<IReadOnlyList<string>> ListServicesAsync() =>
                [.. (await AskAsync(new V1Alpha.ServerReflectionRequest { ListServices = "" })).ListServicesResponse.Service.Select(s => s.Name)];

            private async Task<IReadOnlyList<ByteString>?> FilesAsync(V1Alpha.ServerReflectionRequest request) =>
                await AskAsync(request) is { MessageResponseCase: V1Alpha.ServerReflectionResponse.MessageResponseOneofCase.FileDescriptorResponse } answer
                    ? [.. answer.FileDescriptorResponse.FileDescriptorProto]
                    : null;

            private async Task<V1Alpha.ServerReflectionResponse> AskAsync(V1Alpha.ServerReflectionRequest request)
            {
                using var call = client.ServerReflectionInfo();
                await call.RequestStream.WriteAsync(request);
                await call.RequestStream.CompleteAsync();
                Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
                return call.ResponseStream.Current;
            }
        }
    }
}
