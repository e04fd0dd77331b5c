using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Runtime;

/// <summary>OTP supervisor_SUITE "restart" groups: intensity, the sliding window, and escalation.</summary>
public sealed class IntensityTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    [Fact]
    public async Task Intensity_restarts_within_the_period_are_made_and_one_more_gives_up()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a"), Worker("w"), Worker("z")] });
        var w = ExpectLife<Up>(u => u.Id == "w").Ref;
        ExpectLife<Up>(u => u.Id == "z");

        for (var n = 1; n <= 3; n++)
        {
            w.Tell(new Crash("boom " + n));
            Assert.Equal(n, ExpectEvent<ChildRestarted>().RestartsInWindow);
            ExpectLife<Up>(u => u.Id == "w" && u.Incarnation == n + 1);
        }

        w.Tell(new Crash("the last straw"));

        var gaveUp = ExpectEvent<SupervisorGaveUp>();
        Assert.Equal(("w", 4, 3, TimeSpan.FromSeconds(5)), (gaveUp.ChildId, gaveUp.Restarts, gaveUp.Intensity, gaveUp.Period));
        Assert.Equal(["z", "w", "a"], ExpectDowns(3)); // reverse start order; the crashed w is stopped at its turn
        var outcome = await tree.Completion;
        Assert.Equal(TreeStopReason.GaveUp, outcome.Reason);
        var error = Assert.IsType<RestartIntensityExceededException>(outcome.Error);
        Assert.Equal(("t", "w", 4, 3), (error.SupervisorPath, error.ChildId, error.Restarts, error.Intensity));
        Assert.Contains("restart 4 within 5 s", error.Message, StringComparison.Ordinal);
        Assert.Equal("the last straw", error.InnerException?.Message);
    }

    [Fact]
    public async Task Restarts_spaced_beyond_the_period_never_trip_the_limit()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 1, Period = TimeSpan.FromSeconds(10), Children = [Worker("w")] });
        var w = ExpectLife<Up>().Ref;

        for (var n = 1; n <= 20; n++)
        {
            w.Tell(new Crash("boom"));
            Assert.Equal(1, ExpectEvent<ChildRestarted>().RestartsInWindow);
            Time.Advance(TimeSpan.FromSeconds(10.001));
        }

        Assert.False(tree.Completion.IsCompleted);
    }

    [Fact]
    public async Task The_window_slides_and_counts_a_restart_exactly_one_period_old()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 2, Period = TimeSpan.FromSeconds(5), Children = [Worker("w")] });
        var w = ExpectLife<Up>().Ref;

        // Restarts at t = 0 and t = 3; at t = 5.5 the first has left the window.
        await CrashAt(w, 0, expectedCount: 1);
        await CrashAt(w, 3, expectedCount: 2);
        await CrashAt(w, 5.5, expectedCount: 2);

        // At t = 8 the restart at t = 3 is exactly one period old: it still counts, so this is the third.
        Time.Advance(TimeSpan.FromSeconds(2.5));
        w.Tell(new Crash("boom"));
        Assert.Equal(3, ExpectEvent<SupervisorGaveUp>().Restarts);
        Assert.Equal(TreeStopReason.GaveUp, (await tree.Completion).Reason);
    }

    [Fact]
    public async Task Intensity_zero_gives_up_at_the_first_restart()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 0, Children = [Worker("w")] });
        ExpectLife<Up>().Ref.Tell(new Crash("boom"));

        Assert.Equal(1, ExpectEvent<SupervisorGaveUp>().Restarts);
        Assert.Equal(TreeStopReason.GaveUp, (await tree.Completion).Reason);
    }

    [Fact]
    public async Task Exits_that_are_not_restarted_do_not_count()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 0, Children = [Worker("t") with { Restart = RestartType.Transient }, Worker("tmp") with { Restart = RestartType.Temporary }] });
        var t = ExpectLife<Up>(u => u.Id == "t").Ref;
        var tmp = ExpectLife<Up>(u => u.Id == "tmp").Ref;

        t.Tell(new StopSelf());
        tmp.Tell(new Crash("boom"));

        // With intensity 0, a single counted restart would have stopped the tree and failed these calls.
        await AwaitAssertAsync(async () =>
        {
            var counts = await tree.Root.CountChildrenAsync();
            Assert.Equal((1, 0), (counts.Specs, counts.Active));
        });
        Assert.False(tree.Completion.IsCompleted);
    }

    [Fact]
    public async Task A_nested_supervisor_that_gives_up_is_restarted_by_its_parent_which_is_escalation()
    {
        var inner = new SupervisorSpec { Intensity = 1, Children = [Worker("x"), Worker("y")] };
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("sibling"), ChildSpec.ForSupervisor("inner", inner)] });
        var sibling = ExpectLife<Up>(u => u.Id == "sibling").Ref;
        var x = ExpectLife<Up>(u => u.Id == "x").Ref;
        ExpectLife<Up>(u => u.Id == "y");
        var innerRef = await ChildRef(tree.Root, "inner");

        x.Tell(new Crash("one"));
        ExpectLife<Up>(u => u.Id == "x" && u.Incarnation == 2);
        x.Tell(new Crash("two"));

        var gaveUp = ExpectEvent<SupervisorGaveUp>();
        Assert.Equal("t/inner", gaveUp.SupervisorPath);
        var crash = ExpectEvent<ChildCrashed>(e => e.ChildId == "inner");
        var reason = Assert.IsType<RestartIntensityExceededException>(crash.Cause);
        Assert.Equal(("t/inner", "x", 2), (reason.SupervisorPath, reason.ChildId, reason.Restarts));
        var restarted = ExpectEvent<ChildRestarted>(e => e.ChildId == "inner");
        Assert.Equal((1, "t"), (restarted.RestartsInWindow, restarted.SupervisorPath));

        // The parent restarted the nested supervisor in place; it started its children again, fresh.
        Assert.Equal(["x", "y"], ExpectUps(2));
        Assert.Equal(innerRef, await ChildRef(tree.Root, "inner"));
        Assert.Equal(sibling, await ChildRef(tree.Root, "sibling"));
        var handle = await tree.GetSupervisorAsync("inner");
        Assert.Equal(2, (await handle.CountChildrenAsync()).Active);
    }

    [Fact]
    public async Task Escalation_climbs_until_a_supervisor_can_absorb_it_or_the_root_gives_up()
    {
        var inner = new SupervisorSpec { Intensity = 0, Children = [Worker("x")] };
        var middle = new SupervisorSpec { Intensity = 0, Children = [ChildSpec.ForSupervisor("inner", inner)] };
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 0, Children = [Worker("a"), ChildSpec.ForSupervisor("middle", middle)] });
        var x = ExpectLife<Up>(u => u.Id == "x").Ref;

        x.Tell(new Crash("deep"));

        Assert.Equal("t/middle/inner", ExpectEvent<SupervisorGaveUp>().SupervisorPath);
        Assert.Equal("t/middle", ExpectEvent<SupervisorGaveUp>().SupervisorPath);
        var root = ExpectEvent<SupervisorGaveUp>();
        Assert.Equal(("t", "middle"), (root.SupervisorPath, root.ChildId));
        var outcome = await tree.Completion;
        var error = Assert.IsType<RestartIntensityExceededException>(outcome.Error);
        Assert.Equal("middle", error.ChildId);
        Assert.IsType<RestartIntensityExceededException>(error.InnerException);
        ExpectLife<Down>(d => d.Id == "a");
    }

    [Fact]
    public async Task A_sibling_that_fails_to_restart_counts_as_another_restart()
    {
        // "other child fails to restart": b's second incarnation cannot start.
        var b = new WorkerScript { FailConstructor = n => n == 2 };
        var tree = await StartTreeAsync(new SupervisorSpec { Strategy = Strategy.OneForAll, Intensity = 5, Children = [Worker("a"), Worker("b", b), Worker("c")] });
        var a = ExpectLife<Up>(u => u.Id == "a").Ref;

        a.Tell(new Crash("boom"));

        ExpectEvent<ChildCrashed>(e => e.ChildId == "b" && e.Cause is ActorInitializationException);
        Assert.Equal(2, ExpectEvent<ChildRestarted>(e => e.TriggeredBy == "b").RestartsInWindow);
        await AwaitAssertAsync(async () =>
            Assert.All(await tree.Root.WhichChildrenAsync(), c => Assert.Equal(ChildStatus.Running, c.Status)));
        Assert.Equal(3, b.Incarnations);
    }

    [Fact]
    public async Task A_child_that_can_never_restart_makes_its_supervisor_give_up()
    {
        var w = new WorkerScript { FailConstructor = n => n > 1 };
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 3, Children = [Worker("w", w)] });

        ExpectLife<Up>().Ref.Tell(new Crash("boom"));

        Assert.Equal(4, ExpectEvent<SupervisorGaveUp>().Restarts);
        Assert.Equal(TreeStopReason.GaveUp, (await tree.Completion).Reason);
    }

    [Fact]
    public async Task The_root_can_terminate_the_actor_system_when_it_gives_up()
    {
        var system = ActorSystem.Create("root-gives-up", Sys.Settings.Config);
        try
        {
            var tree = await system.StartTreeAsync(
                new SupervisorSpec { Intensity = 0, Children = [ChildSpec.Worker("w", TestWorker.Props("w", Life.Ref))] },
                new TreeOptions { Name = "app", TimeProvider = Time, OnRootGiveUp = RootGiveUp.TerminateActorSystem });

            ExpectLife<Up>().Ref.Tell(new Crash("fatal"));

            await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(TreeStopReason.GaveUp, (await tree.Completion).Reason);
        }
        finally
        {
            await system.Terminate();
        }
    }

    private async Task CrashAt(IActorRef child, double seconds, int expectedCount)
    {
        var now = Time.GetUtcNow();
        var target = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddSeconds(seconds);
        if (target > now)
        {
            Time.Advance(target - now);
        }

        child.Tell(new Crash("boom"));
        Assert.Equal(expectedCount, ExpectEvent<ChildRestarted>().RestartsInWindow);
        await Task.CompletedTask;
    }
}
