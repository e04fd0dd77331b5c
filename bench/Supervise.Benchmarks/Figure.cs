namespace Supervise.Benchmarks;

/// <summary>One figure: the same work done by raw Akka.NET and by Supervise, measured one after the other.</summary>
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

    /// <summary>One measurement of raw Akka.NET at <paramref name="scale"/> (1 = the full size).</summary>
    public abstract Task<double> MeasureRawAsync(double scale);

    /// <summary>One measurement of Supervise at <paramref name="scale"/>.</summary>
    public abstract Task<double> MeasureSuperviseAsync(double scale);

    /// <summary>
    /// For figures sensitive to drift: both sides measured in one actor system, in short alternating
    /// chunks, so whatever the machine does in between affects both alike. Null when not paired.
    /// </summary>
    public virtual Task<(double Raw, double Supervise)>? MeasurePairedAsync(double scale) => null;

    protected static int Scaled(int full, double scale, int minimum = 1) => Math.Max(minimum, (int)(full * scale));
}
