using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Runtime;

/// <summary>OTP supervisor_SUITE "restart_one_for_one", "restart_one_for_all" and "restart_rest_for_one" groups.</summary>
public sealed class StrategyTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    public static TheoryData<Strategy, string[]> BlastRadii() => new()
    {
        { Strategy.OneForOne, ["b"] },
        { Strategy.OneForAll, ["a", "b", "c"] },
        { Strategy.RestForOne, ["b", "c"] },
    };

    [Theory]
    [MemberData(nameof(BlastRadii))]
    public async Task A_crash_restarts_exactly_the_strategys_blast_radius_in_start_order(Strategy strategy, string[] expected)
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Strategy = strategy, Children = [Worker("a"), Worker("b"), Worker("c")] });
        var refs = ExpectUpsByRef(3);

        refs["b"].Tell(new Crash("boom"));

        var restarted = Enumerable.Range(0, expected.Length).Select(_ => ExpectEvent<ChildRestarted>()).ToList();
        Assert.Equal(expected, restarted.Select(r => r.ChildId));
        Assert.All(restarted, r => Assert.Equal("b", r.TriggeredBy));
        var ups = Enumerable.Range(0, expected.Length).Select(_ => ExpectLife<Up>().Id).Order().ToList();
        Assert.Equal(expected.Order(), ups);
        await ExpectNoSupervisionActionAsync(tree);

        // Every child keeps its reference: restarts happen in place.
        foreach (var (id, before) in refs)
        {
            Assert.Equal(before, await ChildRef(tree.Root, id));
        }
    }

    [Theory]
    [InlineData(Strategy.OneForAll)]
    [InlineData(Strategy.RestForOne)]
    public async Task Temporary_siblings_in_the_blast_radius_are_stopped_and_removed_not_restarted(Strategy strategy)
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Strategy = strategy,
            Children = [Worker("a"), Worker("b"), Worker("temp") with { Restart = RestartType.Temporary }],
        });
        var refs = ExpectUpsByRef(3);

        refs["b"].Tell(new Crash("boom"));

        ExpectEvent<ChildTerminated>(e => e.ChildId == "temp");
        await AwaitAssertAsync(async () =>
            Assert.DoesNotContain(await tree.Root.WhichChildrenAsync(), c => c.Id == "temp"));
        ExpectLife<Down>(d => d.Id == "temp");
    }

    [Fact]
    public async Task One_for_all_restarts_a_stopped_sibling_whose_spec_is_kept()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Strategy = Strategy.OneForAll, Children = [Worker("a"), Worker("b")] });
        var refs = ExpectUpsByRef(2);
        Assert.IsType<TerminateChildResult.Terminated>(await tree.Root.TerminateChildAsync("a"));

        refs["b"].Tell(new Crash("boom"));

        await AwaitAssertAsync(async () =>
            Assert.All(await tree.Root.WhichChildrenAsync(), c => Assert.Equal(ChildStatus.Running, c.Status)));
    }

    [Fact]
    public async Task A_normal_exit_of_a_permanent_child_restarts_its_rest_for_one_siblings_too()
    {
        await StartTreeAsync(new SupervisorSpec { Strategy = Strategy.RestForOne, Children = [Worker("a"), Worker("b"), Worker("c")] });
        var refs = ExpectUpsByRef(3);

        refs["b"].Tell(new StopSelf());

        Assert.Equal("b", ExpectEvent<ChildRestarted>().ChildId);
        var c = ExpectEvent<ChildRestarted>();
        Assert.Equal("c", c.ChildId);
        Assert.Equal(refs["c"], c.Child);
    }

    [Fact]
    public async Task A_transient_childs_normal_exit_restarts_nobody()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Strategy = Strategy.OneForAll,
            Children = [Worker("a"), Worker("t") with { Restart = RestartType.Transient }],
        });
        var refs = ExpectUpsByRef(2);

        refs["t"].Tell(new StopSelf());

        ExpectEvent<ChildTerminated>(e => e.ChildId == "t");
        await ExpectNoSupervisionActionAsync(tree);
        Assert.Equal(refs["a"], await ChildRef(tree.Root, "a"));
    }

    [Fact]
    public async Task A_message_sent_to_a_child_that_is_not_running_is_reported_dropped()
    {
        var inner = new SupervisorSpec { Children = [Worker("t") with { Restart = RestartType.Transient }] };
        await StartTreeAsync(new SupervisorSpec { Children = [ChildSpec.ForSupervisor("inner", inner)] });
        var t = ExpectLife<Up>().Ref;
        t.Tell(new StopSelf());
        ExpectEvent<ChildTerminated>(e => e.ChildId == "t");
        // Gone for good first: a message sent while its mailbox is still closing may be lost by Akka.NET with no dead letter.
        Watch(t);
        ExpectTerminated(t);

        t.Tell("hello?");

        var dropped = ExpectEvent<MessageDropped>();
        Assert.Equal(("t/inner", "t", "hello?"), (dropped.SupervisorPath, dropped.ChildId, dropped.Message));
        Assert.Contains("not running", dropped.Why, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Messages_queued_for_a_crashed_child_survive_its_restart_and_the_in_flight_one_is_reported_dropped()
    {
        await StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] });
        var w = ExpectLife<Up>().Ref;
        using var gate = new ManualResetEventSlim();
        var poison = new Crash("poison");

        w.Tell(new Block(gate));
        w.Tell(poison);
        for (var i = 0; i < 50; i++)
        {
            w.Tell(i);
        }

        gate.Set();

        ExpectLife<Up>(u => u.Incarnation == 2);
        for (var i = 0; i < 50; i++)
        {
            Assert.Equal(i, ExpectLife<Got>(g => g.Message is int).Message);
        }

        var dropped = ExpectEvent<MessageDropped>();
        Assert.Same(poison, dropped.Message);
        Assert.Equal("w", dropped.ChildId);
    }

    [Fact]
    public async Task Children_outside_the_blast_radius_keep_their_mailbox_and_state()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Strategy = Strategy.RestForOne, Children = [Worker("a"), Worker("b")] });
        var refs = ExpectUpsByRef(2);
        using var gate = new ManualResetEventSlim();
        refs["a"].Tell(new Block(gate));
        refs["a"].Tell("queued");

        refs["b"].Tell(new Crash("boom"));
        ExpectEvent<ChildRestarted>(e => e.ChildId == "b");
        gate.Set();

        ExpectLife<Got>(g => g.Id == "a" && "queued".Equals(g.Message));
        Assert.True(await tree.WhenSettledAsync());
        Assert.DoesNotContain(ReceivedSoFar(Life), m => m is Up { Id: "a" } or Down { Id: "a" });
    }

    [Theory]
    [InlineData(Strategy.OneForOne)]
    [InlineData(Strategy.OneForAll)]
    [InlineData(Strategy.RestForOne)]
    public async Task Each_strategy_gives_up_one_restart_past_its_intensity_and_stops_its_children_in_reverse(Strategy strategy)
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Strategy = strategy, Intensity = 2, Children = [Worker("a"), Worker("b"), Worker("c")] });
        var b = ExpectUpsByRef(3)["b"];

        for (var n = 1; n <= 2; n++)
        {
            b.Tell(new Crash("boom"));
            ExpectEvent<ChildRestarted>(e => e.ChildId == "b" && e.RestartsInWindow == n);
            ExpectLife<Up>(u => u.Id == "b" && u.Incarnation == n + 1);
        }

        Assert.True(await tree.WhenSettledAsync());
        ReceivedSoFar(Life); // what the two restarts sent: the Downs below are the give-up's
        b.Tell(new Crash("boom"));

        Assert.Equal(3, ExpectEvent<SupervisorGaveUp>().Restarts);
        Assert.Equal(["c", "b", "a"], ExpectDowns(3));
        Assert.Equal(TreeStopReason.GaveUp, (await tree.Completion).Reason);
    }

    private Dictionary<string, IActorRef> ExpectUpsByRef(int count) =>
        Enumerable.Range(0, count).Select(_ => ExpectLife<Up>()).ToDictionary(u => u.Id, u => u.Ref);
}
