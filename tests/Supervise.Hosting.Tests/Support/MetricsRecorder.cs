using System.Diagnostics.Metrics;
using Xunit;

namespace Supervise.Hosting.Tests.Support;

/// <summary>Listens to the Supervise meter; keeps what is tagged with one tree.</summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly string _tree;
    private readonly List<(string Name, long Value, Dictionary<string, object?> Tags)> _measurements = [];

    public MetricsRecorder(string tree)
    {
        _tree = tree;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SuperviseMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Add(i.Name, v, tags));
        _listener.SetMeasurementEventCallback<int>((i, v, tags, _) => Add(i.Name, v, tags));
        _listener.Start();
    }

    public long Sum(string instrument, params (string Key, string Value)[] tags)
    {
        lock (_measurements)
        {
            return _measurements.Where(m => m.Name == instrument && tags.All(t => Equals(m.Tags.GetValueOrDefault(t.Key), t.Value))).Sum(m => m.Value);
        }
    }

    public long[] Gauges(string instrument, string[] healths)
    {
        lock (_measurements)
        {
            _measurements.RemoveAll(m => m.Name == instrument);
        }

        _listener.RecordObservableInstruments();
        return healths.Select(h => Sum(instrument, ("supervise.health", h))).ToArray();
    }

    /// <summary>An observable gauge's value for the tree, as of now.</summary>
    public long GaugeValue(string instrument)
    {
        lock (_measurements)
        {
            _measurements.RemoveAll(m => m.Name == instrument);
        }

        _listener.RecordObservableInstruments();
        return Sum(instrument);
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>The metrics actor counts events as they come: waits (up to 10 s) until it has counted what a test expects.</summary>
    public async Task WhenAsync(Func<bool> condition)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(waited.Elapsed < TimeSpan.FromSeconds(10), "the expected measurement did not come within 10 s");
            await Task.Delay(5);
        }
    }

    private void Add(string name, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            dict[tag.Key] = tag.Value;
        }

        if (Equals(dict.GetValueOrDefault("supervise.tree"), _tree))
        {
            lock (_measurements)
            {
                _measurements.Add((name, value, dict));
            }
        }
    }
}
