using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Chaos;

/// <summary>Several chaos runs on one tree at once: each report says what its own faults caused, apart from what the tree did.</summary>
public sealed class SeveralRunsTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task Each_of_two_runs_at_once_counts_the_restarts_and_losses_its_own_faults_caused()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 100, Children = [Worker("a0"), Worker("a1"), Worker("b0"), Worker("b1")] });
        ChaosOptions Run(int seed, string include) => new()
        {
            Seed = seed,
            EnvironmentName = "Test",
            Faults = [new FaultChoice(FaultKind.Crash, 2), new FaultChoice(FaultKind.Drop) { Count = 1 }],
            Targets = new FaultTargets { Include = [include] },
            Schedule = FaultSchedule.Fixed(S),
            MaxFaults = 6,
        };
        var a = await tree.StartChaosAsync(Run(1, "t/a*"));
        var b = await tree.StartChaosAsync(Run(2, "t/b*"));
        var a0 = await tree.Root.GetChildAsync("a0");
        var b0 = await tree.Root.GetChildAsync("b0");

        for (var i = 0; i < 40 && !(a.Completion.IsCompleted && b.Completion.IsCompleted); i++)
        {
            Time.Advance(S);
            await tree.WhenSettledAsync();
            a0.Tell("to a0"); // under an armed drop, lost and reported: the run that armed it caused it
            b0.Tell("to b0");
            await tree.WhenSettledAsync();
        }

        var (ra, rb) = (await a.Completion, await b.Completion);
        foreach (var (name, report) in new[] { ("a", ra), ("b", rb) })
        {
            var crashes = report.FaultsByKind.GetValueOrDefault(FaultKind.Crash);
            Assert.True(crashes > 0, $"run {name} crashed nothing:\n{report.ToText()}");
            Assert.Equal(crashes, report.Caused.Restarts); // one-for-one: one restart per crash, and none of the other run's
            var own = report.MessagesLostByChild.Where(k => k.Key.StartsWith("t/" + name, StringComparison.Ordinal)).Sum(k => k.Value);
            Assert.True(report.Caused.MessagesLost <= own, $"run {name} counts as its own a loss at the other run's children:\n{report.ToText()}");
        }

        // Each report also sees the other run's restarts (the tree's), but counts only its own as caused.
        Assert.True(ra.Restarts > ra.Caused.Restarts && rb.Restarts > rb.Caused.Restarts, $"{ra.ToText()}\n{rb.ToText()}");
        Assert.True(ra.Caused.Restarts + rb.Caused.Restarts <= Math.Max(ra.Restarts, rb.Restarts) + 1);
        Assert.True(ra.Caused.MessagesLost + rb.Caused.MessagesLost > 0, "the drops lost nothing: the test would not see a wrong attribution");
    }
}
