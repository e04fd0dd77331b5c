using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Reliability;

/// <summary>A report that says "not recovered" says why, so that a reader can tell a real failure to recover from the run's edge (issue 10).</summary>
public sealed class RecoveryAccountingTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);

    /// <summary>One crash on <paramref name="target"/> at 1 s, then the run is stopped.</summary>
    private async Task<ChaosReport> OneFaultAsync(SupervisionTree tree, string target, FaultKind kind)
    {
        var injector = await tree.StartChaosAsync(new ChaosOptions
        {
            Seed = 3,
            EnvironmentName = "Test",
            Faults = [new FaultChoice(kind)],
            Targets = new FaultTargets { Include = [target] },
            Schedule = FaultSchedule.Fixed(S) with { Windows = [(TimeSpan.Zero, TimeSpan.FromSeconds(1.5))] },
        });
        Time.Advance(S);
        await injector.WhenJournaledAsync(1).WaitAsync(TimeSpan.FromSeconds(10));
        await tree.WhenSettledAsync();
        return await injector.StopAsync();
    }

    [Fact]
    public async Task A_child_contained_by_its_policy_is_not_recovered_because_of_the_policy()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 0, Children = [Worker("x") with { Policies = [Policy.Isolate()] }, Worker("y")] });

        var report = await OneFaultAsync(tree, "t/x", FaultKind.Crash);

        var outcome = Assert.Single(report.Faults);
        Assert.Null(outcome.RecoveredAfter);
        Assert.Equal("its isolate policy stopped it: Down until started again by hand", outcome.NotRecoveredBecause);
        Assert.Contains("not recovered: 1 because its isolate policy stopped it", report.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_temporary_child_that_was_killed_is_not_recovered_because_it_is_not_restarted()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("x") with { Restart = RestartType.Temporary }, Worker("y")] });

        var report = await OneFaultAsync(tree, "t/x", FaultKind.Kill);

        Assert.Equal("it stopped and was not started again (its restart type, or it was removed)", Assert.Single(report.Faults).NotRecoveredBecause);
    }

    [Fact]
    public async Task A_recovered_fault_gives_no_reason()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("x"), Worker("y")] });

        var report = await OneFaultAsync(tree, "t/x", FaultKind.Crash);

        var outcome = Assert.Single(report.Faults);
        Assert.NotNull(outcome.RecoveredAfter);
        Assert.Null(outcome.NotRecoveredBecause);
        Assert.DoesNotContain("not recovered:", report.ToText(), StringComparison.Ordinal);
    }
}
