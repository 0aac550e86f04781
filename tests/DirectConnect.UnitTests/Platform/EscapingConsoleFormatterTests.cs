using DirectConnect.Platform.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace DirectConnect.UnitTests.Platform;

/// <summary>The console's layout is the simple formatter's; what it writes cannot forge a line or drive the terminal.</summary>
public sealed class EscapingConsoleFormatterTests
{
    private static string Write(string message, Exception? exception = null, SimpleConsoleFormatterOptions? options = null)
    {
        var formatter = new EscapingConsoleFormatter(new Fixed(options ?? new SimpleConsoleFormatterOptions()));
        using var output = new StringWriter();
        formatter.Write(new LogEntry<string>(LogLevel.Error, "DirectConnect.Test", new EventId(7), message, exception, (m, _) => m), null, output);
        return output.ToString();
    }

    [Fact]
    public void AnEntryReadsLikeTheSimpleFormattersOne() =>
        Assert.Equal($"fail: DirectConnect.Test[7]{Environment.NewLine}      something broke{Environment.NewLine}", Write("something broke"));

    [Fact]
    public void EchoedEscCrAndBidiOverridesAreWrittenAsText()
    {
        // An unexpected failure logs its exception, and an exception's message may quote request text.
        var exception = new InvalidDataException("stored '169.254.31.1/30\r\ninfo: Forged[0]\u001B]0;pwned\u0007' \u202Eexe.fdp");
        var text = Write("region '\u001B[2J\rforged' is unknown", exception);

        Assert.DoesNotContain(text, c => c is '\u001B' or '\r' or '\u0007' or '\u202E');
        Assert.Contains(@"region '\u001B[2J\u000Dforged' is unknown", text, StringComparison.Ordinal);
        Assert.Contains(@"\u001B]0;pwned\u0007' \u202Eexe.fdp", text, StringComparison.Ordinal);
        // The exception keeps its lines, each indented under the entry: none passes for an entry of its own.
        var lines = text.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("fail: DirectConnect.Test[7]", lines[0]);
        Assert.All(lines.Skip(1), line => Assert.StartsWith("      ", line, StringComparison.Ordinal));
        Assert.Contains(lines, line => line.StartsWith("      info: Forged[0]", StringComparison.Ordinal));
    }

    [Fact]
    public void OnOneLineEvenLineFeedsAreEscaped()
    {
        var text = Write("first\nsecond", options: new SimpleConsoleFormatterOptions { SingleLine = true });
        Assert.Equal($@"fail: DirectConnect.Test[7] first\u000Asecond{Environment.NewLine}", text);
    }

    private sealed class Fixed(SimpleConsoleFormatterOptions value) : IOptionsMonitor<SimpleConsoleFormatterOptions>
    {
        public SimpleConsoleFormatterOptions CurrentValue => value;

        public SimpleConsoleFormatterOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<SimpleConsoleFormatterOptions, string?> listener) => null;
    }
}
