using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Upgrades;

/// <summary>A live upgrade of a running supervisor: the plan carried out, the canary watched, and a failed step rolled back.</summary>
public sealed class UpgradeTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);

    private ChildSpec V(string id, string version, WorkerScript? script = null) => Worker(id, script) with { Version = version };

    private ChildSpec Broken(string id, string version) => V(id, version, new WorkerScript { FailPreStart = _ => true });

    private static async Task<ChildSpec> SpecOf(SupervisorHandle supervisor, string id) =>
        Assert.IsType<ChildSpecResult.Found>(await supervisor.GetChildSpecAsync(id)).Spec;

    private static async Task<IReadOnlyDictionary<string, IActorRef?>> RefsAsync(SupervisorHandle supervisor) =>
        (await supervisor.WhichChildrenAsync()).ToDictionary(c => c.Id, c => c.Child);

    [Fact]
    public async Task An_upgrade_replaces_removes_updates_and_adds_children_and_keeps_the_unchanged_ones_untouched()
    {
        var spec = new SupervisorSpec { Children = [V("a", "1"), V("b", "1"), V("gone", "1"), V("c", "1")] };
        var tree = await StartTreeAsync(spec);
        var before = await RefsAsync(tree.Root);
        var next = spec with
        {
            Intensity = 7,
            Children = [V("a", "2"), V("b", "1"), V("c", "1") with { Restart = RestartType.Transient }, V("d", "1")],
        };
        var dryRun = await tree.Root.PlanUpgradeAsync(next);

        var result = await tree.Root.UpgradeAsync(next, new UpgradeOptions { WatchWindow = TimeSpan.Zero });

        var completed = Assert.IsType<UpgradeResult.Completed>(result);
        Assert.Equal(dryRun.ToString(), completed.Plan.ToString());
        var after = await RefsAsync(tree.Root);
        Assert.Equal(["a", "b", "c", "d"], after.Keys);
        Assert.NotEqual(before["a"], after["a"]); // replaced: a new incarnation
        Assert.Equal((before["b"], before["c"]), (after["b"], after["c"])); // kept, and updated in place: same reference
        Assert.Equal(("2", RestartType.Transient), ((await SpecOf(tree.Root, "a")).Version, (await SpecOf(tree.Root, "c")).Restart));
        var events = ReceivedSoFar(Events).OfType<ChildUpgraded>().Select(e => $"{e.ChildId}: {e.Change}").ToList();
        Assert.Equal(["gone: removed", "c: settings updated in place", "a: replaced by version 2", "d: added"], events);
        Assert.True((await tree.Root.PlanUpgradeAsync(next)).IsEmpty, "the supervisor does not run the next spec");
        await tree.StopAsync();
    }

    [Fact]
    public async Task A_canary_that_fails_to_start_is_rolled_back_and_no_other_child_is_touched()
    {
        var spec = new SupervisorSpec { Children = [V("a", "1"), V("b", "1"), V("c", "1")] };
        var tree = await StartTreeAsync(spec);
        var before = await RefsAsync(tree.Root);

        var result = await tree.Root.UpgradeAsync(spec with { Children = [Broken("a", "2"), Broken("b", "2"), Broken("c", "2")] });

        var rolledBack = Assert.IsType<UpgradeResult.RolledBack>(result);
        Assert.StartsWith("a: its new spec failed to start", rolledBack.Failure);
        Assert.Equal(["a"], rolledBack.Restored);
        var after = await RefsAsync(tree.Root);
        Assert.Equal((before["b"], before["c"]), (after["b"], after["c"]));
        Assert.NotNull(after["a"]);
        Assert.Equal("1", (await SpecOf(tree.Root, "a")).Version);
        await tree.StopAsync();
    }

    [Fact]
    public async Task A_canary_that_crashes_during_its_watch_is_rolled_back_before_the_next_child_is_touched()
    {
        var spec = new SupervisorSpec { Children = [V("a", "1"), V("b", "1")] };
        var tree = await StartTreeAsync(spec);
        var b = (await RefsAsync(tree.Root))["b"];

        var upgrading = tree.Root.UpgradeAsync(spec with { Children = [V("a", "2"), V("b", "2")] }, new UpgradeOptions { WatchWindow = 10 * S });
        ExpectEvent<ChildUpgraded>(e => e.ChildId == "a");
        (await ChildRef(tree.Root, "a")).Tell(new Crash("v2 cannot trade without position tracking"));
        var result = await upgrading;

        var rolledBack = Assert.IsType<UpgradeResult.RolledBack>(result);
        Assert.Equal("a: it crashed during its watch: v2 cannot trade without position tracking", rolledBack.Failure);
        Assert.Equal(("1", b), ((await SpecOf(tree.Root, "a")).Version, (await RefsAsync(tree.Root))["b"]));
        var watched = ExpectEvent<UpgradeStepWatched>();
        Assert.Equal(("a", "a: it crashed during its watch: v2 cannot trade without position tracking"), (string.Join(",", watched.Children), watched.Failure));
        await tree.StopAsync();
    }

    [Fact]
    public async Task A_canary_that_passes_its_watch_in_virtual_time_lets_the_rest_go()
    {
        var spec = new SupervisorSpec { Children = [V("a", "1"), V("b", "1")] };
        var tree = await StartTreeAsync(spec);

        var upgrading = tree.Root.UpgradeAsync(spec with { Children = [V("a", "2"), V("b", "2")] }, new UpgradeOptions { WatchWindow = 5 * S });
        ExpectEvent<ChildUpgraded>(e => e.ChildId == "a");
        Time.Advance(5 * S);
        Assert.Null(ExpectEvent<UpgradeStepWatched>(e => e.Children.SequenceEqual(["a"])).Failure);
        ExpectEvent<ChildUpgraded>(e => e.ChildId == "b");
        Time.Advance(5 * S);

        Assert.IsType<UpgradeResult.Completed>(await upgrading);
        Assert.Equal("2", (await SpecOf(tree.Root, "b")).Version);
        await tree.StopAsync();
    }

    [Fact]
    public async Task An_upgrade_is_refused_with_its_problems_while_another_runs_and_for_an_invalid_spec()
    {
        var spec = new SupervisorSpec { Children = [V("a", "1")] };
        var tree = await StartTreeAsync(spec);
        var first = tree.Root.UpgradeAsync(spec with { Children = [V("a", "2")] }, new UpgradeOptions { WatchWindow = 5 * S });
        ExpectEvent<ChildUpgraded>(e => e.ChildId == "a");

        var second = Assert.IsType<UpgradeResult.Refused>(await tree.Root.UpgradeAsync(spec with { Children = [V("a", "3")] }));
        var invalid = Assert.IsType<UpgradeResult.Refused>(await tree.Root.UpgradeAsync(spec with { Children = [V("a", "1"), V("a", "1")] }, new UpgradeOptions { CanaryCount = -1 }));

        Assert.Equal("no other upgrade of this supervisor running", second.Problems.Single().Expected);
        Assert.Equal(["Children[1].Id", "CanaryCount", "upgrade"], invalid.Problems.Select(p => p.Field)); // every problem, the running upgrade too
        Time.Advance(5 * S);
        Assert.IsType<UpgradeResult.Completed>(await first);
        await tree.StopAsync();
    }
    [Fact]
    public async Task Replacements_an_upgrade_makes_are_not_counted_in_the_restart_window()
    {
        // Intensity 0: one counted restart would make the supervisor give up.
        var spec = new SupervisorSpec { Intensity = 0, Children = [V("a", "1"), V("b", "1"), V("c", "1")] };
        var tree = await StartTreeAsync(spec);

        var result = await tree.Root.UpgradeAsync(spec with { Children = [V("a", "2"), V("b", "2"), V("c", "2")] }, new UpgradeOptions { WatchWindow = TimeSpan.Zero });

        Assert.IsType<UpgradeResult.Completed>(result);
        Assert.DoesNotContain(ReceivedSoFar(Events), e => e is SupervisorGaveUp or ChildRestarted);
        await tree.StopAsync();
    }

    [Fact]
    public async Task A_nested_supervisor_is_upgraded_by_its_own_plan_and_comes_back_from_a_restart_with_the_new_spec()
    {
        var nested = new SupervisorSpec { Children = [V("x", "1"), V("y", "1")] };
        var spec = new SupervisorSpec { Children = [ChildSpec.ForSupervisor("n", nested)] };
        var tree = await StartTreeAsync(spec);
        var n = await ChildRef(tree.Root, "n");

        var result = await tree.Root.UpgradeAsync(spec with { Children = [ChildSpec.ForSupervisor("n", nested with { Children = [V("x", "2"), V("y", "1")] })] }, new UpgradeOptions { WatchWindow = TimeSpan.Zero });

        Assert.IsType<UpgradeResult.Completed>(result);
        Assert.Equal(n, await ChildRef(tree.Root, "n")); // not restarted
        var handle = await tree.Root.GetSupervisorAsync("n");
        Assert.Equal("2", (await SpecOf(handle, "x")).Version);
        Assert.Contains(ReceivedSoFar(Events), e => e is ChildUpgraded { SupervisorPath: "t", ChildId: "n", Change: "upgraded below" });

        n.Tell(Kill.Instance); // restarted in place by its parent: it starts from the spec the upgrade gave it
        ExpectEvent<ChildRestarted>(e => e.ChildId == "n");
        await tree.WhenSettledAsync();
        Assert.Equal("2", (await SpecOf(await tree.Root.GetSupervisorAsync("n"), "x")).Version);
        await tree.StopAsync();
    }

    [Fact]
    public async Task An_upgrade_whose_supervisor_is_restarted_under_way_ends_said_as_stopped_with_what_it_had_changed()
    {
        var nested = new SupervisorSpec { Children = [V("x", "1"), V("y", "1")] };
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [ChildSpec.ForSupervisor("n", nested)] });
        var handle = await tree.Root.GetSupervisorAsync("n");

        // The canary x is replaced and watched for a minute of virtual time, which never passes.
        var upgrading = handle.UpgradeAsync(nested with { Children = [V("x", "2"), V("y", "2")] }, new UpgradeOptions { WatchWindow = TimeSpan.FromMinutes(1) });
        ExpectEvent<ChildUpgraded>(e => e.ChildId == "x");
        (await ChildRef(tree.Root, "n")).Tell(Kill.Instance); // its parent restarts it in place

        await Assert.ThrowsAsync<SupervisorUnavailableException>(() => upgrading);
        var ended = ExpectEvent<UpgradeEnded>(e => e.SupervisorPath == "t/n");
        var stopped = Assert.IsType<UpgradeResult.Stopped>(ended.Result);
        Assert.Equal("it is restarting during the upgrade", stopped.Failure);
        Assert.Equal(["x"], stopped.Changed);
        await tree.StopAsync();
    }

    [Fact]
    public async Task A_dynamic_supervisors_new_template_applies_to_the_children_it_starts_from_then_on()
    {
        var old = new DynamicSupervisorSpec(new ChildTemplate(_ => TestWorker.Props("old", Life.Ref)));
        var tree = await StartTreeAsync(old);
        var first = Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync(args: (object?)null));
        ExpectLife<Up>(u => u.Id == "old");

        var result = await tree.Root.UpgradeAsync(old with { Template = new ChildTemplate(_ => TestWorker.Props("new", Life.Ref)) });

        Assert.Equal(["Template: replaced (for the children started from now on)"], Assert.IsType<UpgradeResult.Completed>(result).Plan.SupervisorChanges);
        Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync(args: (object?)null));
        ExpectLife<Up>(u => u.Id == "new");
        Assert.Equal(first.Child, (await tree.Root.WhichChildrenAsync())[0].Child);
        await tree.StopAsync();
    }
    [Fact]
    public async Task A_chaos_run_can_fail_the_next_start_an_upgrade_makes_so_a_test_proves_the_rollback()
    {
        var spec = new SupervisorSpec { Children = [V("a", "1"), V("b", "1")] };
        var tree = await StartTreeAsync(spec);
        var chaos = await tree.StartChaosAsync(new ChaosOptions
        {
            Seed = 7,
            EnvironmentName = "Test",
            Faults = [new FaultChoice(FaultKind.FailingUpgrade)],
            Targets = new FaultTargets { Include = ["t/a"] },
            Schedule = FaultSchedule.Fixed(TimeSpan.FromMilliseconds(10)),
            MaxFaults = 1,
        });
        Time.Advance(TimeSpan.FromMilliseconds(10));
        await chaos.WhenJournaledAsync(1);
        var report = await chaos.StopAsync("armed");

        var result = await tree.Root.UpgradeAsync(spec with { Children = [V("a", "2"), V("b", "2")] }, new UpgradeOptions { WatchWindow = TimeSpan.Zero });

        var rolledBack = Assert.IsType<UpgradeResult.RolledBack>(result);
        Assert.StartsWith("a: its new spec failed to start: Injected FailingUpgrade", rolledBack.Failure);
        Assert.Equal("1", (await SpecOf(tree.Root, "a")).Version);
        Assert.Equal(1, report.FaultsByKind[FaultKind.FailingUpgrade]);
        ExpectEvent<ChildStartFailed>(e => e.ChildId == "a");

        // Armed once: the next upgrade goes through.
        Assert.IsType<UpgradeResult.Completed>(await tree.Root.UpgradeAsync(spec with { Children = [V("a", "2"), V("b", "2")] }, new UpgradeOptions { WatchWindow = TimeSpan.Zero }));
        await tree.StopAsync();
    }
    [Fact]
    public async Task A_watched_child_that_is_gone_at_the_end_of_its_watch_fails_the_step()
    {
        var spec = new SupervisorSpec { Children = [V("a", "1") with { Restart = RestartType.Temporary }, V("b", "1")] };
        var tree = await StartTreeAsync(spec);

        var upgrading = tree.Root.UpgradeAsync(spec with { Children = [V("a", "2") with { Restart = RestartType.Temporary }, V("b", "2")] }, new UpgradeOptions { WatchWindow = 5 * S });
        ExpectEvent<ChildUpgraded>(e => e.ChildId == "a");
        (await ChildRef(tree.Root, "a")).Tell(new StopSelf()); // a Temporary child that stops is forgotten
        ExpectEvent<ChildTerminated>(e => e.ChildId == "a");
        Time.Advance(5 * S);

        var rolledBack = Assert.IsType<UpgradeResult.RolledBack>(await upgrading);
        Assert.Equal("a: it was no longer a child at the end of its watch", rolledBack.Failure);
        Assert.Equal("1", (await SpecOf(tree.Root, "b")).Version);
        await tree.StopAsync();
    }

    [Fact]
    public async Task A_nested_supervisor_that_crashes_during_its_own_upgrade_fails_the_step_instead_of_holding_the_upgrade()
    {
        var nested = new SupervisorSpec { Children = [V("x", "1")] };
        var spec = new SupervisorSpec { Children = [ChildSpec.ForSupervisor("n", nested)] };
        var tree = await StartTreeAsync(spec);

        var upgrading = tree.Root.UpgradeAsync(spec with { Children = [ChildSpec.ForSupervisor("n", nested with { Children = [V("x", "2")] })] }, new UpgradeOptions { WatchWindow = 5 * S });
        ExpectEvent<ChildUpgraded>(e => e.SupervisorPath == "t/n" && e.ChildId == "x");
        (await ChildRef(tree.Root, "n")).Tell(Kill.Instance); // n is restarted in place by its parent, its own upgrade cut short

        var rolledBack = Assert.IsType<UpgradeResult.RolledBack>(await upgrading);
        Assert.StartsWith("n: it crashed during its own upgrade", rolledBack.Failure);
        await tree.WhenSettledAsync();
        Assert.Equal("1", (await SpecOf(await tree.Root.GetSupervisorAsync("n"), "x")).Version);
        await tree.StopAsync();
    }

    [Fact]
    public async Task A_child_added_by_an_upgrade_is_checked_against_the_next_spec()
    {
        // Significant children need an auto-shutdown: the running spec has none, the next one has.
        var spec = new SupervisorSpec { Children = [V("a", "1")] };
        var tree = await StartTreeAsync(spec);

        var result = await tree.Root.UpgradeAsync(spec with { AutoShutdown = AutoShutdown.AnySignificant, Children = [V("a", "1"), V("s", "1") with { Restart = RestartType.Transient, Significant = true }] }, new UpgradeOptions { WatchWindow = TimeSpan.Zero });

        Assert.IsType<UpgradeResult.Completed>(result);
        Assert.True((await SpecOf(tree.Root, "s")).Significant);
        await tree.StopAsync();
    }
    [Fact]
    public async Task A_canary_in_a_crash_loop_is_rolled_back_before_its_crashes_use_up_the_restart_window()
    {
        // Intensity 1: a second counted restart would make the supervisor give up.
        var spec = new SupervisorSpec { Intensity = 1, Children = [V("a", "1"), V("b", "1")] };
        var tree = await StartTreeAsync(spec);

        var upgrading = tree.Root.UpgradeAsync(spec with { Children = [V("a", "2"), V("b", "2")] }, new UpgradeOptions { WatchWindow = 10 * S });
        ExpectEvent<ChildUpgraded>(e => e.ChildId == "a");
        var a = await ChildRef(tree.Root, "a");
        foreach (var i in Enumerable.Range(1, 3))
        {
            a.Tell(new Crash($"v2 crash {i}"));
        }

        var rolledBack = Assert.IsType<UpgradeResult.RolledBack>(await upgrading);
        Assert.Equal("a: it crashed during its watch: v2 crash 1", rolledBack.Failure);
        await tree.WhenSettledAsync();
        Assert.DoesNotContain(ReceivedSoFar(Events), e => e is SupervisorGaveUp);
        Assert.Equal("1", (await SpecOf(tree.Root, "a")).Version);
        await tree.StopAsync();
    }
}
