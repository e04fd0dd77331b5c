using System.Diagnostics;
using Akka.Actor;

namespace Supervise.Benchmarks.Figures;

/// <summary>Figure 4: 10,000 children of one all-for-one parent; one crashes; time until every one has restarted.</summary>
internal sealed class RestartStorm : SeparateFigure
{
    private const int FullCount = 10_000;

    public override string Name => "restart-storm";

    public override string Description => "restart storm: 10k children, one-for-all";

    public override string Unit => "ms";

    public override bool HigherIsBetter => false;

    public override double Target => 1.0;

    public override async Task<double> MeasureRawAsync(double scale)
    {
        var count = Scaled(FullCount, scale, 2);
        return await Systems.MeasureInAsync("raw", async system =>
        {
            var restarts = new Restarts();
            var parent = system.ActorOf(RawParent.With(Systems.RestartForever(allForOne: true)));
            var children = await parent.Ask<List<IActorRef>>(new CreateChildren(Props.Create(() => new StormChild(restarts)), count, "w"));
            var victim = children.First(c => c.Path.Name == "w0");
            await StormAsync(victim, restarts, count); // warm-up
            return await StormAsync(victim, restarts, count);
        });
    }

    public override async Task<double> MeasureSuperviseAsync(double scale)
    {
        var count = Scaled(FullCount, scale, 2);
        return await Systems.MeasureInAsync("supervise", async system =>
        {
            var restarts = new Restarts();
            var props = Props.Create(() => new StormChild(restarts));
            var tree = await system.StartTreeAsync(new SupervisorSpec
            {
                Strategy = Strategy.OneForAll,
                Intensity = int.MaxValue,
                Children = Enumerable.Range(0, count).Select(i => ChildSpec.Worker("w" + i, props)).ToList(),
            });
            var victim = (await tree.Root.WhichChildrenAsync())[0].Child!;
            await StormAsync(victim, restarts, count); // warm-up
            return await StormAsync(victim, restarts, count);
        });
    }

    private static async Task<double> StormAsync(IActorRef victim, Restarts restarts, int count)
    {
        // The storm's own work, not the collection of what starting 10,000 children left behind (a full collection that
        // fell inside one storm and not another made the figure swing by 20 to 50 ms on either side).
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var all = restarts.Expect(count);
        var watch = Stopwatch.StartNew();
        victim.Tell(new CrashNow());
        await all;
        return watch.Elapsed.TotalMilliseconds;
    }

    private sealed class Restarts
    {
        private int _count;
        private int _expected;
        private TaskCompletionSource _all = new();

        public Task Expect(int expected)
        {
            _all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _count, 0);
            Volatile.Write(ref _expected, expected);
            return _all.Task;
        }

        public void One()
        {
            if (Interlocked.Increment(ref _count) == Volatile.Read(ref _expected))
            {
                _all.TrySetResult();
            }
        }
    }

    private sealed class StormChild(Restarts restarts) : ActorBase
    {
        protected override void PostRestart(Exception reason) => restarts.One();

        protected override bool Receive(object message) => message is CrashNow ? throw new InvalidOperationException("storm") : false;
    }
}
