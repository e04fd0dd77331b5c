using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Runtime;

/// <summary>OTP supervisor_SUITE's API cases: every result of start_child, terminate_child, restart_child, delete_child.</summary>
public sealed class ApiTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    [Fact]
    public async Task Which_children_count_children_and_get_childspec_describe_the_supervisor()
    {
        var a = Worker("a");
        var inner = ChildSpec.ForSupervisor("inner", new SupervisorSpec());
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [a, inner, Worker("t") with { Restart = RestartType.Transient }] });
        ExpectLife<Up>(u => u.Id == "t").Ref.Tell(new StopSelf());
        ExpectEvent<ChildTerminated>(e => e.ChildId == "t");

        var children = await tree.Root.WhichChildrenAsync();
        Assert.Equal(
            [("a", ChildStatus.Running, ChildKind.Worker), ("inner", ChildStatus.Running, ChildKind.Supervisor), ("t", ChildStatus.NotRunning, ChildKind.Worker)],
            children.Select(c => (c.Id, c.Status, c.Kind)));
        Assert.Null(children[2].Child);
        Assert.Equal(new ChildCounts(Specs: 3, Active: 2, Supervisors: 1, Workers: 2), await tree.Root.CountChildrenAsync());
        Assert.Same(a, Assert.IsType<ChildSpecResult.Found>(await tree.Root.GetChildSpecAsync("a")).Spec);
        Assert.Equal("nope", Assert.IsType<ChildSpecResult.NotFound>(await tree.Root.GetChildSpecAsync("nope")).Id);
    }

    [Fact]
    public async Task Start_child_adds_after_the_others_and_reports_every_outcome()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a")] });
        ExpectLife<Up>();

        var started = Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync(Worker("b")));
        Assert.Equal(started.Child, ExpectLife<Up>(u => u.Id == "b").Ref);
        Assert.Equal(["a", "b"], (await tree.Root.WhichChildrenAsync()).Select(c => c.Id));

        var again = Assert.IsType<StartChildResult.AlreadyStarted>(await tree.Root.StartChildAsync(Worker("b")));
        Assert.Equal(started.Child, again.Child);

        await tree.Root.TerminateChildAsync("b");
        Assert.IsType<StartChildResult.AlreadyPresent>(await tree.Root.StartChildAsync(Worker("b")));

        var failed = Assert.IsType<StartChildResult.Failed>(await tree.Root.StartChildAsync(Worker("bad", new WorkerScript { FailPreStart = _ => true })));
        Assert.Equal("bad", failed.Id);
        Assert.Contains("PreStart fails", failed.Cause.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await tree.Root.WhichChildrenAsync(), c => c.Id == "bad");

        var invalid = Assert.IsType<StartChildResult.InvalidSpec>(await tree.Root.StartChildAsync(Worker("sig") with { Significant = true }));
        Assert.Equal(2, invalid.Problems.Count);

        Assert.IsType<StartChildResult.NotSupported>(await tree.Root.StartChildAsync((object)"args"));
    }

    [Fact]
    public async Task Terminate_child_keeps_the_spec_except_for_temporary_children()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("p"), Worker("tmp") with { Restart = RestartType.Temporary }] });
        ExpectUps(2);

        Assert.IsType<TerminateChildResult.Terminated>(await tree.Root.TerminateChildAsync("p"));
        Assert.IsType<TerminateChildResult.Terminated>(await tree.Root.TerminateChildAsync("tmp"));
        Assert.IsType<TerminateChildResult.NotFound>(await tree.Root.TerminateChildAsync("nope"));

        var children = await tree.Root.WhichChildrenAsync();
        Assert.Equal(("p", ChildStatus.NotRunning), children.Select(c => (c.Id, c.Status)).Single());
        Assert.Equal(["p", "tmp"], ExpectDowns(2).Order());

        // A terminated permanent child is not restarted: the supervisor stopped it.
        Events.FishForMessage(m => m is ChildTerminated { ChildId: "tmp" });
        await ExpectNoSupervisionActionAsync(tree);
    }

    [Fact]
    public async Task Restart_child_starts_a_stopped_child_and_reports_every_outcome()
    {
        var flaky = new WorkerScript { FailConstructor = n => n == 2 };
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a"), Worker("flaky", flaky)] });
        ExpectUps(2);

        Assert.IsType<RestartChildResult.Running>(await tree.Root.RestartChildAsync("a"));
        Assert.IsType<RestartChildResult.NotFound>(await tree.Root.RestartChildAsync("nope"));

        await tree.Root.TerminateChildAsync("a");
        var restarted = Assert.IsType<RestartChildResult.Restarted>(await tree.Root.RestartChildAsync("a"));
        Assert.Equal(restarted.Child, ExpectLife<Up>(u => u.Id == "a" && u.Incarnation == 2).Ref);

        await tree.Root.TerminateChildAsync("flaky");
        var failed = Assert.IsType<RestartChildResult.Failed>(await tree.Root.RestartChildAsync("flaky"));
        Assert.Contains("constructor fails", failed.Cause.Message, StringComparison.Ordinal);
        Assert.Equal(ChildStatus.NotRunning, (await tree.Root.WhichChildrenAsync()).Single(c => c.Id == "flaky").Status);
        Assert.IsType<RestartChildResult.Restarted>(await tree.Root.RestartChildAsync("flaky"));
    }

    [Fact]
    public async Task Delete_child_removes_only_a_stopped_childs_spec()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a")] });
        ExpectLife<Up>();

        Assert.IsType<DeleteChildResult.Running>(await tree.Root.DeleteChildAsync("a"));
        await tree.Root.TerminateChildAsync("a");
        Assert.IsType<DeleteChildResult.Deleted>(await tree.Root.DeleteChildAsync("a"));
        Assert.IsType<DeleteChildResult.NotFound>(await tree.Root.DeleteChildAsync("a"));
        Assert.Empty(await tree.Root.WhichChildrenAsync());
    }

    [Fact]
    public async Task A_child_whose_restart_keeps_failing_is_reported_restarting()
    {
        var broken = 1;
        var failing = new WorkerScript { FailConstructor = n => n > 1 && Volatile.Read(ref broken) == 1 };
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = int.MaxValue, Children = [Worker("w", failing)] });
        ExpectLife<Up>().Ref.Tell(new Crash("boom"));
        await AwaitAssertAsync(() => Assert.True(failing.Incarnations > 2));

        Assert.Equal(ChildStatus.Restarting, (await tree.Root.WhichChildrenAsync()).Single().Status);
        Assert.IsType<RestartChildResult.Restarting>(await tree.Root.RestartChildAsync("w"));
        Assert.IsType<DeleteChildResult.Restarting>(await tree.Root.DeleteChildAsync("w"));

        Volatile.Write(ref broken, 0);
        await AwaitAssertAsync(async () => Assert.Equal(ChildStatus.Running, (await tree.Root.WhichChildrenAsync()).Single().Status));
    }

    [Fact]
    public async Task Calls_on_a_nested_supervisor_go_through_its_own_handle()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [ChildSpec.ForSupervisor("inner", new SupervisorSpec { Children = [Worker("x")] }), Worker("w")] });

        var inner = await tree.GetSupervisorAsync("inner");

        Assert.Equal("t/inner", inner.Path);
        Assert.Equal("x", (await inner.WhichChildrenAsync()).Single().Id);
        var notSupervisor = await Assert.ThrowsAsync<InvalidOperationException>(() => tree.Root.GetSupervisorAsync("w"));
        Assert.Contains("not a running supervisor", notSupervisor.Message, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<InvalidOperationException>(() => tree.Root.GetSupervisorAsync("zzz"));
        Assert.Contains("its children are: inner, w", missing.Message, StringComparison.Ordinal);
    }
}
