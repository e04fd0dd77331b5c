using System.Diagnostics;
using Akka.Actor;

namespace Supervise.Benchmarks.Figures;

/// <summary>Figure 2: round trips per second to a supervised child, through the reference callers hold.</summary>
internal sealed class PingPong : Figure
{
    public override string Name => "ping-pong";

    public override string Description => "ping-pong through a supervised child's address";

    public override string Unit => "round trips/s";

    public override bool HigherIsBetter => true;

    public override double Target => 0.95;

    public override async Task<double> MeasureRawAsync(double scale)
    {
        return await Systems.MeasureInAsync("raw", async system =>
        {
            var parent = system.ActorOf(RawParent.With(Systems.RestartForever()));
            var children = await parent.Ask<List<IActorRef>>(new CreateChildren(Echo.Props, 1, "echo"));
            return await RoundTripsAsync(system, children[0], scale);
        });
    }

    public override async Task<double> MeasureSuperviseAsync(double scale)
    {
        return await Systems.MeasureInAsync("supervise", async system =>
        {
            var tree = await system.StartTreeAsync(new SupervisorSpec { Children = [ChildSpec.Worker("echo", Echo.Props)] });
            var child = (await tree.Root.WhichChildrenAsync())[0].Child!;
            return await RoundTripsAsync(system, child, scale);
        });
    }

    /// <summary>Both echoes in one system; 20 alternating chunks each; throughput from each side's total time.</summary>
    public override Task<(double Raw, double Supervise)>? MeasurePairedAsync(double scale) => PairedAsync(scale);

    private static Task<(double Raw, double Supervise)> PairedAsync(double scale) => Paired.InSystemAsync(async system =>
    {
        var (raw, supervised) = await Paired.EchoesAsync(system, new SupervisorSpec());
        await PingAsync(system, raw, Scaled(200_000, scale));
        await PingAsync(system, supervised, Scaled(200_000, scale));
        var chunk = Scaled(100_000, scale);
        var (rawTime, superviseTime) = await Paired.AlternateAsync(20, isRaw => TimeAsync(system, isRaw ? raw : supervised, chunk));
        return (20 * chunk / rawTime.TotalSeconds, 20 * chunk / superviseTime.TotalSeconds);
    });

    private static async Task<TimeSpan> TimeAsync(ActorSystem system, IActorRef target, int rounds)
    {
        var watch = Stopwatch.StartNew();
        await PingAsync(system, target, rounds);
        return watch.Elapsed;
    }

    private static async Task<double> RoundTripsAsync(ActorSystem system, IActorRef target, double scale)
    {
        await PingAsync(system, target, Scaled(200_000, scale)); // warm-up
        var rounds = Scaled(2_000_000, scale);
        var watch = Stopwatch.StartNew();
        await PingAsync(system, target, rounds);
        return rounds / watch.Elapsed.TotalSeconds;
    }

    private static async Task PingAsync(ActorSystem system, IActorRef target, int rounds)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pinger = system.ActorOf(Props.Create(() => new Pinger(target, rounds, done)));
        pinger.Tell("go");
        await done.Task;
        system.Stop(pinger);
    }
}
