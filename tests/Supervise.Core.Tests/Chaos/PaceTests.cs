using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Chaos;

/// <summary>
/// A schedule faster than the injector can serve is not silently slowed down: the report says how far behind its schedule
/// the injector ended, and what limits it.
/// </summary>
public sealed class PaceTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_run_that_kept_up_with_its_schedule_is_not_behind()
    {
        var (tree, injector) = await StartAsync(FaultSchedule.Fixed(S));
        for (var i = 0; i < 10 && !injector.Completion.IsCompleted; i++)
        {
            Time.Advance(S);
            Assert.True(await tree.WhenSettledAsync(TimeSpan.FromSeconds(30)), "the tree did not settle after the clock moved"); // on a loaded machine, 3 s of real time may not do
        }

        var report = await injector.Completion.WaitAsync(Bound);
        Assert.Equal((TimeSpan.Zero, 4), (report.BehindSchedule, report.CarriedOut + report.Skipped));
        Assert.DoesNotContain("pace:", report.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_run_whose_injection_times_were_not_reached_says_how_far_behind_it_ended()
    {
        // Time jumps past the run's end before the injector served its first injection time (10 ms): as a tree too busy
        // to answer would leave it, every injection time from there to the end was never reached.
        var (_, injector) = await StartAsync(FaultSchedule.Fixed(TimeSpan.FromMilliseconds(10)));
        Time.Advance(10 * S);

        var report = await injector.Completion.WaitAsync(Bound);
        Assert.Equal(5 * S - TimeSpan.FromMilliseconds(10), report.BehindSchedule);
        Assert.Contains("the injector ended 4.99 s behind its schedule", report.ToText(), StringComparison.Ordinal);
    }

    private async Task<(SupervisionTree Tree, FaultInjector Injector)> StartAsync(FaultSchedule schedule)
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 100, Children = [Worker("a"), Worker("b")] });
        var injector = await tree.StartChaosAsync(new ChaosOptions { Seed = 3, EnvironmentName = "Test", Schedule = schedule, Duration = 5 * S });
        return (tree, injector);
    }
}
