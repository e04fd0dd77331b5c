using Akka.Actor;

namespace Supervise.Benchmarks.Figures;

/// <summary>Figure 2: round trips per second to a supervised child, through the reference callers hold.</summary>
internal sealed class PingPong : Figure
{
    public override string Name => "ping-pong";

    public override string Description => "ping-pong through a supervised child's address";

    public override string Unit => "round trips/s";

    public override bool HigherIsBetter => true;

    public override double Target => 0.97;

    /// <summary>Both echoes in one system; 20 alternating chunks each; throughput from each side's total time.</summary>
    public override Task<(double Raw, double Supervise)> MeasureAsync(double scale, bool rawFirst) => PairedAsync(scale);

    private static Task<(double Raw, double Supervise)> PairedAsync(double scale) => Systems.MeasureInAsync("paired", async system =>
    {
        var (raw, supervised) = await Paired.EchoesAsync(system, new SupervisorSpec());
        await PingAsync(system, raw, Scaled(200_000, scale));
        await PingAsync(system, supervised, Scaled(200_000, scale));
        var chunk = Scaled(100_000, scale);
        var (rawTime, superviseTime) = await Paired.AlternateAsync(20, isRaw => Paired.TimeAsync(() => PingAsync(system, isRaw ? raw : supervised, chunk)));
        return (20 * chunk / rawTime.TotalSeconds, 20 * chunk / superviseTime.TotalSeconds);
    });

    private static async Task PingAsync(ActorSystem system, IActorRef target, int rounds)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pinger = system.ActorOf(Props.Create(() => new Pinger(target, rounds, done)));
        pinger.Tell("go");
        await done.Task;
        system.Stop(pinger);
    }
}
