using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Supervise.Samples.Web;

/// <summary>
/// The <c>Supervise</c> meter in Prometheus' text format, for a <c>/metrics</c> endpoint: counters summed
/// per tag set, gauges read at each scrape. (A production service would use an exporter; this keeps the
/// sample free of one.)
/// </summary>
internal sealed class PrometheusText : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<(string Name, string Tags), double> _values = new();
    private readonly ConcurrentDictionary<string, string> _kinds = new();

    public PrometheusText(string meterName)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == meterName)
            {
                _kinds[Name(instrument)] = instrument.GetType().Name.StartsWith("Observable", StringComparison.Ordinal) ? "gauge" : "counter";
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Every series, gauges read now.</summary>
    public string Scrape()
    {
        _listener.RecordObservableInstruments();
        var text = new StringBuilder();
        foreach (var series in _values.GroupBy(v => v.Key.Name).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            text.Append("# TYPE ").Append(series.Key).Append(' ').Append(_kinds.GetValueOrDefault(series.Key, "counter")).Append('\n');
            foreach (var (key, value) in series.OrderBy(s => s.Key.Tags, StringComparer.Ordinal))
            {
                text.Append(series.Key).Append(key.Tags).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        return text.ToString();
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = new List<string>();
        foreach (var tag in tags)
        {
            labels.Add($"{tag.Key.Replace('.', '_')}=\"{tag.Value?.ToString()?.Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }

        labels.Sort(StringComparer.Ordinal);
        var key = (Name(instrument), labels.Count == 0 ? "" : "{" + string.Join(",", labels) + "}");
        if (_kinds.GetValueOrDefault(key.Item1) == "gauge")
        {
            _values[key] = value;
        }
        else
        {
            _values.AddOrUpdate(key, value, (_, old) => old + value);
        }
    }

    private static string Name(Instrument instrument) => instrument.Name.Replace('.', '_');
}
