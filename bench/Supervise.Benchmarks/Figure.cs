namespace Supervise.Benchmarks;

/// <summary>One figure: the same work done by raw Akka.NET and by Supervise.</summary>
internal abstract class Figure
{
    /// <summary>Short name, used by --filter and in the JSON.</summary>
    public abstract string Name { get; }

    /// <summary>What is measured, for the table.</summary>
    public abstract string Description { get; }

    /// <summary>The unit of one measurement, for example "µs/cycle".</summary>
    public abstract string Unit { get; }

    /// <summary>Whether a bigger number is better (throughput) or worse (time, bytes).</summary>
    public abstract bool HigherIsBetter { get; }

    /// <summary>The target for Supervise / raw: at most this (lower is better) or at least this (higher is better).</summary>
    public abstract double Target { get; }

    /// <summary>
    /// One measurement of each side at <paramref name="scale"/> (1 = the full size): (raw, Supervise).
    /// <paramref name="rawFirst"/> says which side goes first where the sides run one after the other.
    /// </summary>
    public abstract Task<(double Raw, double Supervise)> MeasureAsync(double scale, bool rawFirst);

    protected static int Scaled(int full, double scale, int minimum = 1) => Math.Max(minimum, (int)(full * scale));
}
