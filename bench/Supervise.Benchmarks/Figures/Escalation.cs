using System.Diagnostics;
using Akka.Actor;

namespace Supervise.Benchmarks.Figures;

/// <summary>
/// Figure 5: a tree 10 levels deep; the leaf crashes, every level below the top gives up (escalates), the
/// top restarts its subtree; time until a new leaf is up. No target: OTP's give-up stops each level's
/// children in order before failing, which Akka's escalation does not.
/// </summary>
internal sealed class Escalation : SeparateFigure
{
    private const int Depth = 10;

    public override string Name => "escalation-10";

    public override string Description => "escalation through 10 levels until a leaf answers";

    public override string Unit => "µs/escalation";

    public override bool HigherIsBetter => false;

    public override double Target => double.NaN;

    public override async Task<double> MeasureRawAsync(double scale)
    {
        return await Systems.MeasureInAsync("raw", async system =>
        {
            var leaves = new Leaves();
            var up = leaves.Next();
            system.ActorOf(Props.Create(() => new RawLevel(Depth, true, leaves)), "top");
            return await CyclesAsync(leaves, await up, scale);
        });
    }

    public override async Task<double> MeasureSuperviseAsync(double scale)
    {
        return await Systems.MeasureInAsync("supervise", async system =>
        {
            var leaves = new Leaves();
            var up = leaves.Next();
            SupervisionSpec spec = new SupervisorSpec { Intensity = 0, Children = [ChildSpec.Worker("leaf", Props.Create(() => new Leaf(leaves)))] };
            for (var level = 1; level < Depth - 2; level++)
            {
                spec = new SupervisorSpec { Intensity = 0, Children = [ChildSpec.ForSupervisor("l", spec)] };
            }

            await system.StartTreeAsync(new SupervisorSpec { Intensity = int.MaxValue, Children = [ChildSpec.ForSupervisor("l", spec)] }, new TreeOptions { Name = "top" });
            return await CyclesAsync(leaves, await up, scale);
        });
    }

    private static async Task<double> CyclesAsync(Leaves leaves, IActorRef leaf, double scale)
    {
        var cycles = Scaled(300, scale);
        var watch = new Stopwatch();
        for (var i = 0; i < cycles + 20; i++)
        {
            if (i == 20)
            {
                watch.Start(); // after a warm-up
            }

            var up = leaves.Next();
            leaf.Tell(new CrashNow());
            leaf = await up;
        }

        return watch.Elapsed.TotalMicroseconds / cycles;
    }

    private sealed class Leaves
    {
        private TaskCompletionSource<IActorRef> _next = new();

        public Task<IActorRef> Next()
        {
            _next = new TaskCompletionSource<IActorRef>(TaskCreationOptions.RunContinuationsAsynchronously);
            return _next.Task;
        }

        public void Up(IActorRef leaf) => _next.TrySetResult(leaf);
    }

    private sealed class Leaf(Leaves leaves) : ActorBase
    {
        protected override void PreStart() => leaves.Up(Self);

        protected override bool Receive(object message) => message is CrashNow ? throw new InvalidOperationException("leaf") : false;
    }

    /// <summary>Raw Akka.NET: every level escalates, the top restarts; PreStart re-creates the level below.</summary>
    private sealed class RawLevel(int level, bool top, Leaves leaves) : ActorBase
    {
        protected override SupervisorStrategy SupervisorStrategy() => top
            ? Systems.RestartForever()
            : new OneForOneStrategy(_ => Directive.Escalate);

        protected override void PreStart()
        {
            Context.ActorOf(level > 2
                ? Props.Create(() => new RawLevel(level - 1, false, leaves))
                : Props.Create(() => new Leaf(leaves)), level > 2 ? "l" : "leaf");
        }

        protected override void PreRestart(Exception reason, object message)
        {
            foreach (var child in Context.GetChildren())
            {
                Context.Stop(child);
            }
        }

        protected override bool Receive(object message) => false;
    }
}
