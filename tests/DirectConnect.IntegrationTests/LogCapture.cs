using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DirectConnect.IntegrationTests;

/// <summary>
/// A logger provider that adds every entry the configured levels let through (category, formatted
/// message, exception) to <paramref name="entries"/>, for tests that read the log.
/// </summary>
public sealed class LogCapture(ConcurrentQueue<(string Category, string Message, Exception? Exception)> entries) : ILoggerProvider
{
    /// <inheritdoc />
    public ILogger CreateLogger(string categoryName) => new Capturing(categoryName, entries);

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private sealed class Capturing(string category, ConcurrentQueue<(string, string, Exception?)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue((category, formatter(state, exception), exception));
    }
}
