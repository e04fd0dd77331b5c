using Akka.Event;
using Serilog;

namespace Supervise.Hosting;

/// <summary>
/// Renders Akka log messages as Serilog does: named placeholders (<c>{Name}</c>) and positional ones
/// (<c>{0}</c>) both work, so a message reads the same in Akka's own loggers and in Serilog.
/// </summary>
public sealed class SerilogLogMessageFormatter : ILogMessageFormatter
{
    /// <summary>Binds templates only; it writes nowhere.</summary>
    private static readonly ILogger Binder = new LoggerConfiguration().MinimumLevel.Verbose().CreateLogger();

    /// <inheritdoc />
    public string Format(string format, params object[] args) => Render(format, args);

    /// <inheritdoc />
    public string Format(string format, IEnumerable<object> args) => Render(format, args as object[] ?? args.ToArray());

    private static string Render(string format, object[] args)
    {
        if (args.Length == 0 || !Binder.BindMessageTemplate(format, args, out var template, out var properties))
        {
            return format;
        }

        return template.Render(properties.ToDictionary(p => p.Name, p => p.Value), System.Globalization.CultureInfo.InvariantCulture);
    }
}
