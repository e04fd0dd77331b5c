using System.Diagnostics;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text.Json;

namespace Supervise.Benchmarks;

/// <summary>Runs figures raw and Supervise interleaved, repeated, and reports medians and ratios.</summary>
internal static class Runner
{
    public static IReadOnlyList<Figure> AllFigures() =>
    [
        new Figures.RestartCycle(),
        new Figures.PingPong(),
        new Figures.StartMany(Figures.StartMany.Measure.Time),
        new Figures.StartMany(Figures.StartMany.Measure.Bytes),
        new Figures.StartMany(Figures.StartMany.Measure.OrderedTime),
        new Figures.RestartStorm(),
        new Figures.Escalation(),
        new Figures.Upgrade(),
        new Figures.MillionWorkers(bytes: false),
        new Figures.MillionWorkers(bytes: true),
    ];

    public static string MachineLine() =>
        $"machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription.Trim()}, {RuntimeInformation.FrameworkDescription}, " +
        $"GC {(GCSettings.IsServerGC ? "server" : "workstation")}/{(GCSettings.LatencyMode == GCLatencyMode.Interactive ? "concurrent" : GCSettings.LatencyMode.ToString())}, " +
        $"{(Debugger.IsAttached ? "debugger attached, " : string.Empty)}{(IsRelease ? "Release" : "DEBUG BUILD: figures are not meaningful")}";

    public static async Task<IReadOnlyList<FigureResult>> RunAsync(IEnumerable<Figure> figures, int repeat, double scale, TextWriter output)
    {
        var results = new List<FigureResult>();
        foreach (var figure in figures)
        {
            // A small round first, so JIT and tiering do not land in the first measurement.
            await figure.MeasureAsync(scale / 10, rawFirst: true);
            var raw = new List<double>();
            var supervise = new List<double>();
            for (var i = 0; i < repeat; i++)
            {
                // Alternating which side goes first, so drift hits both alike.
                var (r, s) = await figure.MeasureAsync(scale, rawFirst: i % 2 == 0);
                raw.Add(r);
                supervise.Add(s);
            }

            var result = new FigureResult(figure.Name, figure.Description, figure.Unit, figure.HigherIsBetter, figure.Target, Median(raw), Median(supervise), raw, supervise);
            results.Add(result);
            output.WriteLine(result.Line());
        }

        return results;
    }

    public static string WriteJson(IReadOnlyList<FigureResult> results, string path, int repeat, double scale)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var document = new
        {
            machine = MachineLine(),
            cores = Environment.ProcessorCount,
            runtime = RuntimeInformation.FrameworkDescription,
            repeat,
            scale,
            figures = results.Select(r => new
            {
                name = r.Name,
                unit = r.Unit,
                raw_median = r.RawMedian,
                supervise_median = r.SuperviseMedian,
                ratio = r.Ratio,
                target = double.IsNaN(r.Target) ? (double?)null : r.Target,
                higher_is_better = r.HigherIsBetter,
                meets_target = r.MeetsTarget,
                raw = r.Raw,
                supervise = r.Supervise,
            }),
        };
        File.WriteAllText(full, JsonSerializer.Serialize(document, Indented));
        return full;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }

#if DEBUG
    private const bool IsRelease = false;
#else
    private const bool IsRelease = true;
#endif
}

/// <summary>The outcome of one figure.</summary>
internal sealed record FigureResult(
    string Name,
    string Description,
    string Unit,
    bool HigherIsBetter,
    double Target,
    double RawMedian,
    double SuperviseMedian,
    IReadOnlyList<double> Raw,
    IReadOnlyList<double> Supervise)
{
    /// <summary>Supervise / raw.</summary>
    public double Ratio => SuperviseMedian / RawMedian;

    public bool? MeetsTarget => double.IsNaN(Target) ? null : HigherIsBetter ? Ratio >= Target : Ratio <= Target;

    public string Line()
    {
        var target = double.IsNaN(Target) ? "no target" : $"target {(HigherIsBetter ? ">=" : "<=")} {Target:0.00}";
        var verdict = MeetsTarget switch
        {
            true => "ok",
            false => "MISSED",
            null => "-",
        };
        return $"{Name,-18} raw {RawMedian,12:N1}  supervise {SuperviseMedian,12:N1}  {Unit,-14} ratio {Ratio,5:0.00}  ({target}) {verdict}";
    }
}
