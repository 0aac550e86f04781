namespace DirectConnect.ContractTests;

/// <summary>
/// The TypeScript SDK's generated code (sdk/typescript/src/gen) is committed; regenerating it
/// from protos/ with the pinned buf and protoc-gen-es (what `npm run sdk:generate` runs) must give
/// exactly the committed files, so the SDK cannot drift from the contracts.
/// </summary>
public sealed class TypeScriptSdkGenerationTests
{
    private const string Generated = "sdk/typescript/src/gen";

    [Fact]
    public async Task RegeneratingTheTypeScriptSdkChangesNothing()
    {
        NodeTool.Path("protoc-gen-es");
        var output = Path.Combine(Path.GetTempPath(), "dc-sdk-gen-" + Guid.NewGuid().ToString("N"));
        try
        {
            // The same template as `npm run sdk:generate`, written under a scratch directory (-o).
            var result = await NodeTool.RunAsync("buf", RepositoryRoot.Path, "generate", "protos", "--template", "sdk/typescript/buf.gen.yaml",
                "--exclude-path", "protos/directconnect/internal", "-o", output);
            Assert.True(result.ExitCode == 0, $"buf generate failed:\n{result}");

            var committed = Files(Path.Combine(RepositoryRoot.Path, Generated));
            var fresh = Files(Path.Combine(output, Generated));
            Assert.Contains("directconnect/v1/physical_connection_pb.ts", fresh.Keys);
            var differences = fresh.Keys.Union(committed.Keys).Order(StringComparer.Ordinal)
                .Where(file => !committed.TryGetValue(file, out var a) || !fresh.TryGetValue(file, out var b) || a != b)
                .Select(file => !committed.ContainsKey(file) ? $"{file}: not committed" : !fresh.ContainsKey(file) ? $"{file}: no longer generated" : $"{file}: differs")
                .ToArray();
            Assert.True(differences.Length == 0,
                $"{Generated} is out of date with protos/: run `npm run sdk:generate` and commit the result.\n" + string.Join('\n', differences));
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    private static Dictionary<string, string> Files(string root) =>
        Directory.Exists(root)
            ? Directory.GetFiles(root, "*", SearchOption.AllDirectories).ToDictionary(
                f => Path.GetRelativePath(root, f).Replace('\\', '/'),
                f => File.ReadAllText(f).ReplaceLineEndings("\n"),
                StringComparer.Ordinal)
            : [];
}
