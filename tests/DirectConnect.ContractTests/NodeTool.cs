using System.Diagnostics;

namespace DirectConnect.ContractTests;

/// <summary>
/// Runs a tool that <c>npm ci</c> installs into node_modules/.bin (buf, protoc-gen-es). A missing
/// tool fails the calling test with how to install it: never skipped.
/// </summary>
internal static class NodeTool
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
    }

    public static string Path(string name)
    {
        var path = System.IO.Path.Combine(RepositoryRoot.Path, "node_modules", ".bin", name);
        Assert.True(File.Exists(path), $"{name} is not installed at {path}: run `npm ci` in the repository root (./test.sh does).");
        return path;
    }

    public static async Task<Result> RunAsync(string name, string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(Path(name))
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return new Result(process.ExitCode, await output, await error);
    }
}
