using Microsoft.Extensions.Logging;

namespace Supervise.Hosting.Tests.Support;

/// <summary>One log call as a provider receives it: its level, id, exception, message and structured fields.</summary>
public sealed record LogRecord(string Category, LogLevel Level, EventId Id, Exception? Exception, string Message, IReadOnlyDictionary<string, object?> Fields)
{
    /// <summary>A field's value, or null.</summary>
    public object? this[string name] => Fields.TryGetValue(name, out var value) ? value : null;

    /// <summary>The message template the call was made with.</summary>
    public string? Template => this["{OriginalFormat}"] as string;
}

/// <summary>A logging provider that keeps every record; a test awaits the one it expects.</summary>
public sealed class CollectingLogger : ILoggerProvider
{
    private readonly List<LogRecord> _records = [];
    private readonly List<(Func<LogRecord, bool> Match, TaskCompletionSource<LogRecord> Done)> _waiting = [];

    public IReadOnlyList<LogRecord> Records
    {
        get
        {
            lock (_records)
            {
                return _records.ToList();
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>The first record (already written or to come) that matches, within 10 s.</summary>
    public Task<LogRecord> WhenAsync(Func<LogRecord, bool> match)
    {
        lock (_records)
        {
            if (_records.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            var done = new TaskCompletionSource<LogRecord>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((match, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }

    private void Add(LogRecord record)
    {
        lock (_records)
        {
            _records.Add(record);
            foreach (var w in _waiting.Where(w => w.Match(record)).ToList())
            {
                _waiting.Remove(w);
                w.Done.TrySetResult(record);
            }
        }
    }

    private sealed class Logger(CollectingLogger owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value)
                : [];
            owner.Add(new LogRecord(category, logLevel, eventId, exception, formatter(state, exception), fields));
        }
    }
}
