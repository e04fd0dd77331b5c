using Akka.Actor;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Testing.Tests.Docs;

// The code of docs/guides/chaos-tests.md. Each ```csharp block in that page is a verbatim excerpt of this
// file (DocSnippetTests in Supervise.Core.Tests checks it), so the guide's examples compile and run as tests.
public sealed class CheckoutChaosTests : SuperviseTestKit
{
    public CheckoutChaosTests(ITestOutputHelper output)
        : base(output)
    {
    }

    public sealed class Worker : ReceiveActor
    {
        public Worker() => ReceiveAny(m => Sender.Tell(m));
    }

    private static SupervisorSpec Checkout() => new()
    {
        Intensity = 5,
        Children =
        [
            ChildSpec.Worker("cart", Props.Create<Worker>()),
            ChildSpec.ForSupervisor("payment", new SupervisorSpec
            {
                Strategy = Strategy.RestForOne,     // the gateway first: if it goes, the rest restart after it
                Intensity = 5,
                Children =
                [
                    ChildSpec.Worker("gateway", Props.Create<Worker>()),
                    ChildSpec.Worker("ledger", Props.Create<Worker>()),
                ],
            }),
        ],
    };

    [Fact]
    public async Task Crashes_stay_inside_their_blast_radius()
    {
        var tree = await StartTreeAsync(Checkout());

        var report = await RunChaosAsync(tree, new ChaosOptions
        {
            Seed = 7,
            Faults = [new FaultChoice(FaultKind.Crash, Weight: 3), new FaultChoice(FaultKind.Kill), new FaultChoice(FaultKind.Hang)],
            Schedule = FaultSchedule.Poisson(TimeSpan.FromSeconds(1)),
            StayBelowIntensity = true,
        }, injectionTimes: 200);

        report.AssertIsolated()
              .AssertRootSurvived()
              .AssertRecoveredWithin(TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public async Task Any_tree_keeps_its_faults_inside_their_blast_radius()
    {
        var cases = ChaosGen.Cases(
            ChaosGen.Trees(maxDepth: 3, maxChildren: 4),
            ChaosGen.Runs(FaultKind.Crash, FaultKind.Kill, FaultKind.FailingRestart));

        await CheckChaosAsync(cases, Props.Create<Worker>(), (c, report) =>
        {
            report.AssertIsolated(allowEscalation: !c.Options.StayBelowIntensity);
            if (c.Options.StayBelowIntensity)
            {
                report.AssertRootSurvived();
            }
        }, iterations: 20);
    }

    [Fact]
    public async Task A_saved_journal_replays_the_same_faults()
    {
        var first = await RunChaosAsync(await StartTreeAsync(Checkout(), "first"), new ChaosOptions { Seed = 7 }, injectionTimes: 20);
        var json = first.Journal.ToJson();     // keep it with the failing test's output

        var replay = FaultJournal.FromJson(json.Replace("\"first/", "\"again/", StringComparison.Ordinal));
        var again = await RunChaosAsync(await StartTreeAsync(Checkout(), "again"), new ChaosOptions { Replay = replay }, injectionTimes: 20);

        Assert.Equal(first.Faults.Select(f => f.Fault with { Target = f.Fault.Target[6..] }), again.Faults.Select(f => f.Fault with { Target = f.Fault.Target[6..] }));
    }
}

// A staging service: chaos on the real clock, with every safety on, and its report logged when it ends.
public static class StagingChaos
{
    public static async Task<FaultInjector> StartAsync(SupervisionTree tree)
    {
        var chaos = await tree.StartChaosAsync(new ChaosOptions
        {
            EnvironmentName = "Staging",                  // never Production without AllowInProduction
            Targets = new FaultTargets { Tags = ["stateless"], Exclude = ["**/ledger"] },
            Faults = [new FaultChoice(FaultKind.Crash, Weight: 4), new FaultChoice(FaultKind.Delay) { Duration = TimeSpan.FromMilliseconds(500) }],
            Schedule = FaultSchedule.Poisson(TimeSpan.FromMinutes(2)) with { Windows = [(TimeSpan.Zero, TimeSpan.FromHours(1))] },
            MaxConcurrentFaults = 1,
            StayBelowIntensity = true,
            AbortWhenRootNotRunningFor = TimeSpan.FromSeconds(30),
            Duration = TimeSpan.FromHours(1),
        });

        _ = chaos.Completion.ContinueWith(
            t => Console.WriteLine(t.Result.ToText()),     // or your logger; t.Result.ToJson() for a file
            TaskScheduler.Default);
        return chaos;                                      // chaos.Halt() stops it at once
    }
}

public sealed class StagingChaosTests : SuperviseTestKit
{
    [Fact]
    public async Task The_staging_run_starts_and_halts_cleanly()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Children = [ChildSpec.Worker("api", Props.Create<CheckoutChaosTests.Worker>()) with { Tags = ["stateless"] }],
        });

        var chaos = await StagingChaos.StartAsync(tree);
        var report = await chaos.StopAsync("the deploy started");

        Assert.Equal("the deploy started", report.EndReason);
        Assert.True(report.RootSurvived);
    }
}
