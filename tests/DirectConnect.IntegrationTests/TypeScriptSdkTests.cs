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

    private static string NodeTool(string name)
    {
        var node = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, "node"))
            .FirstOrDefault(File.Exists);
        Assert.True(node is not null, "Node.js (`node`) is not on PATH: the TypeScript SDK test needs it.");
        var tool = Path.Combine(RepositoryRoot, "node_modules", ".bin", name);
        Assert.True(File.Exists(tool), $"{name} is not installed at {tool}: run `npm ci` in the repository root (./test.sh does).");
        return tool;
    }

    private static async Task<Result> RunAsync(string tool, string[] args, IDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo(tool)
        {
            WorkingDirectory = RepositoryRoot,
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
