using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Runtime;

/// <summary>OTP supervisor_SUITE "sup_start" group: start order and start errors.</summary>
public sealed class StartTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    [Fact]
    public async Task Children_start_in_spec_order_and_stop_in_reverse()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a"), Worker("b"), Worker("c")] });

        Assert.Equal(["a", "b", "c"], ExpectUps(3));
        var children = await tree.Root.WhichChildrenAsync();
        Assert.Equal(["a", "b", "c"], children.Select(c => c.Id));
        Assert.All(children, c => Assert.Equal(ChildStatus.Running, c.Status));

        var outcome = await tree.StopAsync();

        Assert.Equal(["c", "b", "a"], ExpectDowns(3));
        Assert.Equal(TreeStopReason.Stopped, outcome.Reason);
    }

    [Fact]
    public async Task Each_child_is_fully_started_before_the_next_one_starts()
    {
        using var gate = new ManualResetEventSlim();
        var slow = ChildSpec.Worker("slow", () => Props.Create(() => new GatedStart(gate, Life.Ref)));

        var starting = StartTreeAsync(new SupervisorSpec { Children = [slow, Worker("next")] });

        Life.ExpectMsg("slow constructing");
        // The root has handled all it was sent, and has not made "next": it waits for "slow".
        var root = await Sys.ActorSelection("/user/t").ResolveOne(RemainingOrDefault);
        await CaughtUpAsync(root);
        Assert.Null((await Sys.ActorSelection("/user/t/next").Ask<ActorIdentity>(new Identify(null), RemainingOrDefault)).Subject);
        gate.Set();
        Assert.Equal("next", ExpectLife<Up>().Id);
        await starting;
    }

    [Fact]
    public async Task A_child_whose_constructor_throws_fails_the_start_and_the_started_ones_stop_in_reverse()
    {
        var failing = new WorkerScript { FailConstructor = _ => true };
        var spec = new SupervisorSpec { Children = [Worker("a"), Worker("b"), Worker("bad", failing), Worker("never")] };

        var error = await Assert.ThrowsAsync<ChildStartException>(() => StartTreeAsync(spec));

        Assert.Equal("bad", error.ChildId);
        Assert.Equal("t", error.SupervisorPath);
        Assert.Contains("'bad'", error.Message, StringComparison.Ordinal);
        Assert.Contains("constructor fails", error.Message, StringComparison.Ordinal);
        Assert.Equal(["a", "b"], ExpectUps(2));
        Assert.Equal(["b", "a"], ExpectDowns(2));
        Assert.DoesNotContain(ReceivedSoFar(Life), m => m is Up); // "never" never started (the start has failed: nothing starts now)
        ExpectEvent<ChildStartFailed>(e => e.ChildId == "bad");
    }

    [Fact]
    public async Task A_child_whose_PreStart_throws_fails_the_start()
    {
        var spec = new SupervisorSpec { Children = [Worker("a"), Worker("bad", new WorkerScript { FailPreStart = _ => true })] };

        var error = await Assert.ThrowsAsync<ChildStartException>(() => StartTreeAsync(spec));

        Assert.Equal("bad", error.ChildId);
        Assert.Contains("PreStart fails", error.Message, StringComparison.Ordinal);
        Assert.Equal("a", ExpectLife<Up>().Id);
        Assert.Equal("a", ExpectLife<Down>().Id);
    }

    [Fact]
    public async Task A_props_factory_that_throws_fails_the_start()
    {
        var spec = new SupervisorSpec
        {
            Children = [Worker("a"), ChildSpec.Worker("bad", () => throw new InvalidOperationException("no config"))],
        };

        var error = await Assert.ThrowsAsync<ChildStartException>(() => StartTreeAsync(spec));

        Assert.Equal("bad", error.ChildId);
        Assert.IsType<InvalidOperationException>(error.InnerException);
        Assert.Equal("a", ExpectLife<Down>().Id);
    }

    [Fact]
    public async Task A_nested_start_failure_names_every_supervisor_on_the_way()
    {
        var inner = new SupervisorSpec { Children = [Worker("ok"), Worker("bad", new WorkerScript { FailConstructor = _ => true })] };
        var spec = new SupervisorSpec { Children = [Worker("first"), ChildSpec.ForSupervisor("inner", inner), Worker("never")] };

        var error = await Assert.ThrowsAsync<ChildStartException>(() => StartTreeAsync(spec));

        Assert.Equal("inner", error.ChildId);
        var cause = Assert.IsType<ChildStartException>(error.InnerException);
        Assert.Equal("t/inner", cause.SupervisorPath);
        Assert.Equal("bad", cause.ChildId);
        Assert.Contains("'t/inner' could not start child 'bad'", error.Message, StringComparison.Ordinal);
        Assert.Equal(["first", "ok"], ExpectUps(2));
        Assert.Equal(["ok", "first"], ExpectDowns(2));
    }

    [Fact]
    public async Task A_spec_error_is_reported_before_anything_starts()
    {
        var spec = new SupervisorSpec { Intensity = -1, Children = [Worker("a"), Worker("a")] };

        var error = await Assert.ThrowsAsync<SpecValidationException>(() => StartTreeAsync(spec));

        Assert.Equal(2, error.Problems.Count);
        Assert.Empty(ReceivedSoFar(Life)); // refused before anything started
    }

    [Fact]
    public async Task Two_trees_with_one_name_are_refused_with_a_clear_error()
    {
        await StartTreeAsync(new SupervisorSpec());

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartTreeAsync(new SupervisorSpec()));

        Assert.Contains("A tree named 't' already runs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_name_taken_by_another_actor_is_refused_with_a_clear_error()
    {
        Sys.ActorOf(Props.Empty, "taken");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => StartTreeAsync(new SupervisorSpec(), new TreeOptions { Name = "taken" }));

        Assert.Contains("An actor named 'taken' already runs", error.Message, StringComparison.Ordinal);
    }

    private sealed class GatedStart : ReceiveActor
    {
        public GatedStart(ManualResetEventSlim gate, IActorRef probe)
        {
            probe.Tell("slow constructing");
            gate.Wait(TimeSpan.FromSeconds(30));
        }
    }
}
