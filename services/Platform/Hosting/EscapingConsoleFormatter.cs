using System.Globalization;
using System.Text;
using DirectConnect.Platform.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace DirectConnect.Platform.Hosting;

/// <summary>
/// The console's default layout (that of the "simple" formatter: level, category and event id,
/// then the message and exception indented below, honouring its options except colours) with every
/// unsafe character of what is written escaped (<see cref="UnsafeCharacters.Escape"/>). Log
/// messages echo request text — paths and route values decoded from the URL, error messages quoting
/// a value, exceptions of an unexpected failure — and a CR, ESC or bidi override there would forge
/// a line or rewrite the terminal. Escaping here covers every source, the framework's too. The JSON
/// formatter (<c>Logging:Console:FormatterName=json</c>) needs none of this: JSON escapes them.
/// </summary>
public sealed class EscapingConsoleFormatter(IOptionsMonitor<SimpleConsoleFormatterOptions> options) : ConsoleFormatter(FormatterName)
{
    /// <summary>The formatter's name (<c>Logging:Console:FormatterName</c>); the default when none or "simple" is configured.</summary>
    public const string FormatterName = "directconnect";

    // As the simple formatter: continuation lines line up under the message, past "info: ".
    private const string Padding = "      ";

    /// <inheritdoc />
    public override void Write<TState>(in LogEntry<TState> logEntry, IExternalScopeProvider? scopeProvider, TextWriter textWriter)
    {
        ArgumentNullException.ThrowIfNull(textWriter);
        var message = logEntry.Formatter?.Invoke(logEntry.State, logEntry.Exception);
        if (string.IsNullOrEmpty(message) && logEntry.Exception is null)
        {
            return;
        }

        var settings = options.CurrentValue;
        var separator = settings.SingleLine ? " " : Environment.NewLine + Padding;
        var entry = new StringBuilder();
        if (settings.TimestampFormat is { } format)
        {
            entry.Append((settings.UseUtcTimestamp ? DateTimeOffset.UtcNow : DateTimeOffset.Now).ToString(format, CultureInfo.InvariantCulture));
        }

        entry.Append(Level(logEntry.LogLevel)).Append(": ").Append(UnsafeCharacters.Escape(logEntry.Category))
            .Append('[').Append(logEntry.EventId.Id.ToString(CultureInfo.InvariantCulture)).Append(']');
        if (settings.IncludeScopes && scopeProvider is not null)
        {
            var scopes = new StringBuilder();
            scopeProvider.ForEachScope((scope, text) => text.Append("=> ").Append(scope).Append(' '), scopes);
            if (scopes.Length > 0)
            {
                entry.Append(separator).Append(Lines(scopes.ToString().TrimEnd(), settings.SingleLine));
            }
        }

        if (!string.IsNullOrEmpty(message))
        {
            entry.Append(separator).Append(Lines(message, settings.SingleLine));
        }

        if (logEntry.Exception is { } exception)
        {
            entry.Append(separator).Append(Lines(exception.ToString(), settings.SingleLine));
        }

        textWriter.Write(entry.Append(Environment.NewLine).ToString());
    }

    // A multi-line text (a stack trace) keeps its lines, each indented under the entry so that none
    // can pass for an entry of its own; on a single line, line feeds are escaped like the rest.
    private static string Lines(string text, bool singleLine) =>
        singleLine
            ? UnsafeCharacters.Escape(text)
            : UnsafeCharacters.Escape(text.Replace("\r\n", "\n", StringComparison.Ordinal), keepLineFeeds: true)
                .Replace("\n", Environment.NewLine + Padding, StringComparison.Ordinal);

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => level.ToString(),
    };
}
