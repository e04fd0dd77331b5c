using Supervise.Supervision;
using Xunit;

namespace Supervise.Tests.Supervision;

/// <summary>
/// A group restart's order (OTP's <c>restart_multiple_children</c>), with no ActorSystem: the radius is stopped in reverse
/// start order (workers held, nested supervisors asked to stop their children and waited for, Temporary siblings stopped
/// and removed), then started in start order, each confirmed before the next; a failure of the incarnation held is covered,
/// any other is handled after the group.
/// </summary>
public sealed class GroupRestartSequenceTests
{
    private static readonly Exception Cause = new InvalidOperationException("b crashed");

    [Fact]
    public void Rest_for_one_holds_the_radius_in_reverse_order_then_starts_it_in_order_each_confirmed()
    {
        var (shell, c) = Children("a", "b", "c", "d");
        c["b"].Lifecycle = ChildLifecycle.Crashed;
        var group = new GroupRestart<Child>(shell, c["b"], Cause, [c["b"], c["c"], c["d"]], [], c.Values.ToList());

        group.Begin();
        Assert.Equal(["hold d", "hold c", "restart b"], shell.Log); // b is suspended by its own crash: not held
        Assert.True(group.Awaits(c["b"]));
        Assert.All(new[] { "b", "c", "d" }, id => Assert.True(group.Restarts(c[id])));
        Assert.False(group.Restarts(c["a"]));

        group.OnReady(c["c"]); // not awaited: ignored
        group.OnReady(c["b"]);
        group.OnReady(c["c"]);
        group.OnReady(c["d"]);

        Assert.Equal(["hold d", "hold c", "restart b", "confirm b", "restart c", "confirm c", "restart d", "confirm d", "ended"], shell.Log);
        Assert.False(group.Restarts(c["d"]));
    }

    [Fact]
    public void A_nested_supervisor_stops_its_own_children_before_the_next_sibling_is_stopped()
    {
        var (shell, c) = Children("a", "n", "z");
        c["n"].IsSupervisor = true;
        var group = new GroupRestart<Child>(shell, c["a"], Cause, [c["a"], c["n"], c["z"]], [], c.Values.ToList());

        group.Begin();
        Assert.Equal(["hold z", "stop children of n"], shell.Log); // a, the child that failed, is suspended by its own failure
        Assert.True(group.StopsNow(c["n"]));

        group.OnGone(c["z"]); // not the one being stopped: ignored
        group.OnGone(c["n"]);
        Assert.Equal(["hold z", "stop children of n", "hold n", "restart a"], shell.Log);
    }

    [Fact]
    public void A_temporary_sibling_is_stopped_by_its_shutdown_and_removed_and_one_already_gone_is_removed_at_once()
    {
        var (shell, c) = Children("a", "t1", "t2", "z");
        c["t1"].Lifecycle = ChildLifecycle.NotRunning;
        var group = new GroupRestart<Child>(shell, c["a"], Cause, [c["a"], c["z"]], [c["t1"], c["t2"]], c.Values.ToList());

        group.Begin();
        Assert.Equal(["hold z", "request stop t2"], shell.Log);
        group.OnGone(c["t2"]);

        Assert.Equal(["hold z", "request stop t2", "remove t2", "remove t1", "restart a"], shell.Log);
    }

    [Fact]
    public void A_failure_of_the_incarnation_held_is_covered_and_any_other_is_handled_after_the_group()
    {
        var (shell, c) = Children("a", "b", "c");
        var group = new GroupRestart<Child>(shell, c["a"], Cause, [c["a"], c["b"], c["c"]], [], c.Values.ToList());
        group.Begin();
        group.OnReady(c["a"]);
        Assert.True(group.Awaits(c["b"]));

        shell.HeldFailure = true; // the old incarnation's crash, reported late
        group.Fail(c["b"], new InvalidOperationException("old"));
        Assert.True(group.Awaits(c["b"]));

        shell.HeldFailure = false; // the new one fails: counted, after the group
        group.Fail(c["b"], new InvalidOperationException("new"));
        Assert.False(group.Restarts(c["b"]));
        group.OnReady(c["c"]);

        Assert.Equal(["hold c", "hold b", "restart a", "confirm a", "restart b", "covered b: old", "after group b: new", "restart c", "confirm c", "ended"], shell.Log);
        Assert.Equal([("b", "held-b"), ("b", "held-b")], shell.AskedAboutHeld); // asked of the incarnation it held, both times
    }

    [Fact]
    public void A_child_that_needs_no_confirmation_or_was_removed_meanwhile_is_passed_and_an_abort_leaves_nothing_to_restart()
    {
        var (shell, c) = Children("a", "b", "c");
        shell.NoConfirmation.Add("b");
        var group = new GroupRestart<Child>(shell, c["a"], Cause, [c["a"], c["b"], c["c"]], [], c.Values.ToList());
        group.Begin();
        c["c"].Lifecycle = ChildLifecycle.Removed;
        group.OnReady(c["a"]);
        Assert.Equal(["hold c", "hold b", "restart a", "confirm a", "restart b", "ended"], shell.Log);

        var (other, d) = Children("x", "y");
        var aborted = new GroupRestart<Child>(other, d["x"], Cause, [d["x"], d["y"]], [], d.Values.ToList());
        aborted.Begin();
        aborted.Abort();
        Assert.False(aborted.Restarts(d["y"]));
    }

    private static (Recorder Shell, Dictionary<string, Child> Children) Children(params string[] ids) =>
        (new Recorder(), ids.ToDictionary(id => id, id => new Child(id)));

    internal sealed class Child(string id) : IGroupMember
    {
        public string Id { get; } = id;

        public ChildLifecycle Lifecycle { get; set; } = ChildLifecycle.Running;

        public bool IsSupervisor { get; set; }

        public override string ToString() => Id;
    }

    internal sealed class Recorder : IGroupRestartEffects<Child>
    {
        public List<string> Log { get; } = [];

        public HashSet<string> NoConfirmation { get; } = [];

        public bool HeldFailure { get; set; }

        public List<(string, object)> AskedAboutHeld { get; } = [];

        public object? Hold(Child child)
        {
            child.Lifecycle = ChildLifecycle.Held;
            Log.Add("hold " + child.Id);
            return "held-" + child.Id;
        }

        public void StopChildrenOf(Child child) => Log.Add("stop children of " + child.Id);

        public void RequestStop(Child child)
        {
            child.Lifecycle = ChildLifecycle.Stopping;
            Log.Add("request stop " + child.Id);
        }

        public void Remove(Child child)
        {
            child.Lifecycle = ChildLifecycle.Removed;
            Log.Add("remove " + child.Id);
        }

        public bool RestartInGroup(Child child, Child failed, Exception cause)
        {
            Assert.Same(Cause, cause);
            child.Lifecycle = ChildLifecycle.Starting;
            Log.Add("restart " + child.Id);
            return !NoConfirmation.Contains(child.Id);
        }

        public void ConfirmRestarted(Child child)
        {
            child.Lifecycle = ChildLifecycle.Running;
            Log.Add("confirm " + child.Id);
        }

        public bool IsFailureOf(Child child, object held, Exception cause)
        {
            AskedAboutHeld.Add((child.Id, held));
            return HeldFailure;
        }

        public void CoveredCrash(Child child, Exception cause) => Log.Add($"covered {child.Id}: {cause.Message}");

        public void FailAfterGroup(Child child, Exception cause) => Log.Add($"after group {child.Id}: {cause.Message}");

        public void GroupRestartEnded(object group) => Log.Add("ended");
    }
}
