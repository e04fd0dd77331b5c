using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Runtime;

/// <summary>
/// Behaviour that once differed from OTP's supervisor, each as a user would meet it: every test here failed
/// before its fix (issue 9, "Supervise.Core inside out").
/// </summary>
public sealed class OtpDifferenceTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    [Fact]
    public async Task A_child_whose_restart_keeps_failing_is_not_active_and_its_spec_is_already_present()
    {
        // OTP: while a restart is retried (try_again_restart) the child's pid is `restarting`: count_children does not
        // count it active, and start_child with its id answers already_present, not already_started.
        var broken = 1;
        var failing = new WorkerScript { FailConstructor = n => n > 1 && Volatile.Read(ref broken) == 1 };
        var spec = Worker("w", failing);
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = int.MaxValue, Children = [spec, Worker("ok")] });
        ExpectLife<Up>(u => u.Id == "w").Ref.Tell(new Crash("boom"));
        await AwaitAssertAsync(() => Assert.True(failing.Incarnations > 2));

        Assert.Equal(1, (await tree.Root.CountChildrenAsync()).Active);
        Assert.Equal("w", Assert.IsType<StartChildResult.AlreadyPresent>(await tree.Root.StartChildAsync(spec)).Id);

        Volatile.Write(ref broken, 0);
        await AwaitAssertAsync(async () => Assert.Equal(2, (await tree.Root.CountChildrenAsync()).Active));
        Assert.IsType<StartChildResult.AlreadyStarted>(await tree.Root.StartChildAsync(spec));
    }

    [Fact]
    public async Task A_shutdown_timeout_of_zero_is_accepted_and_stops_the_child_at_once()
    {
        // OTP accepts any timeout of 0 or more; 0 means: exit(shutdown), then kill at once unless it is already gone.
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w") with { Shutdown = Supervise.Shutdown.Timeout(TimeSpan.Zero) }] });
        var w = ExpectLife<Up>().Ref;
        using var gate = new ManualResetEventSlim();
        w.Tell(new Block(gate));
        ExpectLife<Blocked>();
        w.Tell("queued");

        var terminate = tree.Root.TerminateChildAsync("w");
        var requested = ExpectEvent<ChildStopRequested>();
        gate.Set();

        Assert.IsType<TerminateChildResult.Terminated>(await terminate);
        Assert.Equal(Supervise.Shutdown.Timeout(TimeSpan.Zero), requested.Shutdown);
        // Stopped, not asked: what was queued behind the blocked handler is discarded, as under BrutalKill.
        var seen = new List<object>();
        Life.FishForMessage(m =>
        {
            seen.Add(m);
            return m is Down;
        });
        Assert.DoesNotContain(seen, m => m is Got { Message: "queued" });
    }

    [Fact]
    public async Task A_static_supervisor_terminates_children_by_id_only_and_a_reference_finds_nothing()
    {
        // OTP: terminate_child(Sup, Pid) on a supervisor that is not simple_one_for_one answers {error, not_found}.
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] });
        var w = ExpectLife<Up>().Ref;

        Assert.Equal("w", Assert.IsType<TerminateChildResult.NotFound>(await tree.Root.TerminateChildAsync(w)).Id);
        Assert.Equal(w, await ChildRef(tree.Root, "w"));
        Assert.IsType<TerminateChildResult.Terminated>(await tree.Root.TerminateChildAsync("w"));
    }
}
