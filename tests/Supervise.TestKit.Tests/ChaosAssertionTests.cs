using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Testing.Tests;

/// <summary>The kit tests itself: each assertion passes on a tree that keeps its promise and fails, saying why, on one that does not.</summary>
public sealed class ChaosAssertionTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    private static ChildSpec Worker(string id) => ChildSpec.Worker(id, Echo.Props);

    private static ChaosOptions Crashes(int seed = 11) => new()
    {
        Seed = seed,
        Schedule = FaultSchedule.Poisson(TimeSpan.FromSeconds(5)),
        MaxConcurrentFaults = 1,
    };

    private static SupervisorSpec Mixed() => new()
    {
        Intensity = 1000,
        Period = TimeSpan.FromSeconds(1),
        Children =
        [
            Worker("a"),
            ChildSpec.ForSupervisor("all", new SupervisorSpec { Strategy = Strategy.OneForAll, Intensity = 1000, Period = TimeSpan.FromSeconds(1), Children = [Worker("x"), Worker("y")] }),
            ChildSpec.ForSupervisor("rest", new SupervisorSpec { Strategy = Strategy.RestForOne, Intensity = 1000, Period = TimeSpan.FromSeconds(1), Children = [Worker("p"), Worker("q"), Worker("r")] }),
        ],
    };

    [Fact]
    public async Task A_tree_that_keeps_its_promise_passes_every_assertion()
    {
        var tree = await StartTreeAsync(Mixed());

        var report = await RunChaosAsync(tree, Crashes(), injectionTimes: 40, step: TimeSpan.FromSeconds(1));

        report.AssertIsolated().AssertRootSurvived().AssertRecoveredWithin(TimeSpan.FromSeconds(1)).AssertNoMessagesLost();
        Assert.True(report.Faults.Count >= 30, report.ToText());
        Assert.Contains(report.Faults, f => f.Restarted.Count > 1); // one-for-all and rest-for-one radii were exercised
    }

    [Fact]
    public async Task A_tree_whose_faults_escalate_fails_AssertIsolated_naming_the_fault_and_the_seed()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Intensity = 1000,
            Children = [ChildSpec.ForSupervisor("fragile", new SupervisorSpec { Intensity = 0, Children = [Worker("w")] })],
        });

        var report = await RunChaosAsync(tree, Crashes(seed: 5), injectionTimes: 3);
        var error = Assert.Throws<ChaosAssertionException>(() => report.AssertIsolated());

        Assert.Matches(@"expected every fault isolated; \d+ were not\. The first: fault 1 \(Crash on test/fragile/w at [\d.]+ s\) made its supervisor give up \(escalated past \[w\]\)\. Seed 5 replays the run", error.Message);
        report.AssertIsolated(allowEscalation: true).AssertRootSurvived();
    }

    [Fact]
    public async Task A_root_that_gives_up_fails_AssertRootSurvived()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 0, Children = [Worker("w")] });

        var report = await RunChaosAsync(tree, Crashes(), injectionTimes: 2);
        var error = Assert.Throws<ChaosAssertionException>(() => report.AssertRootSurvived());

        Assert.StartsWith("expected the root to survive; the tree stopped (GaveUp), after fault 1 (Crash on test/w", error.Message);
    }

    [Fact]
    public async Task A_slow_recovery_fails_AssertRecoveredWithin()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Children = [Worker("w") with { Policies = [Policy.Backoff(TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(3)) with { Jitter = 0 }] }],
        });

        var report = await RunChaosAsync(tree, Crashes() with { Schedule = FaultSchedule.Fixed(TimeSpan.FromSeconds(10)) }, injectionTimes: 2);

        report.AssertRecoveredWithin(TimeSpan.FromSeconds(3.2));
        var error = Assert.Throws<ChaosAssertionException>(() => report.AssertRecoveredWithin(TimeSpan.FromSeconds(2)));
        Assert.Matches(@"expected every fault to recover within 2000 ms; fault 1 \(Crash on test/w at 10 s\) took 3\d\d\d(\.\d)? ms", error.Message);
    }

    [Fact]
    public async Task Dropped_messages_fail_AssertNoMessagesLost_naming_the_child()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] });
        var w = await tree.Root.GetChildAsync("w");
        var injector = await tree.StartChaosAsync(Crashes() with { EnvironmentName = "Test", Faults = [new FaultChoice(FaultKind.Drop) { Count = 2 }], Schedule = FaultSchedule.Fixed(TimeSpan.FromSeconds(1)) });
        Time.Advance(TimeSpan.FromSeconds(1));
        await injector.WhenJournaledAsync(1);
        w.Tell("lost 1");
        w.Tell("lost 2");
        ExpectSupervisionEvent<MessageDropped>();
        ExpectSupervisionEvent<MessageDropped>();

        var report = await injector.StopAsync();
        var error = Assert.Throws<ChaosAssertionException>(() => report.AssertNoMessagesLost());

        Assert.StartsWith("expected no message lost; 2 were, 2 of them sent to test/w.", error.Message);
    }

    [Fact]
    public async Task The_expectations_see_restarts_escalations_and_health()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Children = [Worker("a"), ChildSpec.ForSupervisor("inner", new SupervisorSpec { Intensity = 0, Children = [Worker("b")] })],
        });
        var b = await tree.GetChildAsync("inner", "b");

        b.Tell(Kill.Instance);

        ExpectEscalation("test/inner");
        ExpectChildRestarted("test/inner");
        await ExpectHealthAsync(tree, "test", HealthState.Running);
        await ExpectHealthAsync(tree, "test/inner/b", HealthState.Running);
        await ExpectNoRestartsUnderAsync(tree, "test/a");
    }
}
