using Supervise.Dashboard;
using Xunit;

namespace Supervise.Hosting.Tests.Dashboard;

/// <summary>The dashboard's view of live upgrades, from their events alone, table by table (no actor system).</summary>
public sealed class UpgradeBoardTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    private static readonly UpgradePlan Plan = new(
        "fleet",
        [new ReplaceChildStep("g1", "1", "2"), new ReplaceChildStep("g2", "1", "2"), new StartChildStep("audit", 2)],
        ["intensity 3 → 5"],
        [],
        []);

    private static UpgradeBoard Started()
    {
        var board = new UpgradeBoard();
        board.Apply(new UpgradeStarted("fleet", T0, Plan));
        return board;
    }

    private static IEnumerable<(string, string)> Steps(UpgradeBoard board) => board.Views[0].Steps.Select(s => (s.Child, s.Status));

    [Fact]
    public void An_upgrade_under_way_shows_its_plan_each_step_pending_until_its_change_is_made()
    {
        var board = Started();
        board.Apply(new ChildUpgraded("fleet", T0.AddSeconds(1), "g1", "replaced by version 2"));

        var view = Assert.Single(board.Views);
        Assert.Equal(("fleet", "running"), (view.Path, view.State));
        Assert.Equal([("g1", "done"), ("g2", "pending"), ("audit", "pending")], Steps(board));
        Assert.Equal(["replace g1: 1 → 2", "replace g2: 1 → 2", "start audit at position 2"], view.Steps.Select(s => s.Step));
        Assert.Equal("replaced by version 2", view.Steps[0].Detail);
        Assert.Equal(["intensity 3 → 5"], view.SupervisorChanges);
    }

    [Fact]
    public void A_canary_that_fails_its_watch_is_failed_then_restored_and_the_rest_never_ran()
    {
        var board = Started();
        board.Apply(new ChildUpgraded("fleet", T0.AddSeconds(1), "g1", "replaced by version 2"));
        board.Apply(new UpgradeStepWatched("fleet", T0.AddSeconds(6), ["g1"], TimeSpan.FromSeconds(5), "g1 crashed: no position tracking"));
        Assert.Equal([("g1", "failed"), ("g2", "pending"), ("audit", "pending")], Steps(board));

        board.Apply(new ChildUpgraded("fleet", T0.AddSeconds(7), "g1", "restored to version 1"));
        board.Apply(new UpgradeEnded("fleet", T0.AddSeconds(7), new UpgradeResult.RolledBack(Plan, "g1: crashed during its watch", ["g1"], [])));

        var view = board.Views[0];
        Assert.Equal("rolled back", view.State);
        Assert.Equal([("g1", "restored"), ("g2", "pending"), ("audit", "pending")], Steps(board));
        Assert.Equal("g1: crashed during its watch; restored: g1", view.Outcome);
        Assert.Equal(["g1 watched for 5 s: g1 crashed: no position tracking"], view.Watches);
        Assert.Equal(T0.AddSeconds(7), view.Ended);
    }

    [Fact]
    public void A_new_version_that_fails_to_start_is_the_failed_step()
    {
        var board = Started();
        board.Apply(new UpgradeEnded("fleet", T0.AddSeconds(1), new UpgradeResult.RolledBack(Plan, "g1: its start failed", [], [])));

        Assert.Equal([("g1", "failed"), ("g2", "pending"), ("audit", "pending")], Steps(board));
        Assert.Equal("g1: its start failed; restored: nothing to restore", board.Views[0].Outcome);
    }

    [Fact]
    public void A_completed_upgrade_is_kept_beside_a_newer_one_newest_first()
    {
        var board = Started();
        foreach (var child in new[] { "g1", "g2", "audit" })
        {
            board.Apply(new ChildUpgraded("fleet", T0.AddSeconds(1), child, child == "audit" ? "added" : "replaced by version 2"));
        }

        board.Apply(new UpgradeEnded("fleet", T0.AddSeconds(2), new UpgradeResult.Completed(Plan, [])));
        board.Apply(new UpgradeStarted("fleet", T0.AddSeconds(3), Plan));

        Assert.Equal(["running", "completed"], board.Views.Select(v => v.State));
        Assert.Equal(["done", "done", "done"], board.Views[1].Steps.Select(s => s.Status));
        Assert.Equal("every step done", board.Views[1].Outcome);
    }

    [Fact]
    public void A_refused_upgrade_is_shown_with_its_problems_and_changes_nothing_under_way()
    {
        var board = Started();
        var refused = Plan with { Problems = [new SpecProblem("fleet", "upgrade", "no other upgrade of this supervisor running", "one is running")] };
        board.Apply(new UpgradeEnded("fleet", T0.AddSeconds(1), new UpgradeResult.Refused(refused, refused.Problems)));

        Assert.Equal(["refused", "running"], board.Views.Select(v => v.State));
        Assert.Contains("no other upgrade of this supervisor running", board.Views[0].Outcome, StringComparison.Ordinal);
    }

    [Fact]
    public void Under_go_on_a_step_that_failed_is_failed_in_a_completed_upgrade()
    {
        var board = Started();
        board.Apply(new ChildUpgraded("fleet", T0.AddSeconds(1), "g2", "replaced by version 2"));
        board.Apply(new ChildUpgraded("fleet", T0.AddSeconds(1), "audit", "added"));
        board.Apply(new UpgradeEnded("fleet", T0.AddSeconds(2), new UpgradeResult.Completed(Plan, ["g1: its start failed"])));

        Assert.Equal([("g1", "failed"), ("g2", "done"), ("audit", "done")], Steps(board));
        Assert.Equal("g1: its start failed", board.Views[0].Steps[0].Detail);
    }

    [Fact]
    public void An_upgrade_whose_supervisor_went_away_under_way_ends_stopped()
    {
        var board = Started();
        board.Apply(new ChildUpgraded("fleet", T0.AddSeconds(1), "g1", "replaced by version 2"));
        board.Apply(new UpgradeEnded("fleet", T0.AddSeconds(2), new UpgradeResult.Stopped(Plan, "it is restarting during the upgrade", ["g1"])));

        Assert.Equal(("stopped", "it is restarting during the upgrade; kept their change: g1"), (board.Views[0].State, board.Views[0].Outcome));
        Assert.Equal([("g1", "done"), ("g2", "pending"), ("audit", "pending")], Steps(board));
    }

    [Fact]
    public void Refusals_are_kept_within_the_same_bound()
    {
        var board = new UpgradeBoard();
        var refused = Plan with { Problems = [new SpecProblem("fleet", "upgrade", "a running supervisor", "Stopping")] };
        for (var i = 0; i < UpgradeBoard.Kept + 5; i++)
        {
            board.Apply(new UpgradeEnded("fleet", T0.AddSeconds(i), new UpgradeResult.Refused(refused, refused.Problems)));
        }

        Assert.Equal(UpgradeBoard.Kept, board.Views.Count);
    }

    [Fact]
    public void Only_the_newest_upgrades_are_kept()
    {
        var board = new UpgradeBoard();
        for (var i = 0; i < UpgradeBoard.Kept + 5; i++)
        {
            board.Apply(new UpgradeStarted($"s{i}", T0.AddSeconds(i), Plan with { Path = $"s{i}" }));
        }

        Assert.Equal(UpgradeBoard.Kept, board.Views.Count);
        Assert.Equal($"s{UpgradeBoard.Kept + 4}", board.Views[0].Path);
    }
}
