using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Health;

/// <summary>Health at runtime: each child's, each supervisor's by the rule, and the change events.</summary>
public sealed class TreeHealthTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    [Fact]
    public async Task A_started_tree_is_running_and_counts_restarts_and_the_last_failure()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a"), Worker("b")] });
        ExpectLife<Up>(u => u.Id == "a").Ref.Tell(new Crash("first"));
        ExpectEvent<ChildRestarted>();

        var health = await tree.Root.GetHealthAsync();

        Assert.Equal(("t", HealthState.Running), (health.Path, health.State));
        var a = health.Children.Single(c => c.Id == "a");
        Assert.Equal((HealthState.Running, Criticality.Important, 1, "first"), (a.State, a.Criticality, a.Restarts, a.LastFailure?.Message));
        Assert.Equal((0, null), (health.Children.Single(c => c.Id == "b").Restarts, health.Children.Single(c => c.Id == "b").LastFailure));
    }

    [Theory]
    [InlineData(Criticality.Important, HealthState.Degraded)]
    [InlineData(Criticality.Optional, HealthState.Degraded)]
    [InlineData(Criticality.Critical, HealthState.Down)]
    public async Task A_child_that_is_down_degrades_or_downs_its_supervisor_by_its_criticality(Criticality criticality, HealthState expected)
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Children = [Worker("steady"), Worker("t") with { Restart = RestartType.Transient, Criticality = criticality }],
        });
        ExpectLife<Up>(u => u.Id == "t").Ref.Tell(new StopSelf());

        var child = ExpectEvent<HealthChanged>(e => e.ChildId == "t");
        var supervisor = ExpectEvent<HealthChanged>(e => e.ChildId is null && e.Current != HealthState.Running);

        Assert.Equal((HealthState.Running, HealthState.Down), (child.Previous, child.Current));
        Assert.Equal(expected, supervisor.Current);
        Assert.Equal(expected, (await tree.Root.GetHealthAsync()).State);

        // Back to Running when the child is started again.
        Assert.IsType<RestartChildResult.Restarted>(await tree.Root.RestartChildAsync("t"));
        ExpectEvent<HealthChanged>(e => e.ChildId is null && e.Current == HealthState.Running);
    }

    [Fact]
    public async Task The_tree_counts_its_children_by_health_without_being_asked()
    {
        var inner = new SupervisorSpec { Children = [Worker("core") with { Restart = RestartType.Transient }, Worker("edge")] };
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a"), ChildSpec.ForSupervisor("inner", inner)] });
        int[] Counts() => Enum.GetValues<HealthState>().Select(tree.ChildrenIn).ToArray();
        Assert.Equal([4, 0, 0, 0], Counts()); // a, inner, and inner's two: the root itself is not a child

        ExpectLife<Up>(u => u.Id == "core").Ref.Tell(new StopSelf());
        ExpectEvent<HealthChanged>(e => e.SupervisorPath == "t" && e.ChildId == "inner" && e.Current == HealthState.Degraded);
        Assert.Equal([2, 0, 1, 1], Counts()); // core Down, inner Degraded

        Assert.IsType<RestartChildResult.Restarted>(await (await tree.GetSupervisorAsync("inner")).RestartChildAsync("core"));
        ExpectEvent<HealthChanged>(e => e.SupervisorPath == "t" && e.ChildId == "inner" && e.Current == HealthState.Running);
        Assert.Equal([4, 0, 0, 0], Counts());

        await tree.StopAsync();
        Assert.Equal([0, 0, 0, 0], Counts());
    }

    [Fact]
    public async Task A_nested_supervisors_health_reaches_its_parent()
    {
        var inner = new SupervisorSpec { Children = [Worker("core") with { Restart = RestartType.Transient, Criticality = Criticality.Critical }] };
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a"), ChildSpec.ForSupervisor("inner", inner)] });
        ExpectLife<Up>(u => u.Id == "core").Ref.Tell(new StopSelf());

        ExpectEvent<HealthChanged>(e => e.SupervisorPath == "t/inner" && e.ChildId is null && e.Current == HealthState.Down);
        var innerInParent = ExpectEvent<HealthChanged>(e => e.SupervisorPath == "t" && e.ChildId == "inner");

        Assert.Equal(HealthState.Down, innerInParent.Current);
        var root = await tree.Root.GetHealthAsync();
        Assert.Equal(HealthState.Degraded, root.State); // "inner" is Important to the root
        Assert.Equal(HealthState.Down, root.Children.Single(c => c.Id == "inner").State);
    }

    [Fact]
    public async Task The_whole_trees_health_nests_every_running_supervisor()
    {
        var leaf = new SupervisorSpec { Children = [Worker("x")] };
        var middle = new SupervisorSpec { Children = [ChildSpec.ForSupervisor("leaf", leaf), Worker("y") with { Restart = RestartType.Transient, Criticality = Criticality.Optional }] };
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a"), ChildSpec.ForSupervisor("middle", middle)] });
        ExpectLife<Up>(u => u.Id == "y").Ref.Tell(new StopSelf());
        ExpectEvent<HealthChanged>(e => e.SupervisorPath == "t" && e.ChildId == "middle" && e.Current == HealthState.Degraded);

        var health = await tree.GetHealthAsync();

        Assert.Equal(HealthState.Degraded, health.State);
        Assert.Null(health.Children.Single(c => c.Id == "a").Subtree);
        var middleHealth = health.Children.Single(c => c.Id == "middle").Subtree!;
        Assert.Equal(("t/middle", HealthState.Degraded), (middleHealth.Path, middleHealth.State));
        Assert.Equal(HealthState.Down, middleHealth.Children.Single(c => c.Id == "y").State);
        var leafHealth = middleHealth.Children.Single(c => c.Id == "leaf").Subtree!;
        Assert.Equal(("t/middle/leaf", HealthState.Running, "x"), (leafHealth.Path, leafHealth.State, leafHealth.Children.Single().Id));
    }

    [Fact]
    public async Task A_stopping_tree_reports_itself_down()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a")] });
        ExpectEvent<HealthChanged>(e => e.ChildId is null && e.Current == HealthState.Running);

        await tree.StopAsync();

        ExpectEvent<HealthChanged>(e => e.ChildId is null && e.Current == HealthState.Down);
    }

    [Fact]
    public async Task A_removed_child_leaves_the_counts_its_health_was_in()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Children = [Worker("a"), Worker("b") with { Restart = RestartType.Transient, Criticality = Criticality.Critical }],
        });
        ExpectLife<Up>(u => u.Id == "b").Ref.Tell(new StopSelf());
        ExpectEvent<HealthChanged>(e => e.ChildId is null && e.Current == HealthState.Down);

        Assert.IsType<DeleteChildResult.Deleted>(await tree.Root.DeleteChildAsync("b"));

        ExpectEvent<HealthChanged>(e => e.ChildId is null && e.Current == HealthState.Running);
        Assert.Equal(HealthState.Running, (await tree.Root.GetHealthAsync()).State);
    }
}
