using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Serilog;
using Serilog.Events;
using AkkaLogEvent = Akka.Event.LogEvent;

namespace Supervise.Hosting;

/// <summary>
/// An Akka.NET logger that writes Akka's log events to Serilog: the level mapped, the message template
/// kept (its placeholders become properties), and <c>LogSource</c>, <c>ActorPath</c>, <c>SourceContext</c>
/// (the logging class), <c>ThreadId</c> and the exception attached. Listed in <c>akka.loggers</c> by
/// <see cref="SuperviseSerilog.WithSerilog"/>.
/// </summary>
public sealed class AkkaSerilogLogger : ReceiveActor, IRequiresMessageQueue<ILoggerMessageQueueSemantics>
{
    private readonly string? _loggerId;

    /// <summary>Created by Akka from <c>akka.loggers</c>.</summary>
    public AkkaSerilogLogger()
    {
        var config = Context.System.Settings.Config;
        _loggerId = config.HasPath(SuperviseSerilog.LoggerIdPath) ? config.GetString(SuperviseSerilog.LoggerIdPath) : null;
        Receive<AkkaLogEvent>(Write);
        Receive<InitializeLogger>(_ => Sender.Tell(new LoggerInitialized()));
    }

    /// <summary>The logger registered for this actor system is released with it.</summary>
    protected override void PostStop() => SuperviseSerilog.Release(_loggerId);

    /// <summary>Akka's level as Serilog's.</summary>
    public static LogEventLevel LevelOf(LogLevel level) => level switch
    {
        LogLevel.DebugLevel => LogEventLevel.Debug,
        LogLevel.InfoLevel => LogEventLevel.Information,
        LogLevel.WarningLevel => LogEventLevel.Warning,
        _ => LogEventLevel.Error,
    };

    private void Write(AkkaLogEvent e)
    {
        var logger = SuperviseSerilog.For(_loggerId);
        var level = LevelOf(e.LogLevel());
        if (!logger.IsEnabled(level))
        {
            return;
        }

        var (template, args) = e.Message is LogMessage message
            ? (message.Format, message.Parameters().ToArray())
            : ("{Message:l}", new[] { e.Message?.ToString() ?? "" });
        if (!logger.BindMessageTemplate(template, args, out var parsed, out var bound))
        {
            // A template Serilog cannot bind (its logger is silent, say): written as plain text.
            logger.BindMessageTemplate("{Message:l}", [e.Message?.ToString() ?? ""], out parsed, out bound);
        }

        if (parsed is null)
        {
            return;
        }

        var properties = new List<LogEventProperty>(bound ?? [])
        {
            new("LogSource", new ScalarValue(e.LogSource)),
            new("SourceContext", new ScalarValue(e.LogClass?.FullName)),
            new("ThreadId", new ScalarValue(e.Thread?.ManagedThreadId)),
        };
        if (e.LogSource is { } source && source.Contains("://", StringComparison.Ordinal))
        {
            properties.Add(new("ActorPath", new ScalarValue(source)));
        }

        logger.Write(new Serilog.Events.LogEvent(new DateTimeOffset(DateTime.SpecifyKind(e.Timestamp, DateTimeKind.Utc)), level, e.Cause, parsed, properties));
    }
}
