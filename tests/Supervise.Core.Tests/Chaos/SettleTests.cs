using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Chaos;

/// <summary>What a settle in virtual time waits for: work in motion, never the clock.</summary>
public sealed class SettleTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    [Fact]
    public async Task A_restart_waiting_for_its_old_incarnation_to_end_is_work_in_motion_until_it_has_ended()
    {
        using var gate = new ManualResetEventSlim();
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 5, Children = [ChildSpec.Worker("a", () => Props.Create(() => new SlowToEnd(gate)))] });
        var injector = await tree.StartChaosAsync(new ChaosOptions
        {
            Seed = 7,
            EnvironmentName = "Test",
            Faults = [new FaultChoice(FaultKind.FailingRestart)],
            Schedule = FaultSchedule.Fixed(TimeSpan.FromSeconds(1)),
            MaxFaults = 1,
        });
        Time.Advance(TimeSpan.FromSeconds(1));

        // The failed restart discards the old incarnation, whose end is slow (its PostStop blocks): the next start waits
        // for its name. Only that end moves the tree on, not the clock: the tree has not settled (it once said it had,
        // and a chaos run whose next injection time came then found the child not running, unlike the same run before).
        ExpectEvent<ChildStartFailed>(e => e.ChildId == "a");
        Assert.False(await tree.WhenSettledAsync(TimeSpan.FromSeconds(1)), "settled while the old incarnation was still ending");

        gate.Set();
        Assert.True(await tree.WhenSettledAsync());
        Assert.Equal("a", ExpectEvent<ChildRestarted>().ChildId);
        Assert.Equal(ChildStatus.Running, (await tree.Root.WhichChildrenAsync()).Single().Status);
        await injector.StopAsync();
    }

    /// <summary>A worker whose first incarnation ends only once the gate opens.</summary>
    private sealed class SlowToEnd : ReceiveActor
    {
        private readonly ManualResetEventSlim _gate;

        public SlowToEnd(ManualResetEventSlim gate)
        {
            _gate = gate;
            ReceiveAny(_ => { });
        }

        protected override void PostStop() => _gate.Wait(TimeSpan.FromSeconds(30));
    }
}
