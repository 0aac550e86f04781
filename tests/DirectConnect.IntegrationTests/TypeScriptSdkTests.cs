namespace DirectConnect.IntegrationTests;

/// <summary>
/// The TypeScript SDK (sdk/typescript, generated from the protos) against a real gateway process:
/// typechecks the SDK and its end-to-end test with tsc, then runs sdk/typescript/test/seed.e2e.ts
/// with tsx, which walks the seed procedure over gRPC through the generated client and reads
/// one resource over REST, and sdk/typescript/test/grpcweb.e2e.ts, which does what a browser does (gRPC-Web over
/// fetch(), server-sent events read with fetch()). Node.js, tsc and tsx come from `npm ci` at the repository root
/// (./test.sh does it; so does the first build of the contract tests); missing, the test fails.
/// </summary>
public sealed class TypeScriptSdkTests : IAsyncLifetime
{
    private readonly string _dataDirectory = Path.Combine(Path.GetTempPath(), "dc-ts-" + Guid.NewGuid().ToString("N"));
    private GatewayProcess _gateway = null!;

    public async Task InitializeAsync() => _gateway = await GatewayProcess.StartAsync(_dataDirectory);

    public async Task DisposeAsync()
    {
        await _gateway.DisposeAsync();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [Fact]
    public async Task TheSeedProcedureRunsThroughTheGeneratedTypeScriptClient()
    {
        // tsx strips types without checking them: tsc first, so a type error fails here too.
        var typecheck = await ExternalTool.RunAsync(ExternalTool.Node("tsc"), ["--noEmit", "-p", "sdk/typescript"]);
        Assert.True(typecheck.ExitCode == 0, $"tsc found errors in sdk/typescript:\n{typecheck}");

        var account = "ts-sdk-" + Guid.NewGuid().ToString("N")[..8];
        var result = await ExternalTool.RunAsync(ExternalTool.Node("tsx"), ["sdk/typescript/test/seed.e2e.ts"], new Dictionary<string, string>
        {
            ["GRPC_URL"] = _gateway.GrpcAddress.ToString(),
            ["REST_URL"] = _gateway.RestAddress.ToString(),
            ["OPERATOR_TOKEN"] = Tokens.Issue(_dataDirectory, "ops", "operator"),
            ["CUSTOMER_TOKEN"] = Tokens.Issue(_dataDirectory, account, "customer"),
            ["PARTNER_TOKEN"] = Tokens.Issue(_dataDirectory, account + "-carrier", "partner"),
        });
        Assert.True(result.ExitCode == 0, $"seed.e2e.ts failed:\n{result}\n--- gateway ---\n{_gateway.Output}");
        Assert.Contains("seed.e2e: passed", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheSdksGrpcWebTransportCreatesListsReadsErrorsAndWatchesLikeABrowser()
    {
        var result = await ExternalTool.RunAsync(ExternalTool.Node("tsx"), ["sdk/typescript/test/grpcweb.e2e.ts"], new Dictionary<string, string>
        {
            ["REST_URL"] = _gateway.RestAddress.ToString(),
            ["OPERATOR_TOKEN"] = Tokens.Issue(_dataDirectory, "ops", "operator"),
            ["CUSTOMER_TOKEN"] = Tokens.Issue(_dataDirectory, "ts-web-" + Guid.NewGuid().ToString("N")[..8], "customer"),
        });
        Assert.True(result.ExitCode == 0, $"grpcweb.e2e.ts failed:\n{result}\n--- gateway ---\n{_gateway.Output}");
        Assert.Contains("grpcweb.e2e: passed", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePackedSdkInstallsIntoAnotherProjectNextToCurrentConnectAndRunsWithPlainNode()
    {
        var work = Path.Combine(Path.GetTempPath(), "dc-ts-consumer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            // npm pack runs the SDK's prepack (its build to dist/), as publishing would.
            var pack = await ExternalTool.RunAsync(ExternalTool.OnPath("npm"), ["pack", "--pack-destination", work, "--json"], new Dictionary<string, string>(),
                Path.Combine(ExternalTool.RepositoryRoot, "sdk", "typescript"));
            Assert.True(pack.ExitCode == 0, $"npm pack failed:\n{pack}");
            var tarball = Assert.Single(Directory.GetFiles(work, "*.tgz"));
            var packed = System.Text.Json.JsonDocument.Parse(pack.Output).RootElement[0].GetProperty("files").EnumerateArray()
                .Select(f => f.GetProperty("path").GetString()!).ToArray();
            Assert.Contains("dist/index.js", packed);
            Assert.Contains("dist/index.d.ts", packed);
            Assert.Contains("LICENSE", packed);
            Assert.DoesNotContain(packed, f => f.EndsWith(".ts", StringComparison.Ordinal) && !f.EndsWith(".d.ts", StringComparison.Ordinal));

            // Another project: the tarball next to current protobuf-es and the newest Connect that runs on Node.js 20.
            var consumer = Path.Combine(work, "consumer");
            Directory.CreateDirectory(consumer);
            await File.WriteAllTextAsync(Path.Combine(consumer, "package.json"), $$"""
                {
                  "name": "directconnect-sdk-consumer",
                  "private": true,
                  "type": "module",
                  "dependencies": {
                    "@directconnect/sdk": "file:{{tarball.Replace('\\', '/')}}",
                    "@bufbuild/protobuf": "2.17.0",
                    "@connectrpc/connect": "2.1.2",
                    "@connectrpc/connect-node": "2.1.2"
                  }
                }
                """);
            await File.WriteAllTextAsync(Path.Combine(consumer, "tsconfig.json"),
                """{ "compilerOptions": { "target": "ES2022", "module": "NodeNext", "moduleResolution": "NodeNext", "strict": true, "noEmit": true, "skipLibCheck": true, "types": [] }, "files": ["client.ts"] }""");
            foreach (var file in new[] { "client.mjs", "client.ts" })
            {
                File.Copy(Path.Combine(ExternalTool.RepositoryRoot, "sdk", "typescript", "test", "consumer", file), Path.Combine(consumer, file));
            }

            var install = await ExternalTool.RunAsync(ExternalTool.OnPath("npm"), ["install", "--no-audit", "--no-fund", "--prefer-offline"], new Dictionary<string, string>(), consumer);
            Assert.True(install.ExitCode == 0, $"npm install of the tarball failed:\n{install}");
            // One protobuf-es in the project: the SDK brings none of its own.
            Assert.False(Directory.Exists(Path.Combine(consumer, "node_modules", "@directconnect", "sdk", "node_modules")),
                "the installed SDK carries dependencies of its own instead of using the project's");

            var types = await ExternalTool.RunAsync(ExternalTool.Node("tsc"), ["-p", consumer], new Dictionary<string, string>(), consumer);
            Assert.True(types.ExitCode == 0, $"the consumer does not typecheck against the installed SDK:\n{types}");

            var run = await ExternalTool.RunAsync(ExternalTool.OnPath("node"), ["client.mjs"], new Dictionary<string, string>
            {
                ["GRPC_URL"] = _gateway.GrpcAddress.ToString(),
                ["OPERATOR_TOKEN"] = Tokens.Issue(_dataDirectory, "ops", "operator"),
                ["CUSTOMER_TOKEN"] = Tokens.Issue(_dataDirectory, "ts-consumer", "customer"),
            }, consumer);
            Assert.True(run.ExitCode == 0, $"plain Node could not use the installed SDK:\n{run}\n--- gateway ---\n{_gateway.Output}");
            Assert.Contains("consumer: passed", run.Output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
