using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Runtime;

/// <summary>Cases found in review: races between children's own exits and the supervisor's own work.</summary>
public sealed class ReviewRegressionTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    [Fact]
    public async Task A_child_that_stops_by_itself_while_the_tree_stops_in_order_is_simply_gone()
    {
        using var gate = new ManualResetEventSlim();
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a"), Worker("b") with { Shutdown = Supervise.Shutdown.Infinity }] });
        var ups = Enumerable.Range(0, 2).Select(_ => ExpectLife<Up>()).ToDictionary(u => u.Id, u => u.Ref);
        ups["b"].Tell(new Block(gate));
        ExpectLife<Blocked>();

        var stopping = tree.StopAsync();
        ExpectEvent<ChildStopRequested>(e => e.ChildId == "b");
        ups["a"].Tell(new StopSelf()); // a leaves while b is still being stopped
        ExpectEvent<ChildTerminated>(e => e.ChildId == "a");
        gate.Set();

        Assert.Equal(TreeStopReason.Stopped, (await stopping).Reason);
    }

    [Fact]
    public async Task A_child_that_exits_while_its_supervisor_is_busy_and_is_then_terminated_stays_stopped()
    {
        using var gate = new ManualResetEventSlim();
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("slow") with { Shutdown = Supervise.Shutdown.Infinity }, Worker("b")] });
        var ups = Enumerable.Range(0, 2).Select(_ => ExpectLife<Up>()).ToDictionary(u => u.Id, u => u.Ref);
        ups["slow"].Tell(new Block(gate));
        ExpectLife<Blocked>();

        var busy = tree.Root.TerminateChildAsync("slow");      // the supervisor waits for slow
        ExpectEvent<ChildStopRequested>(e => e.ChildId == "slow");
        var terminateB = tree.Root.TerminateChildAsync("b");   // queued behind it
        ups["b"].Tell(new StopSelf());                          // b's own exit, queued too
        ExpectEvent<ChildTerminated>(e => e.ChildId == "b");
        gate.Set();
        await busy;

        Assert.IsType<TerminateChildResult.Terminated>(await terminateB);
        var later = await SettledEventsAsync(tree);
        Assert.DoesNotContain(later, e => e is ChildRestarted or ChildStarted);
        Assert.Equal(ChildStatus.NotRunning, (await tree.Root.WhichChildrenAsync()).Single(c => c.Id == "b").Status);
    }

    [Fact]
    public async Task A_nested_supervisor_done_stopping_but_for_an_abandoned_child_no_longer_counts_as_work_in_progress()
    {
        using var gate = new ManualResetEventSlim();
        var inner = new SupervisorSpec { Children = [Worker("stuck") with { Shutdown = Supervise.Shutdown.Timeout(TimeSpan.FromSeconds(1)) }] };
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [ChildSpec.ForSupervisor("inner", inner), Worker("b")] });
        var ups = Enumerable.Range(0, 2).Select(_ => ExpectLife<Up>()).ToDictionary(u => u.Id, u => u.Ref);
        ups["stuck"].Tell(new Block(gate));
        ExpectLife<Blocked>();

        var terminate = tree.Root.TerminateChildAsync("inner");
        ExpectEvent<ChildStopRequested>(e => e.ChildId == "stuck");
        Time.Advance(TimeSpan.FromSeconds(1));
        ExpectEvent<ChildTerminated>(e => e.ChildId == "stuck"); // abandoned: blocked in its handler, its actor lives on
        await terminate;

        // The inner supervisor has done all it can; only Akka waits for the abandoned child. The tree is settled.
        Assert.True(await tree.WhenSettledAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal(0, tree.RestartsInProgress);
        gate.Set();
    }

    [Fact]
    public async Task A_sibling_whose_name_is_still_taken_is_restarted_once_it_is_free_without_counting_twice()
    {
        using var gate = new ManualResetEventSlim();
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Strategy = Strategy.OneForAll,
            Intensity = 1,
            Children = [Worker("a"), Worker("stuck") with { Shutdown = Supervise.Shutdown.Timeout(TimeSpan.FromSeconds(1)) }],
        });
        var ups = Enumerable.Range(0, 2).Select(_ => ExpectLife<Up>()).ToDictionary(u => u.Id, u => u.Ref);
        ups["stuck"].Tell(new Block(gate));
        ExpectLife<Blocked>();
        var terminate = tree.Root.TerminateChildAsync("stuck");
        ExpectEvent<ChildStopRequested>();
        Time.Advance(TimeSpan.FromSeconds(1));
        await terminate; // abandoned: its actor (and name) lives until its handler returns

        ups["a"].Tell(new Crash("boom"));
        ExpectEvent<ChildRestarted>(e => e.ChildId == "a");
        Assert.Equal(ChildStatus.Restarting, (await tree.Root.WhichChildrenAsync()).Single(c => c.Id == "stuck").Status);
        gate.Set();

        ExpectEvent<ChildRestarted>(e => e.ChildId == "stuck");
        await AwaitAssertAsync(async () => Assert.All(await tree.Root.WhichChildrenAsync(), c => Assert.Equal(ChildStatus.Running, c.Status)));
        Assert.False(tree.Completion.IsCompleted);
    }

    [Fact]
    public async Task A_child_whose_failed_restart_is_then_terminated_is_not_reported_restarting()
    {
        var script = new WorkerScript { FailPreStart = n => n == 2 };
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 10, Children = [Worker("w", script)] });
        ExpectLife<Up>().Ref.Tell(new Crash("boom"));
        await AwaitAssertAsync(() => Assert.True(script.Incarnations >= 3));

        await tree.Root.TerminateChildAsync("w");
        Assert.IsType<RestartChildResult.Restarted>(await tree.Root.RestartChildAsync("w"));

        Assert.Equal(ChildStatus.Running, (await tree.Root.WhichChildrenAsync()).Single().Status);
    }

    [Fact]
    public async Task A_temporary_sibling_in_the_blast_radius_is_stopped_by_its_shutdown_spec()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Strategy = Strategy.OneForAll,
            Children = [Worker("a"), Worker("tmp") with { Restart = RestartType.Temporary, Shutdown = Supervise.Shutdown.Timeout(TimeSpan.FromSeconds(3)) }],
        });
        var ups = Enumerable.Range(0, 2).Select(_ => ExpectLife<Up>()).ToDictionary(u => u.Id, u => u.Ref);
        ups["tmp"].Tell("queued before the crash");

        ups["a"].Tell(new Crash("boom"));

        var request = ExpectEvent<ChildStopRequested>(e => e.ChildId == "tmp");
        Assert.Equal(ShutdownMode.Timeout, request.Shutdown.Mode);
        ExpectEvent<ChildRestarted>(e => e.ChildId == "a");
        await AwaitAssertAsync(async () => Assert.Equal(["a"], (await tree.Root.WhichChildrenAsync()).Select(c => c.Id)));
    }

    [Fact]
    public async Task A_root_that_fails_to_start_reports_why()
    {
        var spec = new SupervisorSpec { Children = [Worker("bad", new WorkerScript { FailConstructor = _ => true })] };
        var system = ActorSystem.Create("start-failure", Sys.Settings.Config);
        try
        {
            var link = Sys.StartTreeAsync(spec, new TreeOptions { Name = "sf", TimeProvider = Time });
            await Assert.ThrowsAsync<ChildStartException>(() => link);

            var shutdown = ExpectEvent<TreeShutdown>(e => e.SupervisorPath == "sf");
            Assert.Equal(TreeStopReason.StartFailed, shutdown.Reason);
            Assert.IsType<ChildStartException>(shutdown.Error);
        }
        finally
        {
            await system.Terminate();
        }
    }

    [Fact]
    public async Task Calls_to_a_stopped_supervisor_fail_at_once()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] });
        await tree.StopAsync();

        var call = tree.Root.WhichChildrenAsync();

        var error = await Assert.ThrowsAsync<SupervisorUnavailableException>(() => call.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("stopped", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bug_in_the_root_stops_the_tree_in_order_instead_of_restarting_it()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a"), Worker("b")] });
        ExpectUps(2);

        tree.Root.Actor.Tell(new Supervise.Chaos.SimulatedBug("a bug in the root supervisor"));

        var outcome = await tree.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(TreeStopReason.Failed, outcome.Reason);
        Assert.Equal(["b", "a"], ExpectDowns(2));
        Assert.DoesNotContain(ReceivedSoFar(Life), m => m is Up); // the tree was not restarted (it has stopped: nothing can start now)
    }
}
