using Akka.Actor;

namespace Supervise.Benchmarks;

/// <summary>Paired measurement: both sides in one actor system, in short alternating chunks.</summary>
internal static class Paired
{
    /// <summary>
    /// Runs <paramref name="chunks"/> chunks of each side, alternating which goes first, and sums each
    /// side's time, so drift affects both alike. <paramref name="measure"/> gets true for raw.
    /// </summary>
    public static async Task<(TimeSpan Raw, TimeSpan Supervise)> AlternateAsync(int chunks, Func<bool, Task<TimeSpan>> measure)
    {
        var raw = TimeSpan.Zero;
        var supervise = TimeSpan.Zero;
        for (var i = 0; i < chunks; i++)
        {
            var rawFirst = i % 2 == 0;
            var first = await measure(rawFirst);
            var second = await measure(!rawFirst);
            raw += rawFirst ? first : second;
            supervise += rawFirst ? second : first;
        }

        return (raw, supervise);
    }

    /// <summary>One echo under a raw Akka.NET parent and one under a Supervise supervisor made from <paramref name="spec"/>.</summary>
    public static async Task<(IActorRef Raw, IActorRef Supervised)> EchoesAsync(ActorSystem system, SupervisorSpec spec)
    {
        var parent = system.ActorOf(RawParent.With(Systems.RestartForever()));
        var raw = (await parent.Ask<List<IActorRef>>(new CreateChildren(Echo.Props, 1, "echo")))[0];
        var tree = await system.StartTreeAsync(spec with { Children = [ChildSpec.Worker("echo", Echo.Props)] });
        // Callers hold the child's stable address, which follows it across restarts.
        return (raw, await tree.Root.GetChildAsync("echo"));
    }

    /// <summary>How long <paramref name="work"/> takes.</summary>
    public static async Task<TimeSpan> TimeAsync(Func<Task> work)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        await work();
        return watch.Elapsed;
    }
}
