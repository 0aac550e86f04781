using System.Diagnostics;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// Runs the tools the repository installs — Node tools from `npm ci` (node_modules/.bin: tsc, tsx, redocly,
/// openapi-typescript) and dotnet itself (its local tools, dotnet-tools.json: kiota) — as child processes. A
/// missing tool fails the calling test with how to install it: never skipped.
/// </summary>
internal static class ExternalTool
{
    public sealed record Result(int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"exit {ExitCode}\n--- stdout ---\n{Output}\n--- stderr ---\n{Error}";
    }

    /// <summary>The repository's root (where DirectConnect.sln is).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

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

    /// <summary>The path of the executable <paramref name="name"/> on PATH (node, npm), failing the test if it is missing.</summary>
    public static string OnPath(string name)
    {
        var found = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);
        Assert.True(found is not null, $"`{name}` is not on PATH: install Node.js (./test.sh expects it on the machine).");
        return found;
    }

    /// <summary>The path of <paramref name="name"/> in node_modules/.bin, failing the test if Node.js or the tool is missing.</summary>
    public static string Node(string name)
    {
        OnPath("node");
        var tool = Path.Combine(RepositoryRoot, "node_modules", ".bin", name);
        Assert.True(File.Exists(tool), $"{name} is not installed at {tool}: run `npm ci` in the repository root (./test.sh does).");
        return tool;
    }

    /// <summary>
    /// Runs <paramref name="fileName"/> with <paramref name="args"/> in <paramref name="workingDirectory"/> (the
    /// repository root by default), with <paramref name="environment"/> added, and waits for it, failing the test if
    /// it runs longer than <paramref name="limit"/> (3 minutes by default).
    /// </summary>
    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> args, IDictionary<string, string>? environment = null,
        string? workingDirectory = null, TimeSpan? limit = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory ?? RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // `dotnet test` hands its MSBuild settings down to the test host; a `dotnet build` started from here must find its own.
        foreach (var inherited in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToArray())
        {
            start.Environment.Remove(inherited);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var allowed = limit ?? TimeSpan.FromMinutes(3);
        using var timeout = new CancellationTokenSource(allowed);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"{Path.GetFileName(fileName)} {string.Join(' ', args)} did not finish within {allowed}:\n{await output}\n{await error}");
        }

        return new Result(process.ExitCode, await output, await error);
    }
}
