using System.Collections;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Supervise.Hosting;

/// <summary>
/// One supervision event as a log call: its id and name, level, exception, message template and fields, in the shape
/// <c>[LoggerMessage]</c> generates (the fields, then <c>{OriginalFormat}</c>), so that every provider reads them as
/// structured properties. Unlike a generated method, it carries fields its message does not show (<c>Tree</c> and
/// <c>Path</c> on every event), which the generator drops.
/// </summary>
internal sealed class LogEntry(int id, string name, LogLevel level, Exception? error, string template) : IReadOnlyList<KeyValuePair<string, object?>>
{
    private readonly List<KeyValuePair<string, object?>> _fields = new(10);

    public LogEntry With(string field, object? value)
    {
        _fields.Add(new(field, value));
        return this;
    }

    /// <summary>The event's place in the tree: its <c>Path</c>, and the tree's name (the path's first segment) as <c>Tree</c>.</summary>
    public LogEntry At(string path)
    {
        var slash = path.IndexOf('/', StringComparison.Ordinal);
        return With("Path", path).With("Tree", slash < 0 ? path : path[..slash]);
    }

    public void WriteTo(ILogger logger)
    {
        if (logger.IsEnabled(level))
        {
            logger.Log(level, new EventId(id, name), this, error, static (entry, _) => entry.ToString());
        }
    }

    public int Count => _fields.Count + 1;

    public KeyValuePair<string, object?> this[int index] =>
        index == _fields.Count ? new("{OriginalFormat}", template)
        : index >= 0 && index < _fields.Count ? _fields[index]
        : throw new ArgumentOutOfRangeException(nameof(index), index, $"expected an index from 0 to {_fields.Count}");

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        for (var i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The message: the template with each <c>{Field}</c> replaced by its value (invariant culture; null as "(null)").</summary>
    public override string ToString()
    {
        var text = new StringBuilder(template.Length + 64);
        var at = 0;
        while (at < template.Length)
        {
            var open = template.IndexOf('{', at);
            var close = open < 0 ? -1 : template.IndexOf('}', open);
            if (close < 0)
            {
                text.Append(template, at, template.Length - at);
                break;
            }

            text.Append(template, at, open - at);
            var field = template[(open + 1)..close];
            text.Append(_fields.FirstOrDefault(f => f.Key == field) is { Key: not null } found ? Format(found.Value) : "{" + field + "}");
            at = close + 1;
        }

        return text.ToString();
    }

    private static string Format(object? value) => value switch
    {
        null => "(null)",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
