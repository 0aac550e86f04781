using System.Diagnostics;

namespace DirectConnect.ContractTests;

/// <summary>
/// buf lint (STANDARD + COMMENTS with the AIP exceptions in protos/buf.yaml) over the real buf
/// binary that <c>npm ci</c> installs (./test.sh does). A missing buf fails the test: never skipped.
/// </summary>
public sealed class BufLintTests
{
    [Fact]
    public async Task TheContractsPassBufLint()
    {
        var buf = System.IO.Path.Combine(RepositoryRoot.Path, "node_modules", ".bin", "buf");
        Assert.True(File.Exists(buf), $"buf is not installed at {buf}: run `npm ci` in the repository root (./test.sh does).");

        var start = new ProcessStartInfo(buf, ["lint", "protos"])
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"buf lint failed ({process.ExitCode}):\n{await output}\n{await error}");
    }
}
