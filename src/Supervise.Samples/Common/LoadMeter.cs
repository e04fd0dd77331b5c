using System.Diagnostics;

namespace Supervise.Samples.Common;

/// <summary>
/// Counts requests and their latency, thread-safe: throughput per second, percentiles of the latest ones (the live view),
/// and percentiles over the whole run (the outcome and the report), from a histogram whose buckets grow by 2 %.
/// </summary>
internal sealed class LoadMeter
{
    private const int Window = 4096;
    private const double SmallestMs = 0.001;
    private const double Growth = 1.02;
    private static readonly double LogGrowth = Math.Log(Growth);
    private static readonly int Buckets = (int)Math.Ceiling(Math.Log(100_000 / SmallestMs) / LogGrowth) + 2; // 1 µs to 100 s
    private readonly long[] _histogram = new long[Buckets];
    private readonly object _gate = new();
    private readonly double[] _latestMs = new double[Window];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _recorded;
    private long _failed;
    private long _lastCount;
    private TimeSpan _lastAt;

    /// <summary>Requests answered.</summary>
    public long Count => Interlocked.Read(ref _recorded);

    /// <summary>Requests that failed or were refused.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    public void Record(TimeSpan latency)
    {
        lock (_gate)
        {
            _latestMs[_recorded % Window] = latency.TotalMilliseconds;
            _histogram[Bucket(latency.TotalMilliseconds)]++;
            _recorded++;
        }
    }

    public void RecordFailure() => Interlocked.Increment(ref _failed);

    /// <summary>Over the whole run: answers per second since the meter started, and the percentiles of every answer (within 2 %).</summary>
    public LoadSample Overall()
    {
        var sample = Sample();
        var seconds = _clock.Elapsed.TotalSeconds;
        lock (_gate)
        {
            return sample with { PerSecond = seconds > 0 ? sample.Answered / seconds : 0, P50Ms = Percentile(0.50), P95Ms = Percentile(0.95), P99Ms = Percentile(0.99) };
        }
    }

    private static int Bucket(double ms) => ms <= SmallestMs ? 0 : Math.Min(Buckets - 1, (int)(Math.Log(ms / SmallestMs) / LogGrowth) + 1);

    /// <summary>The upper bound of the bucket that holds the answer at quantile <paramref name="q"/> (under the lock).</summary>
    private double Percentile(double q)
    {
        if (_recorded == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(q * _recorded);
        var seen = 0L;
        for (var b = 0; b < Buckets; b++)
        {
            seen += _histogram[b];
            if (seen >= rank)
            {
                return SmallestMs * Math.Pow(Growth, b);
            }
        }

        return SmallestMs * Math.Pow(Growth, Buckets - 1);
    }

    /// <summary>Answers per second since the last call, and the latency percentiles of the latest answers.</summary>
    public LoadSample Sample()
    {
        lock (_gate)
        {
            var now = _clock.Elapsed;
            var seconds = (now - _lastAt).TotalSeconds;
            var rate = seconds > 0 ? (_recorded - _lastCount) / seconds : 0;
            _lastCount = _recorded;
            _lastAt = now;
            var latest = _latestMs.Take((int)Math.Min(_recorded, Window)).Order().ToArray();
            double At(double q) => latest.Length == 0 ? 0 : latest[Math.Min(latest.Length - 1, (int)Math.Ceiling(q * latest.Length) - 1)];
            return new LoadSample(_recorded, Interlocked.Read(ref _failed), rate, At(0.50), At(0.95), At(0.99));
        }
    }
}

/// <summary>One look at a <see cref="LoadMeter"/>.</summary>
internal sealed record LoadSample(long Answered, long Failed, double PerSecond, double P50Ms, double P95Ms, double P99Ms)
{
    public override string ToString() => FormattableString.Invariant($"{Answered} answered, {Failed} failed, {PerSecond:0}/s, latency p50 {P50Ms:0.0} ms, p95 {P95Ms:0.0} ms, p99 {P99Ms:0.0} ms");
}
