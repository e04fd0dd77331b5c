using Akka.Actor;
using Xunit;

namespace Supervise.Tests.Upgrades;

/// <summary>The plan of an upgrade from one spec to the next, computed from the two specs alone: table by table.</summary>
public sealed class UpgradePlanTests
{
    private static ChildSpec W(string id, string? version = null) => ChildSpec.Worker(id, Props.Empty) with { Version = version };

    private static SupervisorSpec S(params ChildSpec[] children) => new() { Children = children };

    private static UpgradePlan Plan(SupervisionSpec current, SupervisionSpec next) => UpgradePlan.Make(current, next, "shop");

    [Fact]
    public void The_same_spec_changes_nothing_and_keeps_every_child()
    {
        var spec = S(W("a"), W("b"));

        var plan = Plan(spec, spec with { });

        Assert.True(plan.IsEmpty);
        Assert.Equal(["a", "b"], plan.Kept);
        Assert.Equal("shop: nothing changes\n  keep a, b", plan.ToString().ReplaceLineEndings("\n"));
    }

    [Theory]
    [InlineData(null, "2", "replace a: no version → 2")]
    [InlineData("1", "2", "replace a: 1 → 2")]
    [InlineData("2", null, "replace a: 2 → no version")]
    public void A_child_whose_version_changed_is_replaced(string? from, string? to, string step)
    {
        var plan = Plan(S(W("a", from), W("b")), S(W("a", to), W("b")));

        Assert.Equal([step], plan.Steps.Select(s => s.Describe()));
        Assert.Equal(["b"], plan.Kept);
    }

    [Fact]
    public void Without_a_new_version_a_child_started_another_way_is_kept_its_code_cannot_be_compared()
    {
        var plan = Plan(S(ChildSpec.Worker("a", () => Props.Empty)), S(ChildSpec.Worker("a", () => Props.Empty)));

        Assert.True(plan.IsEmpty);
        Assert.Equal(["a"], plan.Kept);
    }

    [Fact]
    public void Removed_children_stop_in_reverse_start_order_and_added_ones_start_at_their_place_in_the_next_order()
    {
        var plan = Plan(S(W("a"), W("b"), W("c"), W("d")), S(W("a"), W("x"), W("c"), W("y")));

        Assert.Equal(["stop and delete d", "stop and delete b", "start x at position 1", "start y at position 3"], plan.Steps.Select(s => s.Describe()));
        Assert.Equal(["a", "c"], plan.Kept);
    }

    [Theory]
    [InlineData("Restart", "Restart: Permanent → Transient")]
    [InlineData("Shutdown", "Shutdown: Timeout(00:00:05) → BrutalKill")]
    [InlineData("Criticality", "Criticality: Important → Critical")]
    [InlineData("Tags", "Tags: [] → [hot]")]
    public void A_child_whose_settings_changed_but_not_its_code_is_updated_in_place_not_restarted(string setting, string change)
    {
        var before = W("a");
        var after = setting switch
        {
            "Restart" => before with { Restart = RestartType.Transient },
            "Shutdown" => before with { Shutdown = Shutdown.BrutalKill },
            "Criticality" => before with { Criticality = Criticality.Critical },
            _ => before with { Tags = ["hot"] },
        };

        var plan = Plan(S(before), S(after));

        var step = Assert.IsType<UpdateChildStep>(Assert.Single(plan.Steps));
        Assert.Equal(("a", change), (step.ChildId, Assert.Single(step.Changes)));
        Assert.Empty(plan.Kept);
    }

    [Fact]
    public void The_supervisors_own_strategy_intensity_and_period_change_in_place()
    {
        var plan = Plan(S(W("a")), S(W("a")) with { Strategy = Strategy.RestForOne, Intensity = 5, Period = TimeSpan.FromSeconds(10) });

        Assert.Equal(["Strategy: OneForOne → RestForOne", "Intensity: 3 → 5", "Period: 00:00:05 → 00:00:10"], plan.SupervisorChanges);
        Assert.Empty(plan.Steps);
        Assert.False(plan.IsEmpty);
    }

    [Fact]
    public void Kept_children_in_a_new_order_take_it_as_their_start_order_without_a_restart()
    {
        var plan = Plan(S(W("a"), W("b"), W("c")), S(W("c"), W("a"), W("b")));

        Assert.Equal(["Order: a, b, c → c, a, b (the start order from now on; no child is restarted for it)"], plan.SupervisorChanges);
        Assert.Empty(plan.Steps);
    }

