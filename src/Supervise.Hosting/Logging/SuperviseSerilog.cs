using System.Collections.Concurrent;
using Akka.Configuration;
using Serilog;

namespace Supervise.Hosting;

/// <summary>
/// Sends Akka.NET's log events to Serilog: one call on the actor system's configuration
/// (<see cref="WithSerilog"/>). Akka's own loggers already listed there (a TestKit's event listener, say)
/// keep working beside it; Akka's default console logger is replaced.
/// </summary>
public static class SuperviseSerilog
{
    /// <summary>The configuration path naming which Serilog logger an actor system's <see cref="AkkaSerilogLogger"/> writes to.</summary>
    public const string LoggerIdPath = "supervise.serilog.logger-id";

    private const string DefaultLogger = "Akka.Event.DefaultLogger";

    private static readonly ConcurrentDictionary<string, ILogger> Loggers = new(StringComparer.Ordinal);

    /// <summary>
    /// Returns <paramref name="config"/> with <see cref="AkkaSerilogLogger"/> among <c>akka.loggers</c> (writing to
    /// <paramref name="logger"/>, or to Serilog's static <see cref="Log.Logger"/> when none is given, looked up
    /// at each event) and <see cref="SerilogTemplateFormatter"/> as <c>akka.logger-formatter</c>, so that
    /// <c>{Name}</c> placeholders in Akka log calls become structured properties.
    /// </summary>
    public static Config WithSerilog(this Config? config, ILogger? logger = null)
    {
        config ??= Config.Empty;
        var id = Guid.NewGuid().ToString("N");
        if (logger is not null)
        {
            Loggers[id] = logger;
        }

        var kept = config.HasPath("akka.loggers")
            ? config.GetStringList("akka.loggers").Where(l => !l.StartsWith(DefaultLogger, StringComparison.Ordinal)).ToList()
            : [];
        var serilog = TypeName(typeof(AkkaSerilogLogger));
        if (!kept.Contains(serilog, StringComparer.Ordinal))
        {
            kept.Add(serilog);
        }

        var hocon = $$"""
            akka.loggers = [{{string.Join(", ", kept.Select(Quote))}}]
            akka.logger-formatter = {{Quote(TypeName(typeof(SerilogTemplateFormatter)))}}
            {{LoggerIdPath}} = {{Quote(id)}}
            """;
        return ConfigurationFactory.ParseString(hocon).WithFallback(config);
    }

    /// <summary>Forgets the logger registered under <paramref name="id"/> (its actor system has stopped).</summary>
    internal static void Release(string? id)
    {
        if (id is not null)
        {
            Loggers.TryRemove(id, out _);
        }
    }

    /// <summary>The logger registered under <paramref name="id"/>, or Serilog's static one.</summary>
    internal static ILogger For(string? id) => id is not null && Loggers.TryGetValue(id, out var logger) ? logger : Log.Logger;

    private static string TypeName(Type type) => $"{type.FullName}, {type.Assembly.GetName().Name}";

    private static string Quote(string s) => "\"" + s.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
