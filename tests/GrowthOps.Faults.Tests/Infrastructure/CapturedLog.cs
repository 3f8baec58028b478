using System.Text;
using Microsoft.Extensions.Logging;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>Keeps a host's warnings and errors in memory, to print when a scenario fails instead of flooding the test log.</summary>
public sealed class CapturedLog : ILoggerProvider
{
    readonly StringBuilder _text = new();

    public string Text
    {
        get
        {
            lock (_text)
                return _text.ToString();
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    void Write(string line)
    {
        lock (_text)
            if (_text.Length < 200_000)
                _text.AppendLine(line);
    }

    public void Dispose()
    {
    }

    sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                log.Write($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}"
                          + (exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})"));
        }
    }
}
