using System.Diagnostics;
using System.Runtime.Versioning;
using System.Text.RegularExpressions;

namespace DirectConnect.ContractTests;

/// <summary>
/// The README's test command is one command that passes on a fresh machine by itself: the script
/// that CI runs (<c>.ci/run</c> calls it, and installs nothing itself), which installs what the tests
/// need and then runs <c>dotnet test DirectConnect.sln</c>. The script is run here with stand-ins for
/// npm, apt-get and dotnet that record their calls, on a PATH without kubectl.
/// </summary>
[UnsupportedOSPlatform("windows")] // a bash script and file modes
public sealed partial class TestCommandTests
{
    private const string Command = "./test.sh";

    private static string Read(params string[] path) => File.ReadAllText(Path.Combine([RepositoryRoot.Path, .. path]));

    /// <summary>The commands a shell script runs: its lines without comments, echoes and blank lines.</summary>
    private static IEnumerable<string> Commands(string script) =>
        script.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0 && !l.StartsWith('#') && !l.StartsWith("echo ", StringComparison.Ordinal));

    [Fact]
    public void TheReadmesTestCommandIsTheScriptThatCiRuns()
    {
        var readme = Read("README.md");
        var start = readme.IndexOf("\n## Test it\n", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no \"## Test it\" section");
        var end = readme.IndexOf("\n## ", start + 1, StringComparison.Ordinal);
        var section = readme[start..end];
        var block = FirstShellBlock().Match(section);
        Assert.True(block.Success, "\"Test it\" shows no sh block");
        Assert.Equal(Command, block.Groups["body"].Value.Trim());
        Assert.Contains("`dotnet test DirectConnect.sln`", section, StringComparison.Ordinal); // for those who have the tools

        var ci = Commands(Read(".ci", "run")).ToList();
        Assert.Contains(ci, c => Regex.IsMatch(c, $@"^{Regex.Escape(Command)}(\s|$)"));
        Assert.DoesNotContain(ci, c => c.Contains("dotnet test", StringComparison.Ordinal) || c.Contains("apt-get", StringComparison.Ordinal) || c.Contains("npm ", StringComparison.Ordinal));

        var script = Path.Combine(RepositoryRoot.Path, "test.sh");
        Assert.True((File.GetUnixFileMode(script) & UnixFileMode.UserExecute) != 0, "test.sh is not executable");
        Assert.Equal("exec dotnet test DirectConnect.sln \"$@\"", Commands(File.ReadAllText(script)).Last());
    }

    [Fact]
    public async Task TheScriptInstallsWhatIsMissingThenRunsTheTestsAndAnswersWithTheirExitCode()
    {
        var bin = Directory.CreateTempSubdirectory("dc-testsh-").FullName;
        try
        {
            var log = Path.Combine(bin, "calls.log");
            void Fake(string name, string body)
            {
                var path = Path.Combine(bin, name);
                File.WriteAllText(path, $"#!/bin/bash\n{body}\n");
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            Fake("npm", $"echo \"npm $*\" >> '{log}'");
            Fake("apt-get", $"echo \"apt-get $*\" >> '{log}'");
            Fake("dotnet", $"echo \"dotnet $*\" >> '{log}'; exit 3");
            Fake("sudo", "exec \"$@\""); // for a run as another user than root
            foreach (var tool in new[] { "dirname", "env" })
            {
                File.CreateSymbolicLink(Path.Combine(bin, tool), Path.Combine("/usr/bin", tool));
            }

            var start = new ProcessStartInfo("/bin/bash", [Path.Combine(RepositoryRoot.Path, "test.sh"), "--filter", "FullyQualifiedName~Nothing"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            start.Environment["PATH"] = bin; // no kubectl on it
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            await process.WaitForExitAsync(timeout.Token);

            Assert.True(process.ExitCode == 3, $"exit {process.ExitCode}, want dotnet test's 3\n{await output}\n{await error}");
            var calls = File.ReadAllLines(log);
            Assert.Equal("npm ci --no-audit --no-fund", calls[0]);
            Assert.Equal("apt-get update -qq", calls[1]);
            Assert.StartsWith("apt-get install -y -qq ", calls[2], StringComparison.Ordinal);
            Assert.Contains("kubernetes-client", calls[2].Split(' '));
            Assert.Equal(["dotnet test DirectConnect.sln --filter FullyQualifiedName~Nothing"], calls[3..]);
        }
        finally
        {
            Directory.Delete(bin, recursive: true);
        }
    }

    [GeneratedRegex("```sh\n(?<body>.*?)```", RegexOptions.Singleline)]
    private static partial Regex FirstShellBlock();
}
