namespace Supervise.Benchmarks;

/// <summary>A figure whose two sides run one after the other, each in a fresh actor system.</summary>
internal abstract class SeparateFigure : Figure
{
    /// <summary>One measurement of raw Akka.NET at <paramref name="scale"/>.</summary>
    public abstract Task<double> MeasureRawAsync(double scale);

    /// <summary>One measurement of Supervise at <paramref name="scale"/>.</summary>
    public abstract Task<double> MeasureSuperviseAsync(double scale);

    public override async Task<(double Raw, double Supervise)> MeasureAsync(double scale, bool rawFirst)
    {
        if (rawFirst)
        {
            var raw = await Collected(MeasureRawAsync, scale);
            return (raw, await Collected(MeasureSuperviseAsync, scale));
        }

        var supervise = await Collected(MeasureSuperviseAsync, scale);
        return (await Collected(MeasureRawAsync, scale), supervise);
    }

    private static Task<double> Collected(Func<double, Task<double>> measure, double scale)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return measure(scale);
    }
}
