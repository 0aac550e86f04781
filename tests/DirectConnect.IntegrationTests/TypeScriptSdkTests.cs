namespace DirectConnect.IntegrationTests;

/// <summary>
/// The TypeScript SDK (sdk/typescript, generated from the protos) against a real gateway process:
/// typechecks the SDK and its end-to-end test with tsc, then runs sdk/typescript/test/seed.e2e.ts
/// with tsx, which walks the seed procedure over gRPC through the generated client and reads
/// one resource over REST. Node.js, tsc and tsx come from `npm ci` at the repository root
/// (.ci/run does it; so does the first build of the contract tests); missing, the test fails.
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
        });
        Assert.True(result.ExitCode == 0, $"seed.e2e.ts failed:\n{result}\n--- gateway ---\n{_gateway.Output}");
        Assert.Contains("seed.e2e: passed", result.Output, StringComparison.Ordinal);
    }
}
