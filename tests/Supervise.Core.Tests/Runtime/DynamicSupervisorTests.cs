using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Runtime;

/// <summary>OTP simple_one_for_one and Elixir DynamicSupervisor behaviour.</summary>
public sealed class DynamicSupervisorTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    private DynamicSupervisorSpec Spec(RestartType restart = RestartType.Permanent, int? max = null) =>
        new(new ChildTemplate(args => TestWorker.Props((string)args!, Life.Ref)) { Restart = restart }) { MaxChildren = max };

    [Fact]
    public async Task Children_start_from_the_template_with_their_arguments()
    {
        var tree = await StartTreeAsync(Spec());

        var one = Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync((object)"one"));
        var two = Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync((object)"two"));

        Assert.Equal(("one", one.Child), (ExpectLife<Up>().Id, one.Child));
        Assert.Equal(two.Child, ExpectLife<Up>(u => u.Id == "two").Ref);
        Assert.NotEqual(one.Id, two.Id);
        Assert.Equal(new ChildCounts(2, 2, 0, 2), await tree.Root.CountChildrenAsync());
    }

    [Fact]
    public async Task Max_children_is_a_clear_refusal()
    {
        var tree = await StartTreeAsync(Spec(max: 1));
        await tree.Root.StartChildAsync((object)"one");

        var refused = Assert.IsType<StartChildResult.MaxChildrenReached>(await tree.Root.StartChildAsync((object)"two"));

        Assert.Equal(1, refused.MaxChildren);
    }

    [Fact]
    public async Task A_child_that_fails_to_start_is_reported_and_leaves_the_others_alone()
    {
        var spec = new DynamicSupervisorSpec(new ChildTemplate(args => args is "bad"
            ? Props.Create(() => new TestWorker("bad", Life.Ref, new WorkerScript { FailConstructor = _ => true }))
            : TestWorker.Props((string)args!, Life.Ref)));
        var tree = await StartTreeAsync(spec);
        var good = Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync((object)"good"));

        var failed = Assert.IsType<StartChildResult.Failed>(await tree.Root.StartChildAsync((object)"bad"));

        Assert.IsType<ChildStartException>(failed.Cause);
        Assert.Equal(good.Child, (await tree.Root.WhichChildrenAsync()).Single().Child);
    }

    [Fact]
    public async Task Temporary_children_are_removed_when_they_exit_and_permanent_ones_restart()
    {
        var temporary = await StartTreeAsync(Spec(RestartType.Temporary));
        var t = Assert.IsType<StartChildResult.Started>(await temporary.Root.StartChildAsync((object)"t"));
        t.Child.Tell(new Crash("boom"));
        await AwaitAssertAsync(async () => Assert.Empty(await temporary.Root.WhichChildrenAsync()));
        await temporary.StopAsync();

        var permanent = await StartTreeAsync(Spec(RestartType.Permanent));
        var p = Assert.IsType<StartChildResult.Started>(await permanent.Root.StartChildAsync((object)"p"));
        p.Child.Tell(new Crash("boom"));
        Assert.Equal(p.Id, ExpectEvent<ChildRestarted>().ChildId);
        Assert.Equal(p.Child, (await permanent.Root.WhichChildrenAsync()).Single().Child);
    }

    [Fact]
    public async Task Children_are_terminated_by_reference_and_the_spec_api_is_not_supported()
    {
        var tree = await StartTreeAsync(Spec());
        var child = Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync((object)"c"));

        Assert.IsType<TerminateChildResult.NotFound>(await tree.Root.TerminateChildAsync(TestActor));
        Assert.IsType<TerminateChildResult.Terminated>(await tree.Root.TerminateChildAsync(child.Child));
        Assert.Empty(await tree.Root.WhichChildrenAsync());
        Assert.IsType<RestartChildResult.NotSupported>(await tree.Root.RestartChildAsync("1"));
        Assert.IsType<DeleteChildResult.NotSupported>(await tree.Root.DeleteChildAsync("1"));
        Assert.IsType<StartChildResult.NotSupported>(await tree.Root.StartChildAsync(Worker("x")));
    }

    [Fact]
    public async Task A_batch_starts_at_once_and_answers_one_result_per_argument_in_order()
    {
        var spec = new DynamicSupervisorSpec(new ChildTemplate(args => args is "bad"
            ? Props.Create(() => new TestWorker("bad", Life.Ref, new WorkerScript { FailPreStart = _ => true }))
            : TestWorker.Props((string)args!, Life.Ref)))
        { MaxChildren = 4 };
        var tree = await StartTreeAsync(spec);
        await tree.Root.StartChildAsync((object)"first");

        var results = await tree.Root.StartChildrenAsync(["a", "bad", "b", "c", "d"]);

        Assert.IsType<StartChildResult.Started>(results[0]);
        Assert.Contains("PreStart fails", Assert.IsType<StartChildResult.Failed>(results[1]).Cause.Message, StringComparison.Ordinal);
        Assert.IsType<StartChildResult.Started>(results[2]);
        Assert.Equal(4, Assert.IsType<StartChildResult.MaxChildrenReached>(results[3]).MaxChildren);
        Assert.IsType<StartChildResult.MaxChildrenReached>(results[4]);
        Assert.Equal(3, (await tree.Root.CountChildrenAsync()).Active);
        Assert.All(results.OfType<StartChildResult.Started>(), r => Assert.NotNull(r.Child));
    }

    [Fact]
    public async Task A_batch_on_a_static_supervisor_is_not_supported()
    {
        var tree = await StartTreeAsync(new SupervisorSpec());

        var results = await tree.Root.StartChildrenAsync([1, 2]);

        Assert.All(results, r => Assert.IsType<StartChildResult.NotSupported>(r));
    }

    [Fact]
    public async Task A_dynamic_supervisor_nests_in_a_static_tree()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("registry"), ChildSpec.ForSupervisor("calls", Spec(RestartType.Temporary))] });
        var calls = await tree.GetSupervisorAsync("calls");

        for (var i = 0; i < 5; i++)
        {
            Assert.IsType<StartChildResult.Started>(await calls.StartChildAsync((object)("call" + i)));
        }

        Assert.Equal(5, (await calls.CountChildrenAsync()).Active);
    }

    [Fact]
    public async Task Children_that_leave_while_the_supervisor_is_busy_are_not_reported_down()
    {
        // Children started back to back have had no health pass yet; when they stop while the supervisor waits
        // on a slow start, their exits wait in line. One that finished is done (not Down) and one that failed
        // is coming back (Restarting); neither is Down, as a view of a wave of redemptions once showed them.
        using var first = new ManualResetEventSlim();
        using var last = new ManualResetEventSlim();
        var spec = new DynamicSupervisorSpec(new ChildTemplate(args => args is GatedStart gated
            ? Props.Create(() => new SlowStarter(gated, Life.Ref))
            : TestWorker.Props((string)args!, Life.Ref))
        { Restart = RestartType.Transient });
        var tree = await StartTreeAsync(spec);
        try
        {
            var slow = tree.Root.StartChildAsync(new GatedStart("slow", first));
            ExpectLife<Blocked>(b => b.Id == "slow");
            var done = tree.Root.StartChildAsync((object)"done");
            var failed = tree.Root.StartChildAsync((object)"failed");
            var slower = tree.Root.StartChildAsync(new GatedStart("slower", last));
            first.Set();
            ExpectLife<Blocked>(b => b.Id == "slower");
            var doneChild = Assert.IsType<StartChildResult.Started>(await done);
            var failedChild = Assert.IsType<StartChildResult.Started>(await failed);

            doneChild.Child.Tell(new StopSelf());
            failedChild.Child.Tell(new ExitWith(ExitReason.Failure("lost its connection")));
            // The two stop concurrently: their Downs come in either order.
            var downs = new HashSet<string>();
            Life.FishForMessage(m => m is Down d && (d.Id is "done" or "failed") && downs.Add(d.Id) && downs.Count == 2);

            await AwaitAssertAsync(async () =>
            {
                var children = (await tree.Root.GetHealthAsync()).Children;
                Assert.DoesNotContain(children, c => c.Id == doneChild.Id);
                Assert.Equal(HealthState.Restarting, children.Single(c => c.Id == failedChild.Id).State);
                Assert.DoesNotContain(children, c => c.State == HealthState.Down);
            });
            Assert.False(slower.IsCompleted, "the supervisor was still busy with the slow start");
            last.Set();
            Assert.IsType<StartChildResult.Started>(await slow);
            Assert.IsType<StartChildResult.Started>(await slower);
            Assert.NotEqual(failedChild.Child, ExpectLife<Up>(u => u.Id == "failed").Ref);
            await AwaitAssertAsync(async () => Assert.Equal(3, (await tree.Root.CountChildrenAsync()).Active));
            Assert.Equal(HealthState.Running, (await tree.Root.GetHealthAsync()).State);
        }
        finally
        {
            first.Set();
            last.Set();
        }
    }

    [Fact]
    public async Task A_child_that_stops_as_soon_as_it_has_started_did_start_and_then_exits()
    {
        // OTP: start_child returns {ok, Pid} when init returns ok, whatever the child does next. Here the
        // child's termination overtakes its handshake's answer; the start is still a success, and its exit
        // is handled after it: a Temporary child is removed, normally.
        var spec = new DynamicSupervisorSpec(new ChildTemplate(args => Props.Create(() => new StopsInPreStart((string)args!, Life.Ref))) { Restart = RestartType.Temporary });
        var tree = await StartTreeAsync(spec);

        var started = Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync((object)"brief"));

        ExpectLife<Up>(u => u.Id == "brief");
        Assert.Equal(started.Id, ExpectEvent<ChildStarted>().ChildId);
        var terminated = ExpectEvent<ChildTerminated>();
        Assert.Equal((started.Id, ExitKind.Normal), (terminated.ChildId, terminated.Reason.Kind));
        await AwaitAssertAsync(async () => Assert.Equal(0, (await tree.Root.CountChildrenAsync()).Specs));
        Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync((object)"again")); // the supervisor carries on
    }

    [Fact]
    public async Task A_static_temporary_child_that_stops_in_its_start_leaves_and_the_tree_starts()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Children = [Worker("first"), ChildSpec.Worker("brief", Props.Create(() => new StopsInPreStart("brief", Life.Ref))) with { Restart = RestartType.Temporary }, Worker("last")],
        });

        Assert.Equal(["first", "brief", "last"], ExpectUps(3));
        await AwaitAssertAsync(async () => Assert.Equal(["first", "last"], (await tree.Root.WhichChildrenAsync()).Select(c => c.Id)));
        Assert.Equal(HealthState.Running, (await tree.Root.GetHealthAsync()).State);
    }

    /// <summary>A child that starts, reports it, and stops itself at once.</summary>
    private sealed class StopsInPreStart(string id, IActorRef probe) : UntypedActor
    {
        protected override void PreStart()
        {
            probe.Tell(new Up(id, Self, 1));
            Context.Stop(Self);
        }

        protected override void OnReceive(object message) => Unhandled(message);
    }

    private sealed record GatedStart(string Id, ManualResetEventSlim Gate);

    /// <summary>A child whose start waits on a gate: its supervisor waits for its handshake meanwhile.</summary>
    private sealed class SlowStarter(GatedStart start, IActorRef probe) : UntypedActor
    {
        protected override void PreStart()
        {
            probe.Tell(new Blocked(start.Id));
            start.Gate.Wait(TimeSpan.FromSeconds(30));
        }

        protected override void OnReceive(object message) => Unhandled(message);
    }
}
