using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Chaos;

/// <summary>
/// In real time a burst's faults go out together (one walk of the targets, the supervisors asked at once): each on a target
/// of its own, none above or under another of the same burst, journaled in the order they were numbered.
/// </summary>
public sealed class BurstTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_burst_in_real_time_hits_as_many_different_children_as_it_has_faults_and_journals_them_in_order()
    {
        var tree = await Sys.StartTreeAsync(
            new SupervisorSpec { Intensity = 1_000, Children = Enumerable.Range(0, 16).Select(i => Worker($"w{i}")).ToList() },
            new TreeOptions { Name = "burst", TimeProvider = TimeProvider.System });
        var injector = await tree.StartChaosAsync(new ChaosOptions
        {
            Seed = 11,
            EnvironmentName = "Test",
            Schedule = FaultSchedule.Fixed(TimeSpan.FromMilliseconds(10)) with { Burst = 16 },
            MaxConcurrentFaults = 16,
            MaxFaults = 16,
        });

        var report = await injector.Completion.WaitAsync(Bound);
        var journal = report.Journal.Faults;
        Assert.True(report.CarriedOut == 16, $"seed 11:\n{report.ToText()}");
        Assert.Equal(Enumerable.Range(1, journal.Count).Select(i => (long)i), journal.Select(f => f.Sequence));
        Assert.Equal(16, journal.Where(f => f.Skipped is null).Select(f => f.Target).Distinct().Count());
        await tree.StopAsync();
    }

    [Fact]
    public async Task Faults_that_hold_no_place_do_not_count_against_MaxConcurrentFaults_in_a_burst()
    {
        // A delay is armed and over at once (it holds no place), as one at a time in virtual time: both of the burst's are carried out.
        var tree = await Sys.StartTreeAsync(
            new SupervisorSpec { Children = [Worker("a"), Worker("b")] },
            new TreeOptions { Name = "delays", TimeProvider = TimeProvider.System });
        var injector = await tree.StartChaosAsync(new ChaosOptions
        {
            Seed = 5,
            EnvironmentName = "Test",
            Faults = [new FaultChoice(FaultKind.Delay) { Duration = TimeSpan.FromMilliseconds(10) }],
            Schedule = FaultSchedule.Fixed(TimeSpan.FromMilliseconds(200)) with { Burst = 2 },
            MaxConcurrentFaults = 1,
        });

        await injector.WhenJournaledAsync(2).WaitAsync(Bound);
        var report = await injector.StopAsync().WaitAsync(Bound);
        Assert.True(report.Journal.Faults.Take(2).All(f => f.Skipped is null), $"seed 5:\n{report.ToText()}");
        await tree.StopAsync();
    }

    [Fact]
    public async Task A_burst_in_real_time_never_hits_a_supervisor_and_a_child_under_it_together()
    {
        var tree = await Sys.StartTreeAsync(
            new SupervisorSpec
            {
                Intensity = 1_000,
                Children =
                [
                    ChildSpec.ForSupervisor("s", new SupervisorSpec { Intensity = 1_000, Children = [Worker("x"), Worker("y")] }),
                    Worker("z"),
                ],
            },
            new TreeOptions { Name = "nested", TimeProvider = TimeProvider.System });
        for (var seed = 1; seed <= 10; seed++)
        {
            var injector = await tree.StartChaosAsync(new ChaosOptions
            {
                Seed = seed,
                EnvironmentName = "Test",
                Targets = new FaultTargets { IncludeSupervisors = true },
                Schedule = FaultSchedule.Fixed(TimeSpan.FromMilliseconds(200)) with { Burst = 4 },
                MaxConcurrentFaults = 4,
            });

            // One burst: its four entries journaled, then the run ends. On a slow start, the injection times already due
            // go out one after the other (each a burst of four entries): the rule holds within each burst.
            await injector.WhenJournaledAsync(4).WaitAsync(Bound);
            var report = await injector.StopAsync().WaitAsync(Bound);
            Assert.True(report.Journal.Faults.Any(f => f.Skipped is null), $"seed {seed}: nothing hit\n{report.ToText()}");
            foreach (var burst in report.Journal.Faults.GroupBy(f => (f.Sequence - 1) / 4))
            {
                var hit = burst.Where(f => f.Skipped is null).Select(f => f.Target).ToList();
                foreach (var a in hit)
                {
                    Assert.False(hit.Any(b => b != a && b.StartsWith(a + "/", StringComparison.Ordinal)), $"seed {seed}: {string.Join(", ", report.Journal.Faults)}");
                }

                Assert.Equal(hit.Count, hit.Distinct().Count());
            }
            await tree.WhenSettledAsync();
        }

        await tree.StopAsync();
    }
}
