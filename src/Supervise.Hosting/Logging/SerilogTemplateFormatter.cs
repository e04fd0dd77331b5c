using Akka.Event;
using Serilog;

namespace Supervise.Hosting;

/// <summary>
/// Renders Akka log messages as Serilog does: named placeholders (<c>{Name}</c>) and positional ones
/// (<c>{0}</c>) both work, so a message reads the same in Akka's own loggers and in Serilog.
/// </summary>
public sealed class SerilogTemplateFormatter : ILogMessageFormatter
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

        // As Akka's own formatter would: strings as they are (Serilog's rendering would quote them).
        var values = properties.ToDictionary(p => p.Name, p => p.Value, StringComparer.Ordinal);
        var text = new System.Text.StringBuilder();
        foreach (var token in template.Tokens)
        {
            switch (token)
            {
                case Serilog.Parsing.PropertyToken property when values.TryGetValue(property.PropertyName, out var value):
                    text.Append(value is Serilog.Events.ScalarValue { Value: var scalar }
                        ? string.Format(System.Globalization.CultureInfo.InvariantCulture, property.Format is null ? "{0}" : "{0:" + property.Format + "}", scalar)
                        : value.ToString());
                    break;
                case Serilog.Parsing.TextToken t:
                    text.Append(t.Text);
                    break;
                default:
                    text.Append(token.ToString());
                    break;
            }
        }

        return text.ToString();
    }
}
