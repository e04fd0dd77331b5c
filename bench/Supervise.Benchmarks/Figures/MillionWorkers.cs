using System.Diagnostics;
using Akka.Actor;

namespace Supervise.Benchmarks.Figures;

/// <summary>
/// Figure 8: a million supervised workers, 1,000 supervisors of 1,000, started until every worker has run its
/// PreStart: the time, and the managed bytes the started system holds (DESIGN.md: under 2.3 GB). Supervise starts a
/// static spec in OTP's order (each child fully started before the next); raw Akka.NET makes 1,000 parents of 1,000
/// children, concurrently.
/// </summary>
internal sealed class MillionWorkers(bool bytes) : SeparateFigure
{
    private const int FullSide = 1_000;

    public override string Name => bytes ? "million-bytes" : "million-time";

    public override string Description => bytes
        ? "1M workers (1,000 supervisors of 1,000): managed MB once started (limit 2.3 GB)"
        : "1M workers (1,000 supervisors of 1,000): start time";

    public override string Unit => bytes ? "MB" : "ms";

    public override bool HigherIsBetter => false;

    public override double Target => double.NaN;

    public override async Task<double> MeasureRawAsync(double scale)
    {
        var side = Side(scale);
        return await Systems.MeasureInAsync("raw", async system =>
        {
            var started = new Started(side * side);
            var props = Props.Create(() => new Counted(started));
            var before = Baseline();
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < side; i++)
            {
                system.ActorOf(RawParent.With(Systems.RestartForever()), "s" + i).Tell(new CreateChildren(props, side, "w"));
            }

            await started.All.Task;
            return Result(watch, before);
        });
    }

    public override async Task<double> MeasureSuperviseAsync(double scale)
    {
        var side = Side(scale);
        return await Systems.MeasureInAsync("supervise", async system =>
        {
            var started = new Started(side * side);
            var props = Props.Create(() => new Counted(started));
            var workers = Enumerable.Range(0, side).Select(i => ChildSpec.Worker("w" + i, props)).ToList();
            var spec = new SupervisorSpec
            {
                Children = Enumerable.Range(0, side).Select(i => ChildSpec.ForSupervisor("s" + i, new SupervisorSpec { Children = workers })).ToList(),
            };
            var before = Baseline();
            var watch = Stopwatch.StartNew();
            await system.StartTreeAsync(spec);
            await started.All.Task;
            return Result(watch, before);
        });
    }

    private static int Side(double scale) => Math.Max(2, (int)(FullSide * Math.Sqrt(scale)));

    private long Baseline() => bytes ? GC.GetTotalMemory(forceFullCollection: true) : 0;

    private double Result(Stopwatch watch, long before)
    {
        watch.Stop();
        return bytes ? (GC.GetTotalMemory(forceFullCollection: true) - before) / 1e6 : watch.Elapsed.TotalMilliseconds;
    }
}
