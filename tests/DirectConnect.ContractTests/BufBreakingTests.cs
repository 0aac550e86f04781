namespace DirectConnect.ContractTests;

/// <summary>
/// <c>buf breaking</c> (FILE rules, protos/buf.yaml) of the contracts against the committed baseline
/// image protos/baseline/directconnect-v1.binpb (directconnect.v1 and directconnect.events.v1).
/// A change that breaks a generated client's source or wire compatibility fails here.
/// </summary>
/// <remarks>
/// To make a breaking change on purpose, update the baseline in the same change, from the
/// repository root, and say why in the commit:
/// <code>npm run buf:baseline</code>
/// (that is <c>buf build protos --path protos/directconnect -o protos/baseline/directconnect-v1.binpb</c>).
/// </remarks>
public sealed class BufBreakingTests
{
    private const string Baseline = "protos/baseline/directconnect-v1.binpb";

    /// <summary>The internal API: services only, never part of the public contract (nor of its baseline).</summary>
    private const string Internal = "directconnect/internal";

    private static string BaselinePath => Path.Combine(RepositoryRoot.Path, Baseline);

    [Fact]
    public async Task TheContractsHaveNoBreakingChangeAgainstTheBaseline()
    {
        Assert.True(File.Exists(BaselinePath), $"{Baseline} is missing: `npm run buf:baseline` writes it.");
        var result = await NodeTool.RunAsync("buf", RepositoryRoot.Path, "breaking", "protos", "--against", Baseline, "--exclude-path", $"protos/{Internal}");
        Assert.True(result.ExitCode == 0,
            $"buf breaking found breaking changes against {Baseline}. If they are intended, run `npm run buf:baseline` " +
            $"and commit the new baseline with the change.\n{result}");
    }

    [Fact]
    public async Task TheBaselineHoldsThePublicApiAndTheEvents()
    {
        // An empty or wrongly scoped baseline would let every change through.
        var result = await NodeTool.RunAsync("buf", RepositoryRoot.Path, "ls-files", Baseline);
        Assert.True(result.ExitCode == 0, result.ToString());
        var files = result.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var ours = Directory.GetFiles(Path.Combine(RepositoryRoot.Path, "protos", "directconnect"), "*.proto", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Path.Combine(RepositoryRoot.Path, "protos"), f).Replace('\\', '/'))
            .Where(f => !f.StartsWith(Internal + "/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToArray();
        Assert.Contains("directconnect/v1/physical_connection.proto", ours);
        Assert.Equal(ours, files.Where(f => f.StartsWith("directconnect/", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(files, f => f.StartsWith(Internal + "/", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("renumbered field", "directconnect/v1/physical_connection.proto", "string provider = 9", "string provider = 90", "Previously present field \"9\" with name \"provider\" on message \"PhysicalConnection\" was deleted")]
    [InlineData("renamed field", "directconnect/v1/location.proto", "string address = ", "string street_address = ", "Field \"5\" with name \"street_address\" on message \"Location\" changed option \"json_name\"")]
    [InlineData("removed RPC", "directconnect/v1/physical_connection.proto", "rpc ConfirmPhysicalConnection(", "rpc ConfirmPhysicalConnectionLater(", "Previously present RPC \"ConfirmPhysicalConnection\" on service \"PhysicalConnectionService\" was deleted")]
    public async Task ABreakingChangeInACopyOfTheProtosIsReported(string what, string file, string from, string to, string expected)
    {
        var copy = Path.Combine(Path.GetTempPath(), "dc-buf-breaking-" + Guid.NewGuid().ToString("N"));
        try
        {
            CopyDirectory(Path.Combine(RepositoryRoot.Path, "protos"), copy);
            var path = Path.Combine(copy, file);
            var text = await File.ReadAllTextAsync(path);
            Assert.True(text.Contains(from, StringComparison.Ordinal), $"{file} no longer contains `{from}`: pick another edit for the {what} case.");
            await File.WriteAllTextAsync(path, text.Replace(from, to, StringComparison.Ordinal));

            var result = await NodeTool.RunAsync("buf", copy, "breaking", ".", "--against", BaselinePath, "--exclude-path", Internal);
            Assert.True(result.ExitCode == 100, $"buf breaking did not report the {what}:\n{result}");
            Assert.Contains(expected, result.Output + result.Error, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var directory in Directory.GetDirectories(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, directory);
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj" or "baseline")
            {
                continue;
            }

            Directory.CreateDirectory(Path.Combine(to, relative));
        }

        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar)[0] is "bin" or "obj" or "baseline" || !(file.EndsWith(".proto", StringComparison.Ordinal) || file.EndsWith("buf.yaml", StringComparison.Ordinal)))
            {
                continue;
            }

            File.Copy(file, Path.Combine(to, relative));
        }
    }
}
