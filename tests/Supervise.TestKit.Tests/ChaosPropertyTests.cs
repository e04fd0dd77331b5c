using System.Text.RegularExpressions;
using Akka.Actor;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Testing.Tests;

/// <summary>Property-based chaos: random trees × random fault schedules, checked and shrunk by CsCheck.</summary>
public sealed class ChaosPropertyTests : SuperviseTestKit
{
    private readonly ITestOutputHelper _output;

    public ChaosPropertyTests(ITestOutputHelper output)
        : base(output) => _output = output;

    [Fact]
    public async Task Every_random_tree_keeps_every_fault_inside_its_blast_radius_and_below_the_intensity_its_root()
    {
        var cases = ChaosGen.Cases(
            ChaosGen.Trees(maxDepth: 3, maxChildren: 4),
            ChaosGen.Runs(FaultKind.Crash, FaultKind.Kill, FaultKind.Stop, FaultKind.Poison, FaultKind.FailingRestart, FaultKind.Hang));

        await CheckChaosAsync(cases, Echo.Props, (c, report) =>
        {
            // Escalation is OTP's promise when the intensity is exceeded; a leak never is.
            report.AssertIsolated(allowEscalation: !c.Options.StayBelowIntensity);
            if (c.Options.StayBelowIntensity)
            {
                report.AssertRootSurvived();
            }
        });
    }

    [Fact]
    public Task In_virtual_time_the_same_seed_gives_the_same_journal_on_any_tree_and_the_journal_replays() =>
        SameJournalAsync(seed: null, iter: 40);

    /// <summary>
    /// A case that once diverged: hangs held the siblings of a one-for-all restart, and the next injection time's first
    /// fault came while the restart they had held was still going on (it now waits for the tree to settle, as a burst's
    /// next fault does).
    /// </summary>
    [Fact]
    public Task A_hang_that_holds_a_group_restart_does_not_change_what_the_next_injection_time_finds() =>
        SameJournalAsync(seed: "6r9cYAW4hS61", iter: 1);

    private async Task SameJournalAsync(string? seed, long iter)
    {
        var runs = 0;
        async Task<List<FaultRecord>> JournalAsync(ChaosCase c, List<FaultRecord>? replay = null)
        {
            var name = $"run{++runs}";
            var tree = await StartTreeAsync(c.Tree.ToSpec(Echo.Props), name);
            var options = replay is null ? c.Options : c.Options with { Replay = new FaultJournal(c.Options.Seed ?? 0, replay.Select(f => f with { Target = f.Target.Length == 0 ? "" : name + f.Target }).ToList()) };
            var report = await RunChaosAsync(tree, options, injectionTimes: 20);
            await tree.StopAsync();
            return report.Journal.Faults.Select(f => f with { Target = f.Target.StartsWith(name, StringComparison.Ordinal) ? f.Target[name.Length..] : f.Target }).ToList();
        }

        // Bursts of 2 or 3 in every case: the faults of a burst come at one instant, each once the tree has
        // settled after the one before, so what the next one finds does not depend on the threads.
        var bursts = ChaosGen.Cases(ChaosGen.Trees(maxDepth: 3, maxChildren: 4))
            .Select(c => c with { Options = c.Options with { Schedule = c.Options.Schedule with { Burst = Math.Max(2, c.Options.Schedule.Burst) } } });
        await bursts.SampleAsync(
            async c =>
            {
                var first = await JournalAsync(c);
                Assert.Equal(first, await JournalAsync(c));
                Assert.Equal(first, await JournalAsync(c, replay: first));
            },
            seed: seed,
            iter: iter,
            threads: 1,
            print: c => c.ToString());
    }

    [Fact]
    public async Task A_property_that_does_not_hold_fails_with_a_shrunk_case_and_the_seed_that_replays_it()
    {
        var cases = ChaosGen.Cases(ChaosGen.Trees(maxDepth: 2, maxChildren: 5), ChaosGen.Runs(FaultKind.Crash));

        // False: a crash under one-for-all or rest-for-one restarts siblings too.
        ChaosCase? firstFailing = null;
        void OnlyTheTargetRestarts(ChaosCase c, ChaosReport report)
        {
            var wider = report.Faults.FirstOrDefault(f => f.Restarted.Count > 1);
            if (wider is not null)
            {
                firstFailing ??= c;
                throw new InvalidOperationException($"fault {wider.Fault.Sequence} restarted {string.Join(", ", wider.Restarted)}");
            }
        }

        var error = await Assert.ThrowsAsync<CsCheckException>(() => CheckChaosAsync(cases, Echo.Props, OnlyTheTargetRestarts, iterations: 150));
        _output.WriteLine($"first failing case: {firstFailing}{Environment.NewLine}{error.Message}");

        var seed = Regex.Match(error.Message, "Set seed: \"([^\"]+)\"").Groups[1].Value;
        Assert.NotEmpty(seed);
        var shrunk = Regex.Match(error.Message, @"tree (\S.*?); chaos seed").Groups[1].Value;
        Assert.Matches("OneForAll|RestForOne", shrunk); // where the property breaks
        Assert.True(
            Regex.Count(shrunk, @"\bw\b") <= Math.Min(3, firstFailing!.Tree.Workers),
            $"expected a case smaller than the first failing one ({firstFailing.Tree}), got {shrunk}");
        Assert.IsType<ChaosPropertyException>(error.InnerException);
        Assert.Contains("Chaos run (seed", error.InnerException!.Message, StringComparison.Ordinal); // with the failing run's report

        // The seed replays the failing case first.
        var again = await Assert.ThrowsAsync<CsCheckException>(() => CheckChaosAsync(cases, Echo.Props, OnlyTheTargetRestarts, iterations: 1, seed: seed));
        Assert.Contains($"tree {shrunk}; chaos seed", again.Message, StringComparison.Ordinal);
    }
}
