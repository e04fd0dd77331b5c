using Akka.Actor;

namespace Supervise.Benchmarks.Figures;

/// <summary>Figure 1: a worker crashes on a message, is restarted in place, and answers the ping queued behind the crash.</summary>
internal sealed class RestartCycle : Figure
{
    public override string Name => "restart-cycle";

    public override string Description => "restart cycle: crash -> restarted child answers";

    public override string Unit => "µs/cycle";

    public override bool HigherIsBetter => false;

    public override double Target => 1.10;

    /// <summary>Both children in one system; 20 alternating chunks each; µs per cycle from each side's total time.</summary>
    public override Task<(double Raw, double Supervise)> MeasureAsync(double scale, bool rawFirst) => PairedAsync(scale);

    private static Task<(double Raw, double Supervise)> PairedAsync(double scale) => Systems.MeasureInAsync("paired", async system =>
    {
        var (raw, supervised) = await Paired.EchoesAsync(system, new SupervisorSpec { Intensity = int.MaxValue, Period = TimeSpan.FromMilliseconds(100) });
        await RunCyclesAsync(system, raw, Scaled(10_000, scale));
        await RunCyclesAsync(system, supervised, Scaled(10_000, scale));
        var chunk = Scaled(5_000, scale);
        var (rawTime, superviseTime) = await Paired.AlternateAsync(20, isRaw => Paired.TimeAsync(() => RunCyclesAsync(system, isRaw ? raw : supervised, chunk)));
        return (rawTime.TotalMicroseconds / (20 * chunk), superviseTime.TotalMicroseconds / (20 * chunk));
    });

    private static async Task RunCyclesAsync(ActorSystem system, IActorRef child, int cycles)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cycler = system.ActorOf(Props.Create(() => new Cycler(child, cycles, done)));
        cycler.Tell("go");
        await done.Task;
        system.Stop(cycler);
    }

    /// <summary>Sends a crash and then a ping; the ping waits in the mailbox through the restart.</summary>
    private sealed class Cycler(IActorRef child, int cycles, TaskCompletionSource done) : ActorBase
    {
        protected override bool Receive(object message)
        {
            switch (message)
            {
                case "go":
                    Next(0);
                    return true;
                case Pong pong when pong.N + 1 >= cycles:
                    done.TrySetResult();
                    return true;
                case Pong pong:
                    Next(pong.N + 1);
                    return true;
                default:
                    return false;
            }
        }

        private void Next(int n)
        {
            child.Tell(new CrashNow());
            child.Tell(new Ping(n));
        }
    }
}
