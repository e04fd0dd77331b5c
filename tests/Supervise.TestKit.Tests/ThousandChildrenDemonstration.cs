using Akka.Actor;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Testing.Tests;

/// <summary>
/// The promise at scale: 1,000 children under a mixed tree take 10,000 injected faults of every kind in
/// virtual time; the root survives, and every fault's effect stays inside its strategy's blast radius.
/// </summary>
public sealed class ThousandChildrenDemonstration : SuperviseTestKit
{
    private readonly ITestOutputHelper _output;

    public ThousandChildrenDemonstration(ITestOutputHelper output)
        : base(output) => _output = output;

    private static IEnumerable<ChildSpec> Workers(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => ChildSpec.Worker($"{prefix}{i}", Echo.Props));

    private static ChildSpec Group(string id, Strategy strategy, int workers) => ChildSpec.ForSupervisor(id, new SupervisorSpec
    {
        Strategy = strategy,
        Intensity = 3,
        Period = TimeSpan.FromSeconds(5),
        Children = Workers("w", workers).ToList(),
    });

    /// <summary>
    /// 300 one-for-one workers, 20 one-for-all groups and 20 rest-for-one groups of 10, and a dynamic
    /// supervisor with 300 sessions restarted with backoff: 1,000 workers under 43 supervisors, each with an intensity of 3 in 5 s.
    /// </summary>
    private static SupervisorSpec MixedTree() => new()
    {
        Intensity = 3,
        Period = TimeSpan.FromSeconds(5),
        Children =
        [
            ChildSpec.ForSupervisor("accounts", new SupervisorSpec { Intensity = 3, Period = TimeSpan.FromSeconds(5), Children = Workers("a", 300).ToList() }),
            ChildSpec.ForSupervisor("ledgers", new SupervisorSpec { Intensity = 3, Period = TimeSpan.FromSeconds(5), Children = Enumerable.Range(0, 20).Select(i => Group($"l{i}", Strategy.OneForAll, 10)).ToList() }),
            ChildSpec.ForSupervisor("pipelines", new SupervisorSpec { Intensity = 3, Period = TimeSpan.FromSeconds(5), Children = Enumerable.Range(0, 20).Select(i => Group($"p{i}", Strategy.RestForOne, 10)).ToList() }),
            ChildSpec.ForSupervisor("sessions", new DynamicSupervisorSpec(new ChildTemplate(_ => Echo.Props) { Policies = [Policy.Backoff(TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1)) with { Seed = 7 }] }) { Intensity = 3, Period = TimeSpan.FromSeconds(5) }),
        ],
    };

    [Fact]
    public async Task A_thousand_children_take_ten_thousand_faults_and_every_one_stays_inside_its_blast_radius()
    {
        var tree = await StartTreeAsync(MixedTree(), "demo");
        var sessions = await tree.GetSupervisorAsync("sessions");
        var started = await sessions.StartChildrenAsync(Enumerable.Range(0, 300).Select(i => (object?)i));
        Assert.All(started, s => Assert.IsType<StartChildResult.Started>(s));

        var options = new ChaosOptions
        {
            Seed = 2026,
            Faults =
            [
                new FaultChoice(FaultKind.Crash, 4),
                new FaultChoice(FaultKind.Kill),
                new FaultChoice(FaultKind.Stop),
                new FaultChoice(FaultKind.Poison),
                new FaultChoice(FaultKind.FailingRestart),
                new FaultChoice(FaultKind.Hang) { Duration = TimeSpan.FromMilliseconds(300) },
                new FaultChoice(FaultKind.Delay) { Duration = TimeSpan.FromMilliseconds(200) },
                new FaultChoice(FaultKind.Drop) { Count = 2 },
            ],
            Schedule = FaultSchedule.Poisson(TimeSpan.FromMilliseconds(100)),
            MaxConcurrentFaults = 4,
            StayBelowIntensity = true,
            MaxFaults = 10_000,
        };

        var report = await RunChaosAsync(tree, options, injectionTimes: int.MaxValue);
        _output.WriteLine(report.ToText());
        await tree.StopAsync().WaitAsync(TimeSpan.FromSeconds(30)); // nothing injected holds the stop

        Assert.Equal(10_000, report.Faults.Count);
        Assert.All(FaultKinds.OfChildren, kind => Assert.True(report.FaultsByKind.GetValueOrDefault(kind) > 0, $"no {kind} fault was injected"));
        Assert.True(report.FaultsByTarget.Count > 900, $"only {report.FaultsByTarget.Count} distinct children were hit");
        report.AssertRootSurvived().AssertIsolated().AssertRecoveredWithin(TimeSpan.FromSeconds(2));
        Assert.Contains(report.Faults, f => f.Restarted.Count == 10); // a one-for-all group restarted whole
        Assert.Equal(0, report.Escalations);
    }
}
