using Serilog.Core;
using Serilog.Events;

namespace Supervise.Hosting.Tests.Support;

/// <summary>A Serilog sink that keeps every event; a test awaits the one it expects.</summary>
public sealed class CollectingSink : ILogEventSink
{
    private readonly List<LogEvent> _events = [];
    private readonly List<(Func<LogEvent, bool> Match, TaskCompletionSource<LogEvent> Done)> _waiting = [];

    public IReadOnlyList<LogEvent> Events
    {
        get
        {
            lock (_events)
            {
                return _events.ToList();
            }
        }
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_events)
        {
            _events.Add(logEvent);
            foreach (var w in _waiting.Where(w => w.Match(logEvent)).ToList())
            {
                _waiting.Remove(w);
                w.Done.TrySetResult(logEvent);
            }
        }
    }

    /// <summary>The first event (already written or to come) that matches, within 10 s.</summary>
    public Task<LogEvent> WhenAsync(Func<LogEvent, bool> match)
    {
        lock (_events)
        {
            if (_events.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            var done = new TaskCompletionSource<LogEvent>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Add((match, done));
            return done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        }
    }
}

public static class LogEventExtensions
{
    /// <summary>A scalar property's value, or null.</summary>
    public static object? Scalar(this LogEvent e, string name) =>
        e.Properties.TryGetValue(name, out var value) && value is ScalarValue scalar ? scalar.Value : null;
}
