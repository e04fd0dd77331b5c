using Akka.Actor;
using Supervise.Upgrades;
using Xunit;

namespace Supervise.Tests.Upgrades;

/// <summary>The decisions of a running upgrade, without an actor: steps in order, canary and watch, pause, and what a failure leads to.</summary>
public sealed class UpgradeRunTests
{
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);

    private static ChildSpec W(string id, string? version = "1") => ChildSpec.Worker(id, () => Props.Empty) with { Version = version };

    /// <summary>The run from [a, b, c] at version 1 to the same at version 2 (three replacements), with the options given.</summary>
    private static UpgradeRun ThreeReplacements(UpgradeOptions options)
    {
        var now = new SupervisorSpec { Children = [W("a"), W("b"), W("c")] };
        var next = new SupervisorSpec { Children = [W("a", "2"), W("b", "2"), W("c", "2")] };
        return new UpgradeRun(UpgradeBatch.Of(UpgradePlan.Make(now, next, "t"), now.Children, next.Children, options), options);
    }

    private static string Show(UpgradeAction action) => action switch
    {
        UpgradeAction.Apply a => "apply " + string.Join(",", a.Batch.Do.Select(o => $"{o.GetType().Name[..^2].ToLowerInvariant()} {o.ChildId}")),
        UpgradeAction.Undo u => "undo " + string.Join(",", u.Batch.Undo.Select(o => $"{o.GetType().Name[..^2].ToLowerInvariant()} {o.ChildId}")),
        UpgradeAction.Watch w => $"watch {string.Join(",", w.Children)} {w.Window.TotalSeconds}s",
        UpgradeAction.Pause p => $"pause {p.Delay.TotalSeconds}s",
        UpgradeAction.Finish f => "finish " + f.End,
        _ => action.ToString(),
    };

    [Fact]
    public void A_canary_goes_first_and_alone_then_the_rest_as_many_at_a_time_as_may_be_out_of_service_each_step_watched()
    {
        var run = ThreeReplacements(new UpgradeOptions { CanaryCount = 1, MaxOutOfService = 2, WatchWindow = 5 * S });

        Assert.Equal(
            ["apply replace a", "watch a 5s", "apply replace b,replace c", "watch b,c 5s", "finish Completed"],
            [Show(run.Start()), Show(run.Done()), Show(run.Done()), Show(run.Done()), Show(run.Done())]);
        Assert.Equal(["a", "b", "c"], run.Changed);
    }

    [Fact]
    public void A_canary_that_fails_its_watch_is_rolled_back_and_nothing_else_is_touched()
    {
        var run = ThreeReplacements(new UpgradeOptions());

        Assert.Equal(["apply replace a", "watch a 5s"], [Show(run.Start()), Show(run.Done())]);
        Assert.Equal("undo replace a", Show(run.Failed("a", "it crashed")));
        Assert.Equal("finish RolledBack", Show(run.Done()));
        Assert.Equal(("a: it crashed", "a", ""), (run.FirstFailure, string.Join(",", run.Restored), string.Join(",", run.Changed)));
    }

    [Fact]
    public void A_later_step_that_fails_rolls_back_every_step_carried_out_last_first()
    {
        var run = ThreeReplacements(new UpgradeOptions { WatchWindow = TimeSpan.Zero });

        Assert.Equal(["apply replace a", "apply replace b", "apply replace c"], [Show(run.Start()), Show(run.Done()), Show(run.Done())]);
        Assert.Equal("undo replace c", Show(run.Failed("c", "its new spec failed to start")));
        Assert.Equal(["undo replace b", "undo replace a", "finish RolledBack"], [Show(run.Done()), Show(run.Done()), Show(run.Done())]);
        Assert.Equal(["c", "b", "a"], run.Restored);
    }

    [Fact]
    public void A_failure_while_undoing_is_reported_and_the_rest_is_undone_anyway()
    {
        var run = ThreeReplacements(new UpgradeOptions { WatchWindow = TimeSpan.Zero });
        run.Start();
        run.Done();
        Assert.Equal("undo replace b", Show(run.Failed("b", "no")));
        Assert.Equal("undo replace a", Show(run.Failed("b", "its old spec failed to start")));
        Assert.Equal("finish RolledBack", Show(run.Done()));
        Assert.Equal(("a", 2), (string.Join(",", run.Restored), run.Failures.Count));
    }

    [Fact]
    public void A_failed_step_stops_the_upgrade_where_it_is_when_asked()
    {
        var run = ThreeReplacements(new UpgradeOptions { WatchWindow = TimeSpan.Zero, OnFailure = UpgradeFailureAction.Stop });
        run.Start();
        run.Done();

        Assert.Equal("finish Stopped", Show(run.Failed("b", "x")));
        Assert.Equal(["a", "b"], run.Changed); // b's step may have been carried out in part: it is kept, as asked
    }

    [Fact]
    public void A_failed_step_is_passed_over_when_asked_to_go_on_and_the_failure_is_kept()
    {
        var run = ThreeReplacements(new UpgradeOptions { WatchWindow = TimeSpan.Zero, OnFailure = UpgradeFailureAction.Continue });
        run.Start();

        Assert.Equal("apply replace b", Show(run.Failed("a", "x")));
        Assert.Equal(["apply replace c", "finish Completed"], [Show(run.Done()), Show(run.Done())]);
        Assert.Equal(["a: x"], run.Failures);
    }

    [Fact]
    public void A_pause_comes_between_steps_after_each_watch_and_not_after_the_last()
    {
        var run = ThreeReplacements(new UpgradeOptions { MaxOutOfService = 2, WatchWindow = S, PauseBetweenSteps = 2 * S });

        Assert.Equal(
            ["apply replace a", "watch a 1s", "pause 2s", "apply replace b,replace c", "watch b,c 1s", "finish Completed"],
            [Show(run.Start()), Show(run.Done()), Show(run.Done()), Show(run.Done()), Show(run.Done()), Show(run.Done())]);
    }

    [Fact]
    public void Steps_run_removals_then_updates_then_nested_supervisors_then_replacements_then_additions_and_each_is_undone_by_its_inverse()
    {
        var nested = new SupervisorSpec { Children = [W("x")] };
        var now = new SupervisorSpec { Children = [W("gone"), W("cfg"), ChildSpec.ForSupervisor("n", nested), W("r")] };
        var next = new SupervisorSpec
        {
            Children = [W("new"), W("cfg") with { Restart = RestartType.Transient }, ChildSpec.ForSupervisor("n", nested with { Intensity = 9 }), W("r", "2")],
        };
        var batches = UpgradeBatch.Of(UpgradePlan.Make(now, next, "t"), now.Children, next.Children, new UpgradeOptions());

        Assert.Equal(
            ["RemoveOp gone / AddOp gone @0", "UpdateOp cfg / UpdateOp cfg", "UpgradeBelowOp n / UpgradeBelowOp n", "ReplaceOp r / ReplaceOp r", "AddOp new / RemoveOp new"],
            batches.Select(b => $"{b.Do[0].GetType().Name} {b.Do[0].ChildId} / {b.Undo[0].GetType().Name} {b.Undo[0].ChildId}{(b.Undo[0] is AddOp a ? " @" + a.Position : "")}"));
        Assert.Equal([false, false, false, true, true], batches.Select(b => b.Watch));
        Assert.Equal(("1", "2"), (((ReplaceOp)batches[3].Undo[0]).Spec.Version, ((ReplaceOp)batches[3].Do[0]).Spec.Version));
    }

    [Fact]
    public void An_upgrade_with_nothing_to_do_completes_at_once()
    {
        var run = new UpgradeRun([], new UpgradeOptions());

        Assert.Equal("finish Completed", Show(run.Start()));
        Assert.True(run.IsFinished);
    }
}
