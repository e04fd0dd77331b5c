using Akka.Actor;
using Supervise.Runtime;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Reliability;

/// <summary>
/// A crash its supervisor never decides (the crash waits in line and its child is stopped first, or Akka holds the report
/// back while the supervisor itself has failed) still reports the message the child was handling: the soak's loss at a
/// high fault rate, a message that crashed a worker as an injected fault crashed its supervisor.
/// </summary>
public sealed class UndecidedCrashTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);

    [Fact]
    public async Task A_crash_waiting_in_line_as_its_supervisor_stops_reports_the_message_it_was_handling()
    {
        using var slowGate = new ManualResetEventSlim();
        using var crashGate = new ManualResetEventSlim();
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("x"), Worker("slow") with { Shutdown = Supervise.Shutdown.Timeout(30 * S) }] });
        var x = await ChildRef(tree.Root, "x");
        (await tree.Root.GetChildAsync("slow")).Tell(new Block(slowGate));
        ExpectLife<Blocked>(b => b.Id == "slow");
        var crashOn = new BlockThenCrash(crashGate);
        x.Tell(crashOn);
        ExpectLife<Blocked>(b => b.Id == "x");

        // The stop waits for slow (last started, first stopped); x crashes meanwhile, so its crash waits in line.
        var stopping = tree.StopAsync();
        ExpectEvent<ChildStopRequested>(e => e.ChildId == "slow");
        crashGate.Set();
        await AwaitAssertAsync(() => Assert.True(AkkaCell.HasFailed(x)));
        slowGate.Set();

        Assert.Same(crashOn, ExpectEvent<MessageDropped>(e => e.ChildId == "x").Message);
        await stopping;
    }

    [Fact]
    public async Task A_crash_akka_holds_back_while_its_supervisor_has_failed_reports_the_message_when_that_supervisor_restarts()
    {
        using var gate = new ManualResetEventSlim();
        var nested = ChildSpec.ForSupervisor("n", new SupervisorSpec { Children = [Worker("x")] }) with { Policies = [Policy.Backoff(S, S)] };
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [nested] });
        var x = await ChildRef(await tree.Root.GetSupervisorAsync("n"), "x");
        var crashOn = new BlockThenCrash(gate);
        x.Tell(crashOn);
        ExpectLife<Blocked>(b => b.Id == "x");

        // The supervisor itself fails; its parent restarts it after a backoff delay. x fails meanwhile, on a message: Akka
        // keeps that report from the failed supervisor, and drops it once the supervisor is restarted with new children.
        (await ChildRef(tree.Root, "n")).Tell(Kill.Instance);
        var delayed = ExpectEvent<ChildRestartDelayed>(e => e.ChildId == "n");
        gate.Set();
        await AwaitAssertAsync(() => Assert.True(AkkaCell.HasFailed(x)));
        Time.Advance(delayed.Delay);

        var dropped = ExpectEvent<MessageDropped>(e => e.ChildId == "x");
        Assert.Equal((crashOn, "the child crashed on it as its supervisor restarted"), (dropped.Message, dropped.Why));
        ExpectLife<Up>(u => u.Id == "x" && u.Incarnation == 2);
        await tree.StopAsync();
    }

    [Fact]
    public async Task A_crash_its_supervisor_saw_is_reported_once_when_that_supervisor_restarts()
    {
        // x crashes on a message and waits out a backoff delay, suspended, its failure seen and its message reported. Its
        // supervisor then restarts: x has failed and still holds that message, but it is not reported a second time.
        var drops = CreateTestProbe();
        Sys.EventStream.Subscribe(drops.Ref, typeof(MessageDropped));
        var nested = ChildSpec.ForSupervisor("n", new SupervisorSpec { Children = [Worker("x") with { Policies = [Policy.Backoff(10 * S, 10 * S)] }] });
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [nested] });
        var x = await ChildRef(await tree.Root.GetSupervisorAsync("n"), "x");
        x.Tell(new Crash("once"));
        ExpectEvent<ChildRestartDelayed>(e => e.ChildId == "x");

        (await ChildRef(tree.Root, "n")).Tell(Kill.Instance);
        ExpectEvent<ChildRestarted>(e => e.ChildId == "n");
        ExpectLife<Up>(u => u.Id == "x" && u.Incarnation == 2);
        await tree.WhenSettledAsync();

        var dropped = drops.ExpectMsg<MessageDropped>();
        Assert.Equal(("x", new Crash("once")), (dropped.ChildId, dropped.Message));
        Assert.False(drops.HasMessages, "the message was reported again"); // settled: every report is in
        await tree.StopAsync();
    }

    [Fact]
    public async Task A_child_that_crashes_on_a_message_after_its_restarting_supervisor_last_looked_has_the_message_reported()
    {
        // x is inside a handler when its supervisor restarts: it has not failed when the supervisor's old incarnation looks,
        // and fails after, as Akka stops it. Akka hands that failure to the ended incarnation, which decides nothing and often
        // cannot read the message any more (x clears it as it stops, on its own thread): it reports the one it noted, once.
        using var gate = new ManualResetEventSlim();
        var nested = ChildSpec.ForSupervisor("n", new SupervisorSpec { Children = [Worker("x")] }) with { Policies = [Policy.Backoff(S, S)] };
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [nested] });
        var n = await ChildRef(tree.Root, "n");
        var x = await ChildRef(await tree.Root.GetSupervisorAsync("n"), "x");
        var crashOn = new BlockThenCrash(gate);
        x.Tell(crashOn);
        ExpectLife<Blocked>(b => b.Id == "x");

        n.Tell(Kill.Instance);
        var delayed = ExpectEvent<ChildRestartDelayed>(e => e.ChildId == "n");
        Time.Advance(delayed.Delay);
        await AwaitAssertAsync(() => Assert.True(Recreating(n), "n has not begun its restart"));
        gate.Set();

        var dropped = ExpectEvent<MessageDropped>(e => e.ChildId == "x");
        Assert.Equal((crashOn, "the child crashed on it as its supervisor restarted"), (dropped.Message, dropped.Why));
        ExpectLife<Up>(u => u.Id == "x" && u.Incarnation == 2);
        await tree.WhenSettledAsync();
        Assert.DoesNotContain(ReceivedSoFar(Events), e => e is MessageDropped); // settled: reported once
        await tree.StopAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_fallback_stand_in_that_crashes_on_a_message_as_its_supervisor_restarts_has_the_message_reported(bool afterTheLastLook)
    {
        // x's breaker is open, so its address sends to the fallback stand-in; the stand-in crashes on a message while the
        // supervisor has failed (Akka holds its report back) or after the restarting supervisor last looked (Akka drops it).
        using var gate = new ManualResetEventSlim();
        var x = Worker("x") with { Policies = [Policy.CircuitBreaker(1, TimeSpan.FromMinutes(1), 30 * S), Policy.Fallback(TestWorker.Props("stand-in", Life.Ref))] };
        var nested = ChildSpec.ForSupervisor("n", new SupervisorSpec { Children = [x] }) with { Policies = [Policy.Backoff(S, S)] };
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [nested] });
        var n = await ChildRef(tree.Root, "n");
        var address = await (await tree.Root.GetSupervisorAsync("n")).GetChildAsync("x");
        address.Tell(new Crash("opens the breaker"));
        ExpectEvent<MessageDropped>(e => e.ChildId == "x");
        await AwaitAssertAsync(() => Assert.IsType<FallbackRoute>(address.RouteNow));

        var crashOn = new BlockThenCrash(gate);
        address.Tell(crashOn);
        ExpectLife<Blocked>(b => b.Id == "stand-in");
        n.Tell(Kill.Instance);
        var delayed = ExpectEvent<ChildRestartDelayed>(e => e.ChildId == "n");
        if (afterTheLastLook)
        {
            Time.Advance(delayed.Delay);
            await AwaitAssertAsync(() => Assert.True(Recreating(n), "n has not begun its restart"));
            gate.Set();
        }
        else
        {
            gate.Set();
            await AwaitAssertAsync(() => Assert.True(Context(n).GetChildren().Any(AkkaCell.HasFailed), "the stand-in has not failed"));
            Time.Advance(delayed.Delay);
        }

        var dropped = ExpectEvent<MessageDropped>(e => e.Message is BlockThenCrash);
        Assert.Equal(("x", crashOn, "the child crashed on it as its supervisor restarted"), (dropped.ChildId, dropped.Message, dropped.Why));
        await tree.WhenSettledAsync();
        Assert.DoesNotContain(ReceivedSoFar(Events), e => e is MessageDropped); // settled: reported once
        await tree.StopAsync();
    }

    [Fact]
    public async Task A_crash_as_an_injected_kill_stops_its_supervisor_reports_the_message_it_was_handling()
    {
        // The soak's last loss: Akka stops a killed supervisor's children before any of its code runs again, and holds back the
        // failure of a child that crashes meanwhile for good. The supervisor now suspends its children, and stops itself once
        // none is inside a handler (x is, until the gate opens), having read what each crashed on.
        using var gate = new ManualResetEventSlim();
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [ChildSpec.ForSupervisor("n", new SupervisorSpec { Children = [Worker("x")] })] });
        var n = await ChildRef(tree.Root, "n");
        var handle = await tree.Root.GetSupervisorAsync("n");
        var x = await ChildRef(handle, "x");
        var address = await (await tree.Root.GetSupervisorAsync("n")).GetChildAsync("x");
        var crashOn = new BlockThenCrash(gate);
        x.Tell(crashOn);
        ExpectLife<Blocked>(b => b.Id == "x");

        var kill = new Supervise.Chaos.InjectFault(1, "n", FaultKind.Kill, new InjectedFaultException("killed"), TimeSpan.Zero, 0, null);
        Assert.True((await tree.Root.Actor.Ask<Supervise.Chaos.FaultApplied>(kill, TimeSpan.FromSeconds(10))).Applied);
        await AwaitAssertAsync(() => Assert.IsNotAssignableFrom<IActorRef>(address.RouteNow)); // parked: n has begun to stop
        Assert.False(Stopping(n)); // not before x is still
        var during = await Assert.ThrowsAsync<SupervisorUnavailableException>(() => handle.WhichChildrenAsync()); // answered meanwhile, not left to time out
        Assert.Contains("it is being stopped", during.Message, StringComparison.Ordinal);
        address.Tell("after the kill"); // not into x's closing mailbox: its address was parked first
        Assert.Equal("a supervisor above it is restarting", ExpectEvent<MessageDropped>(e => Equals(e.Message, "after the kill")).Why);
        gate.Set();

        var dropped = ExpectEvent<MessageDropped>(e => e.Message is BlockThenCrash);
        Assert.Equal(("x", crashOn, "the child crashed on it as its supervisor was stopped"), (dropped.ChildId, dropped.Message, dropped.Why));
        await tree.WhenSettledAsync();
        Assert.DoesNotContain(ReceivedSoFar(Events), e => e is MessageDropped); // reported once
        await tree.StopAsync();
    }

    /// <summary>The supervisor is stopping for good: its children are being stopped.</summary>
    private static bool Stopping(IActorRef supervisor) =>
        Context(supervisor).ChildrenContainer is Akka.Actor.Internal.TerminatingChildrenContainer { Reason: Akka.Actor.Internal.SuspendReason.Termination };

    private static ActorCell Context(IActorRef supervisor) => (ActorCell)((ActorRefWithCell)supervisor).Underlying;

    /// <summary>The supervisor's restart has begun: its old incarnation is gone and its children are being stopped.</summary>
    private static bool Recreating(IActorRef supervisor) =>
        Context(supervisor).ChildrenContainer is Akka.Actor.Internal.TerminatingChildrenContainer { Reason: Akka.Actor.Internal.SuspendReason.Recreation };
}
