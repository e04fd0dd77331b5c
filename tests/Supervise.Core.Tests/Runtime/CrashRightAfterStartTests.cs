using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Runtime;

/// <summary>
/// OTP: a child whose init returned has started (start_child answers {ok, Pid}); an exit it makes right after is a crash,
/// restarted by its restart type, never a failed start. Here the child's answer to its handshake and its crash race to the
/// supervisor (Akka hands a crash over ahead of queued messages): the crash must not turn its start into a failure.
/// </summary>
public sealed class CrashRightAfterStartTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    [Fact]
    public async Task A_child_that_crashes_on_its_first_message_right_after_starting_has_started_and_is_restarted()
    {
        var events = CreateTestProbe();
        Sys.EventStream.Subscribe(events.Ref, typeof(ChildRestarted));
        Sys.EventStream.Subscribe(events.Ref, typeof(ChildStartFailed));
        var tree = await StartTreeAsync(new DynamicSupervisorSpec(new ChildTemplate(_ => Props.Create(() => new CrashesFirst()))) { Intensity = 1000, Period = TimeSpan.FromSeconds(10) });

        for (var i = 0; i < 50; i++)
        {
            Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync(i)); // one at a time
        }

        var batch = await tree.Root.StartChildrenAsync(Enumerable.Range(0, 200).Select(i => (object?)i).ToList()); // at once
        Assert.All(batch, r => Assert.IsType<StartChildResult.Started>(r));

        // Each crash is restarted once, in place, and no start failed.
        var restarted = new HashSet<string>();
        for (var i = 0; i < 250; i++)
        {
            restarted.Add(Assert.IsType<ChildRestarted>(events.ExpectMsg<object>()).ChildId);
        }

        Assert.Equal(250, restarted.Count);
        Assert.True(await tree.WhenSettledAsync(TimeSpan.FromSeconds(30)));
        Assert.All(await tree.Root.WhichChildrenAsync(), c => Assert.Equal(ChildStatus.Running, c.Status));
        Assert.False(events.HasMessages);
    }

    [Fact]
    public async Task When_the_next_child_cannot_start_the_start_fails_on_it_and_the_one_that_crashed_right_after_starting_is_stopped()
    {
        // OTP: b started ({ok, Pid}), c fails: the supervisor terminates b (its EXIT is swallowed) and its init fails with
        // c's reason. Here b's crash, seen before its answer, confirms its start and then c's spawn fails in the same step.
        for (var run = 0; run < 20; run++)
        {
            var spec = new SupervisorSpec
            {
                Children = [ChildSpec.Worker("b", Props.Create(() => new CrashesFirst())), ChildSpec.Worker("c", () => throw new InvalidOperationException("c has no props"))],
            };

            var error = await Assert.ThrowsAsync<ChildStartException>(() => StartTreeAsync(spec));

            Assert.Equal("c", error.ChildId);
            Assert.Contains("c has no props", error.Message, StringComparison.Ordinal);
        }
    }

    private sealed class CrashesFirst : UntypedActor
    {
        protected override void PreStart() => Self.Tell("crash");

        protected override void PostRestart(Exception reason)
        {
            // Restarted: it runs on (only its first incarnation crashes).
        }

        protected override void OnReceive(object message)
        {
            if (message is "crash")
            {
                throw new InvalidOperationException("crashes on its first message");
            }
        }
    }
}
