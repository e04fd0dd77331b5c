using System.Diagnostics;
using Akka.Actor;

namespace Supervise.Benchmarks.Figures;

/// <summary>
/// A live upgrade of 1,000 children of one supervisor to a new version, no watch window, against the same stop-and-start
/// done by hand with the runtime API (terminate, delete, start with the new spec, one child after another). The "raw"
/// side here is that hand-made upgrade, not raw Akka.NET (which has no upgrade).
/// </summary>
internal sealed class Upgrade : Figure
{
    public override string Name => "upgrade";

    public override string Description => "upgrade 1,000 children (raw = by hand with the runtime API)";

    public override string Unit => "µs/child";

    public override bool HigherIsBetter => false;

    public override double Target => 1.20;

    public override async Task<(double Raw, double Supervise)> MeasureAsync(double scale, bool rawFirst)
    {
        var count = Scaled(1_000, scale, minimum: 2);
        return await Systems.MeasureInAsync("upgrade", async system =>
        {
            var byHand = await StartFleetAsync(system, "by-hand", count);
            var upgraded = await StartFleetAsync(system, "upgraded", count);
            double hand = 0, upgrade = 0;
            foreach (var side in rawFirst ? new[] { true, false } : [false, true])
            {
                if (side)
                {
                    hand = await TimeAsync(() => ByHandAsync(byHand.Root, count), count);
                }
                else
                {
                    upgrade = await TimeAsync(() => UpgradeAsync(upgraded.Root, count), count);
                }
            }

            await byHand.StopAsync();
            await upgraded.StopAsync();
            return (hand, upgrade);
        });
    }

    private static ChildSpec Child(int i, string version) => ChildSpec.Worker($"c{i}", Props.Create<Echo>()) with { Version = version };

    private static SupervisorSpec Fleet(int count, string version) =>
        new() { Intensity = int.MaxValue, Children = [.. Enumerable.Range(0, count).Select(i => Child(i, version))] };

    private static Task<SupervisionTree> StartFleetAsync(ActorSystem system, string name, int count) =>
        system.StartTreeAsync(Fleet(count, "1"), new TreeOptions { Name = name });

    private static async Task ByHandAsync(SupervisorHandle root, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await root.TerminateChildAsync($"c{i}");
            await root.DeleteChildAsync($"c{i}");
            if (await root.StartChildAsync(Child(i, "2")) is not StartChildResult.Started)
            {
                throw new InvalidOperationException($"c{i} did not start again");
            }
        }
    }

    private static async Task UpgradeAsync(SupervisorHandle root, int count)
    {
        var options = new UpgradeOptions { CanaryCount = 0, MaxOutOfService = count, WatchWindow = TimeSpan.Zero };
        if (await root.UpgradeAsync(Fleet(count, "2"), options) is not UpgradeResult.Completed)
        {
            throw new InvalidOperationException("the upgrade did not complete");
        }
    }

    private static async Task<double> TimeAsync(Func<Task> work, int count)
    {
        var watch = Stopwatch.StartNew();
        await work();
        return watch.Elapsed.TotalMicroseconds / count;
    }
}
