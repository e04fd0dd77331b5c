using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Runtime;

/// <summary>OTP supervisor_SUITE "sup_stop" group: infinity, timeout and brutal kill, static and dynamic.</summary>
public sealed class ShutdownTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    [Fact]
    public async Task Timeout_forces_a_child_that_does_not_stop_and_no_sooner()
    {
        using var gate = new ManualResetEventSlim();
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("stuck") with { Shutdown = Supervise.Shutdown.Timeout(TimeSpan.FromSeconds(2)) }] });
        ExpectLife<Up>().Ref.Tell(new Block(gate));

        var stopping = tree.StopAsync();
        ExpectEvent<ChildStopRequested>(e => e.Shutdown.Mode == ShutdownMode.Timeout);
        Time.Advance(TimeSpan.FromSeconds(2) - TimeSpan.FromTicks(1));
        await ExpectNoSupervisionActionOnceCaughtUpAsync(tree.Root.Actor);
        Assert.False(stopping.IsCompleted);

        Time.Advance(TimeSpan.FromTicks(1));

        var terminated = ExpectEvent<ChildTerminated>();
        Assert.Equal(ExitKind.Failure, terminated.Reason.Kind);
        Assert.Contains("did not stop within its shutdown timeout", terminated.Reason.Detail, StringComparison.Ordinal);
        Assert.Equal(TreeStopReason.Stopped, (await stopping).Reason);
        gate.Set();
        ExpectLife<Down>(); // the blocked handler returned, and the forced stop took effect
    }

    [Fact]
    public async Task A_graceful_stop_lets_the_child_handle_what_is_already_queued()
    {
        using var gate = new ManualResetEventSlim();
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] });
        var w = ExpectLife<Up>().Ref;
        w.Tell(new Block(gate));
        w.Tell("one");
        w.Tell("two");

        var stopping = tree.StopAsync();
        ExpectEvent<ChildStopRequested>();
        gate.Set();

        Assert.Equal("one", ExpectLife<Got>(g => g.Message is string).Message);
        Assert.Equal("two", ExpectLife<Got>(g => g.Message is string).Message);
        ExpectLife<Down>();
        await stopping;
    }

    [Fact]
    public async Task Brutal_kill_discards_the_queued_messages()
    {
        using var gate = new ManualResetEventSlim();
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w") with { Shutdown = Supervise.Shutdown.BrutalKill }] });
        var w = ExpectLife<Up>().Ref;
        w.Tell(new Block(gate));
        w.Tell("never handled");
        ExpectLife<Blocked>();

        var stopping = tree.StopAsync();
        ExpectEvent<ChildStopRequested>(e => e.Shutdown == Supervise.Shutdown.BrutalKill);
        gate.Set();

        // Down is the last thing the child sends: everything it handled came before.
        var handled = LifeUntil<Down>().OfType<Got>().Select(g => g.Message).ToList();
        Assert.IsType<Block>(Assert.Single(handled));
        await stopping;

        // Discarded, but not silently.
        var dropped = ExpectEvent<MessageDropped>();
        Assert.Equal(("t", "w", "never handled"), (dropped.SupervisorPath, dropped.ChildId, dropped.Message));
    }

    [Fact]
    public async Task Infinity_waits_as_long_as_the_child_takes()
    {
        using var gate = new ManualResetEventSlim();
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w") with { Shutdown = Supervise.Shutdown.Infinity }] });
        ExpectLife<Up>().Ref.Tell(new Block(gate));

        var stopping = tree.StopAsync();
        ExpectEvent<ChildStopRequested>(e => e.Shutdown == Supervise.Shutdown.Infinity);
        Time.Advance(TimeSpan.FromHours(1));
        await ExpectNoSupervisionActionOnceCaughtUpAsync(tree.Root.Actor);
        Assert.False(stopping.IsCompleted);

        gate.Set();

        Assert.Equal(ExitReason.Shutdown, ExpectEvent<ChildTerminated>().Reason);
        await stopping;
    }

    [Fact]
    public async Task A_tree_shuts_down_depth_first_in_reverse_start_order()
    {
        var inner = new SupervisorSpec { Children = [Worker("x"), Worker("y")] };
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a"), ChildSpec.ForSupervisor("inner", inner), Worker("b")] });
        Assert.Equal(["a", "x", "y", "b"], ExpectUps(4));

        await tree.StopAsync();

        Assert.Equal(["b", "y", "x", "a"], ExpectDowns(4));
        Assert.Equal(TreeStopReason.Stopped, ExpectEvent<TreeShutdown>().Reason);
    }

    [Fact]
    public async Task A_dynamic_supervisor_stops_its_children_concurrently()
    {
        var gates = Enumerable.Range(0, 3).Select(_ => new ManualResetEventSlim()).ToList();
        var spec = new DynamicSupervisorSpec(new ChildTemplate(args => TestWorker.Props((string)args!, Life.Ref))
        {
            Shutdown = Supervise.Shutdown.Timeout(TimeSpan.FromSeconds(5)),
        });
        var tree = await StartTreeAsync(spec);
        foreach (var (gate, i) in gates.Select((g, i) => (g, i)))
        {
            var started = Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync((object)("d" + i)));
            started.Child.Tell(new Block(gate));
        }

        var stopping = tree.StopAsync();

        // All three are asked at once, not one after another.
        for (var i = 0; i < 3; i++)
        {
            ExpectEvent<ChildStopRequested>();
        }

        Time.Advance(TimeSpan.FromSeconds(5));
        await stopping;
        gates.ForEach(g =>
        {
            g.Set();
            g.Dispose();
        });
    }

    [Theory]
    [InlineData(ShutdownMode.BrutalKill)]
    [InlineData(ShutdownMode.Infinity)]
    public async Task A_dynamic_supervisor_stops_its_children_by_the_templates_shutdown(ShutdownMode mode)
    {
        var shutdown = mode == ShutdownMode.BrutalKill ? Supervise.Shutdown.BrutalKill : Supervise.Shutdown.Infinity;
        var tree = await StartTreeAsync(new DynamicSupervisorSpec(new ChildTemplate(args => TestWorker.Props((string)args!, Life.Ref)) { Shutdown = shutdown }));
        using var gate = new ManualResetEventSlim();
        var blocked = Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync((object)"blocked")).Child;
        await tree.Root.StartChildAsync((object)"idle");
        blocked.Tell(new Block(gate));
        blocked.Tell("queued");
        ExpectLife<Blocked>();

        var stopping = tree.StopAsync();
        ExpectEvent<ChildStopRequested>(e => e.Shutdown == shutdown);
        ExpectEvent<ChildStopRequested>(e => e.Shutdown == shutdown);
        gate.Set();
        await stopping;

        // Infinity stops gracefully, after the queued message; brutal kill discards it. The tree has stopped: every
        // child's messages, its Down last, have been sent.
        var handled = ReceivedSoFar(Life).OfType<Got>().Any(g => "queued".Equals(g.Message));
        Assert.Equal(mode == ShutdownMode.Infinity, handled);
    }

    [Fact]
    public async Task A_supervisor_stuck_restarting_a_child_still_shuts_down()
    {
        var neverStarts = new WorkerScript { FailConstructor = n => n > 1 };
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = int.MaxValue, Children = [Worker("w", neverStarts)] });
        ExpectLife<Up>().Ref.Tell(new Crash("boom"));
        await AwaitAssertAsync(() => Assert.True(neverStarts.Incarnations > 10));

        var outcome = await tree.StopAsync();

        Assert.Equal(TreeStopReason.Stopped, outcome.Reason);
    }

    [Fact]
    public async Task A_stopped_trees_name_can_be_used_again_at_once()
    {
        for (var i = 0; i < 20; i++)
        {
            var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] });
            await tree.StopAsync();
        }
    }

    [Fact]
    public async Task Stopping_a_stopped_tree_returns_the_same_outcome()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] });

        var first = await tree.StopAsync();
        var second = await tree.StopAsync();

        Assert.Same(first, second);
    }

    [Fact]
    public async Task Calls_to_a_stopping_supervisor_fail_with_a_clear_error()
    {
        using var gate = new ManualResetEventSlim();
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w") with { Shutdown = Supervise.Shutdown.Infinity }] });
        ExpectLife<Up>().Ref.Tell(new Block(gate));
        var stopping = tree.StopAsync();
        ExpectEvent<ChildStopRequested>();
        try
        {
            var error = await Assert.ThrowsAsync<SupervisorUnavailableException>(() => tree.Root.WhichChildrenAsync());

            Assert.Contains("shutting down", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            gate.Set();
        }

        await stopping;
    }
}
