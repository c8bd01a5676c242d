// Keeps every log message of a host in memory, so a test can assert what the server
// recorded (evidence of a log's misbehaviour) without a sleep: messages are written before
// the response that follows them is sent.
using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace DarkMail.Directory.Server.Tests.TestSupport;

public sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, LogLevel Level, string Message)> entries = new();

    public IReadOnlyList<string> Messages(string categoryEndsWith, LogLevel atLeast = LogLevel.Trace) =>
        [.. entries.Where(e => e.Category.EndsWith(categoryEndsWith, StringComparison.Ordinal) && e.Level >= atLeast).Select(e => e.Message)];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, entries);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<(string, LogLevel, string)> entries) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            entries.Enqueue((category, logLevel, formatter(state, exception)));
    }
}