    [Fact]
    public void Steps_run_removed_then_updated_then_nested_then_replaced_then_added()
    {
        var inner = S(W("x"));
        var current = S(W("keep"), W("gone"), W("code", "1"), W("setting"), ChildSpec.ForSupervisor("sub", inner));
        var next = S(W("keep"), W("code", "2"), W("setting") with { Restart = RestartType.Temporary }, ChildSpec.ForSupervisor("sub", inner with { Intensity = 9 }), W("new"));

        var plan = Plan(current, next);

        Assert.Equal([typeof(StopChildStep), typeof(UpdateChildStep), typeof(UpgradeNestedStep), typeof(ReplaceChildStep), typeof(StartChildStep)], plan.Steps.Select(s => s.GetType()));
        Assert.Equal(["gone", "setting", "sub", "code", "new"], plan.Steps.Select(s => s.ChildId));
        Assert.Equal(["keep"], plan.Kept);
        Assert.Equal(
            """
            shop:
              stop and delete gone
              update setting in place: Restart: Permanent → Temporary
              upgrade sub:
                shop/sub:
                  supervisor Intensity: 3 → 9
                  keep x
              replace code: 1 → 2
              start new at position 4
              keep keep
            """.ReplaceLineEndings("\n"),
            plan.ToString().ReplaceLineEndings("\n"));
    }

    [Fact]
    public void A_nested_supervisor_is_upgraded_by_its_own_plan_and_replaced_whole_only_when_its_version_changes()
    {
        var inner = S(W("x"), W("y"));
        var nested = Plan(S(ChildSpec.ForSupervisor("sub", inner)), S(ChildSpec.ForSupervisor("sub", S(W("x", "2"), W("y")))));
        var whole = Plan(S(ChildSpec.ForSupervisor("sub", inner)), S(ChildSpec.ForSupervisor("sub", inner) with { Version = "2" }));

        var step = Assert.IsType<UpgradeNestedStep>(Assert.Single(nested.Steps));
        Assert.Equal(("shop/sub", "replace x: no version → 2"), (step.Plan.Path, Assert.Single(step.Plan.Steps).Describe()));
        Assert.IsType<ReplaceChildStep>(Assert.Single(whole.Steps));
    }

    [Fact]
    public void A_child_that_changes_kind_is_refused_naming_the_child_and_what_to_do_instead()
    {
        var plan = Plan(S(W("a"), W("db")), S(W("a"), ChildSpec.ForSupervisor("db", S(W("pool")))));

        Assert.True(plan.IsRefused);
        Assert.Empty(plan.Steps);
        var problem = Assert.Single(plan.Problems);
        Assert.Equal(("shop", "Children[1].Kind", "Supervisor"), (problem.Path, problem.Field, problem.Received));
        Assert.Contains("give the new child another id", problem.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void A_supervisor_that_would_change_kind_is_refused()
    {
        var plan = Plan(S(W("a")), new DynamicSupervisorSpec(new ChildTemplate(_ => Props.Empty)));

        var problem = Assert.Single(plan.Problems);
        Assert.Equal(("spec", "DynamicSupervisorSpec"), (problem.Field, problem.Received));
    }

    [Fact]
    public void An_invalid_next_spec_is_refused_with_every_problem_the_validator_names_before_anything_runs()
    {
        var plan = Plan(S(W("a")), S(W("a"), W("a")) with { Intensity = -1 });

        Assert.True(plan.IsRefused);
        Assert.Empty(plan.Steps);
        Assert.Contains(plan.Problems, p => p.Field == "Intensity");
        Assert.Contains(plan.Problems, p => p.Field == "Children[1].Id");
        Assert.StartsWith("refused: ", plan.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_refusal_deep_in_a_nested_supervisor_refuses_the_whole_upgrade()
    {
        var plan = Plan(S(ChildSpec.ForSupervisor("sub", S(W("x")))), S(ChildSpec.ForSupervisor("sub", S(ChildSpec.ForSupervisor("x", S(W("y")))))));

        var problem = Assert.Single(plan.Problems);
        Assert.Equal(("shop/sub", "Children[0].Kind"), (problem.Path, problem.Field));
        Assert.Empty(plan.Steps);
    }

    [Fact]
    public void A_dynamic_supervisor_takes_a_new_template_for_the_children_it_starts_from_then_on()
    {
        var template = new ChildTemplate(_ => Props.Empty);
        var current = new DynamicSupervisorSpec(template);

        var same = Plan(current, current with { });
        var changed = Plan(current, new DynamicSupervisorSpec(new ChildTemplate(_ => Props.Empty)) { MaxChildren = 10 });

        Assert.True(same.IsEmpty);
        Assert.Equal(["Template: replaced (for the children started from now on)", "MaxChildren: none → 10"], changed.SupervisorChanges);
        Assert.Empty(changed.Steps);
    }
}
