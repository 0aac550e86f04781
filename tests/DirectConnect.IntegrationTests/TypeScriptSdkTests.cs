using System.Diagnostics;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// The TypeScript SDK (sdk/typescript, generated from the protos) against a real gateway process:
/// typechecks the SDK and its end-to-end test with tsc, then runs sdk/typescript/test/seed.e2e.ts
/// with tsx, which walks the seed procedure over gRPC through the generated client and reads
/// one resource over REST. Node.js, tsc and tsx come from `npm ci` at the repository root
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
        var typecheck = await RunAsync(NodeTool("tsc"), ["--noEmit", "-p", "sdk/typescript"], new Dictionary<string, string>());
        Assert.True(typecheck.ExitCode == 0, $"tsc found errors in sdk/typescript:\n{typecheck}");

        var account = "ts-sdk-" + Guid.NewGuid().ToString("N")[..8];
        var result = await RunAsync(NodeTool("tsx"), ["sdk/typescript/test/seed.e2e.ts"], new Dictionary<string, string>
        {
            ["GRPC_URL"] = _gateway.GrpcAddress.ToString(),
            ["REST_URL"] = _gateway.RestAddress.ToString(),
            ["OPERATOR_TOKEN"] = Tokens.Issue(_dataDirectory, "ops", "operator"),
            ["CUSTOMER_TOKEN"] = Tokens.Issue(_dataDirectory, account, "customer"),
        });
        Assert.True(result.ExitCode == 0, $"seed.e2e.ts failed:\n{result}\n--- gateway ---\n{_gateway.Output}");
        Assert.Contains("seed.e2e: passed", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePackedSdkInstallsIntoAnotherProjectNextToCurrentConnectAndRunsWithPlainNode()
    {
        var work = Path.Combine(Path.GetTempPath(), "dc-ts-consumer-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(work);
        try
        {
            // npm pack runs the SDK's prepack (its build to dist/), as publishing would.
            var pack = await RunAsync(Npm(), ["pack", "--pack-destination", work, "--json"], new Dictionary<string, string>(),
                Path.Combine(RepositoryRoot, "sdk", "typescript"));
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
                File.Copy(Path.Combine(RepositoryRoot, "sdk", "typescript", "test", "consumer", file), Path.Combine(consumer, file));
            }

            var install = await RunAsync(Npm(), ["install", "--no-audit", "--no-fund", "--prefer-offline"], new Dictionary<string, string>(), consumer);
            Assert.True(install.ExitCode == 0, $"npm install of the tarball failed:\n{install}");
            // One protobuf-es in the project: the SDK brings none of its own.
            Assert.False(Directory.Exists(Path.Combine(consumer, "node_modules", "@directconnect", "sdk", "node_modules")),
                "the installed SDK carries dependencies of its own instead of using the project's");

            var types = await RunAsync(NodeTool("tsc"), ["-p", consumer], new Dictionary<string, string>(), consumer);
            Assert.True(types.ExitCode == 0, $"the consumer does not typecheck against the installed SDK:\n{types}");

            var run = await RunAsync(NodeExecutable(), ["client.mjs"], new Dictionary<string, string>
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

    private sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
    }

    private static string RepositoryRoot { get; } = FindRepositoryRoot();

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "DirectConnect.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("DirectConnect.sln not found above " + AppContext.BaseDirectory);
    }

    private static string OnPath(string name)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
        Assert.True(found is not null, $"`{name}` is not on PATH: the TypeScript SDK tests need Node.js and npm.");
        return found;
    }

    private static string NodeExecutable() => OnPath("node");

    private static string Npm() => OnPath("npm");

    private static string NodeTool(string name)
    {
        OnPath("node");
        var tool = Path.Combine(RepositoryRoot, "node_modules", ".bin", name);
        Assert.True(File.Exists(tool), $"{name} is not installed at {tool}: run `npm ci` in the repository root (./test.sh does).");
        return tool;
    }

    private static async Task<Result> RunAsync(string tool, string[] args, IDictionary<string, string> environment, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(tool)
        {
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{Path.GetFileName(tool)} {string.Join(' ', args)} did not finish within 3 minutes:\n{await output}\n{await error}");
        }

        return new Result(process.ExitCode, await output, await error);
    }
}
