using System.Diagnostics;
using Akka.Actor;

namespace Supervise.Benchmarks.Figures;

/// <summary>
/// Figure 3: start 100,000 children under one parent, until every one has run its constructor and
/// PreStart. Supervise starts them as one batch of a dynamic supervisor (concurrently, as raw Akka.NET
/// does); <see cref="Measure.OrderedTime"/> instead starts a static spec of 100,000 children in OTP's
/// order, each fully started before the next, which has no raw equivalent and no target.
/// </summary>
internal sealed class StartMany(StartMany.Measure measure) : SeparateFigure
{
    public enum Measure
    {
        Time,
        Bytes,
        OrderedTime,
    }

    private const int FullCount = 100_000;

    /// <summary>
    /// Bytes are read from the live heap, which moves by tens of kilobytes on its own (an actor system
    /// settling): below a few thousand children that noise is larger than what is measured, and can make
    /// it negative. So the bytes figure never runs on fewer than this many, whatever the scale.
    /// </summary>
    private const int MinBytesCount = 5_000;

    public override string Name => measure switch
    {
        Measure.Time => "start-100k-time",
        Measure.Bytes => "start-100k-bytes",
        _ => "start-100k-ordered",
    };

    public override string Description => measure switch
    {
        Measure.Time => "start 100k supervised children: time",
        Measure.Bytes => "start 100k supervised children: bytes per child",
        _ => "start 100k children in OTP order (static spec): time",
    };

    public override string Unit => measure == Measure.Bytes ? "bytes/child" : "ms";

    public override bool HigherIsBetter => false;

    public override double Target => measure switch
    {
        Measure.Time => 1.15,
        Measure.Bytes => 1.10,
        _ => double.NaN,
    };

    public override async Task<double> MeasureRawAsync(double scale)
    {
        var count = Count(scale);
        return await Systems.MeasureInAsync("raw", async system =>
        {
            var started = new Started(count);
            var props = Props.Create(() => new Counted(started));
            var parent = system.ActorOf(RawParent.With(Systems.RestartForever()));
            await parent.Ask<List<IActorRef>>(new CreateChildren(Echo.Props, 1, "warm"));
            var before = Baseline();
            var watch = Stopwatch.StartNew();
            parent.Tell(new CreateChildren(props, count, "w"));
            await started.All.Task;
            return Result(watch, before, count);
        });
    }

    public override async Task<double> MeasureSuperviseAsync(double scale)
    {
        var count = Count(scale);
        return await Systems.MeasureInAsync("supervise", async system =>
        {
            var started = new Started(measure == Measure.OrderedTime ? count : count + 1);
            var props = Props.Create(() => new Counted(started));
            if (measure == Measure.OrderedTime)
            {
                var spec = new SupervisorSpec { Children = Enumerable.Range(0, count).Select(i => ChildSpec.Worker("w" + i, props)).ToList() };
                var orderedWatch = Stopwatch.StartNew();
                await system.StartTreeAsync(spec);
                await started.All.Task;
                return Result(orderedWatch, 0, count);
            }

            var tree = await system.StartTreeAsync(new DynamicSupervisorSpec(new ChildTemplate(_ => props)));
            await tree.Root.StartChildrenAsync([null]); // warm-up, and the supervisor is up
            var args = new object?[count];
            var before = Baseline();
            var watch = Stopwatch.StartNew();
            await tree.Root.StartChildrenAsync(args);
            await started.All.Task;
            return Result(watch, before, count);
        });
    }

    /// <summary>
    /// Time only: both sides in one actor system, 10 alternating chunks of a tenth of the children each
    /// (a fresh parent or dynamic supervisor per chunk, stopped afterwards); each side's total time.
    /// </summary>
    public override Task<(double Raw, double Supervise)> MeasureAsync(double scale, bool rawFirst) =>
        measure == Measure.Time ? PairedAsync(scale) : base.MeasureAsync(scale, rawFirst);

    private static Task<(double Raw, double Supervise)> PairedAsync(double scale) => Systems.MeasureInAsync("paired", async system =>
    {
        var chunk = Scaled(FullCount / 10, scale);
        var round = 0;
        await RawChunkAsync(system, chunk, round++); // warm-up
        await SuperviseChunkAsync(system, chunk, round++);
        var (raw, supervise) = await Paired.AlternateAsync(10, isRaw => isRaw ? RawChunkAsync(system, chunk, round++) : SuperviseChunkAsync(system, chunk, round++));
        return (raw.TotalMilliseconds, supervise.TotalMilliseconds);
    });

    private static async Task<TimeSpan> RawChunkAsync(ActorSystem system, int count, int round)
    {
        var started = new Started(count);
        var props = Props.Create(() => new Counted(started));
        var parent = system.ActorOf(RawParent.With(Systems.RestartForever()), "raw-" + round);
        var watch = Stopwatch.StartNew();
        parent.Tell(new CreateChildren(props, count, "w"));
        await started.All.Task;
        var elapsed = watch.Elapsed;
        await parent.GracefulStop(TimeSpan.FromMinutes(1));
        return elapsed;
    }

    private static async Task<TimeSpan> SuperviseChunkAsync(ActorSystem system, int count, int round)
    {
        var started = new Started(count);
        var props = Props.Create(() => new Counted(started));
        var tree = await system.StartTreeAsync(new DynamicSupervisorSpec(new ChildTemplate(_ => props)), new TreeOptions { Name = "supervise-" + round, StopWithActorSystem = false });
        var args = new object?[count];
        var watch = Stopwatch.StartNew();
        await tree.Root.StartChildrenAsync(args);
        await started.All.Task;
        var elapsed = watch.Elapsed;
        await tree.StopAsync();
        return elapsed;
    }

    private int Count(double scale) => measure == Measure.Bytes ? Math.Max(MinBytesCount, Scaled(FullCount, scale)) : Scaled(FullCount, scale);

    private long Baseline() => measure == Measure.Bytes ? GC.GetTotalMemory(forceFullCollection: true) : 0;

    private double Result(Stopwatch watch, long before, int count)
    {
        watch.Stop();
        return measure == Measure.Bytes
            ? (GC.GetTotalMemory(forceFullCollection: true) - before) / (double)count
            : watch.Elapsed.TotalMilliseconds;
    }
}
