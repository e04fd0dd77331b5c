using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Upgrades;

/// <summary>
/// Messages across a replacement, as across a restart: what a replaced child was sent before its replacement began is handled
/// by its old incarnation; what is sent while it is replaced is held by its stable address and goes, in order, to whichever
/// incarnation runs at the end (the new one, or the previous spec's after a rollback); nothing is lost silently.
/// </summary>
public sealed class ReplacementMessagesTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    /// <summary>One script for every version of a child: its incarnations are numbered across them.</summary>
    private readonly WorkerScript _script = new();

    private ChildSpec V(string id, string version, WorkerScript? script = null) => Worker(id, script ?? _script) with { Version = version };

    /// <summary>Starts a tree with one child "a" at version 1, blocked inside a handler, with two messages queued behind it.</summary>
    private async Task<(SupervisionTree Tree, SupervisorSpec Spec, ChildAddress A, ManualResetEventSlim Gate)> BlockedAsync()
    {
        var spec = new SupervisorSpec { Children = [V("a", "1")] };
        var tree = await StartTreeAsync(spec);
        ExpectLife<Up>();
        var a = await tree.Root.GetChildAsync("a");
        var gate = new ManualResetEventSlim();
        a.Tell(new Block(gate));
        ExpectLife<Blocked>();
        a.Tell("before 1");
        a.Tell("before 2");
        return (tree, spec, a, gate);
    }

    /// <summary>The lifecycle messages of "a" from now until <paramref name="count"/> messages it got, as text.</summary>
    private List<string> Handled(int count)
    {
        var seen = new List<string>();
        var got = 0;
        Life.FishForMessage(m =>
        {
            switch (m)
            {
                case Up up:
                    seen.Add($"up {up.Incarnation}");
                    break;
                case Down down:
                    seen.Add($"down {down.Incarnation}");
                    break;
                case Got { Message: string text }:
                    seen.Add(text);
                    got++;
                    break;
            }

            return got == count;
        });
        return seen;
    }

    [Fact]
    public async Task The_old_incarnation_handles_what_it_was_sent_before_and_the_new_one_what_came_during_the_replacement()
    {
        var (tree, spec, a, gate) = await BlockedAsync();

        var upgrading = tree.Root.UpgradeAsync(spec with { Children = [V("a", "2")] }, new UpgradeOptions { WatchWindow = TimeSpan.Zero });
        // Its address holds from before this event: a call would not do (it can queue behind the stop, which waits for the gate).
        ExpectEvent<ChildStopRequested>(e => e.ChildId == "a");
        a.Tell("during 1");
        a.Tell("during 2");
        Assert.Equal(2, a.Buffered);
        gate.Set();

        Assert.IsType<UpgradeResult.Completed>(await upgrading);
        Assert.Equal(["before 1", "before 2", "down 1", "up 2", "during 1", "during 2"], Handled(4));
        a.Tell("after");
        Assert.Equal("after", ExpectLife<Got>().Message);
        Assert.Empty(ReceivedSoFar(Events).OfType<MessageDropped>());
        await tree.StopAsync();
    }

    [Fact]
    public async Task What_was_held_goes_to_the_previous_spec_again_when_the_replacement_is_rolled_back()
    {
        var (tree, spec, a, gate) = await BlockedAsync();
        var broken = new WorkerScript { FailPreStart = _ => true };

        var upgrading = tree.Root.UpgradeAsync(spec with { Children = [V("a", "2", broken)] }, new UpgradeOptions { WatchWindow = TimeSpan.Zero });
        ExpectEvent<ChildStopRequested>(e => e.ChildId == "a");
        a.Tell("during 1");
        a.Tell("during 2");
        gate.Set();

        Assert.IsType<UpgradeResult.RolledBack>(await upgrading);
        var handled = Handled(4);
        Assert.Equal(["before 1", "before 2"], handled.Where(s => s.StartsWith("before", StringComparison.Ordinal)));
        var restored = handled.IndexOf(handled.Last(s => s.StartsWith("up", StringComparison.Ordinal)));
        Assert.Equal(["during 1", "during 2"], handled.Skip(restored + 1));
        Assert.Equal("1", Assert.IsType<ChildSpecResult.Found>(await tree.Root.GetChildSpecAsync("a")).Spec.Version);
        Assert.Empty(ReceivedSoFar(Events).OfType<MessageDropped>());
        await tree.StopAsync();
    }

    [Fact]
    public async Task Past_its_capacity_the_address_drops_the_newest_and_reports_them()
    {
        var (tree, spec, a, gate) = await BlockedAsync();

        var upgrading = tree.Root.UpgradeAsync(spec with { Children = [V("a", "2")] }, new UpgradeOptions { WatchWindow = TimeSpan.Zero, BufferWhileReplaced = 1 });
        ExpectEvent<ChildStopRequested>(e => e.ChildId == "a");
        a.Tell("during 1");
        a.Tell("during 2");
        gate.Set();

        Assert.IsType<UpgradeResult.Completed>(await upgrading);
        var dropped = ExpectEvent<MessageDropped>();
        Assert.Equal(("during 2", "the buffer of 1 messages was full (DropNewest)"), (dropped.Message, dropped.Why));
        Assert.Contains("during 1", Handled(3));
        await tree.StopAsync();
    }

    [Fact]
    public async Task With_nothing_held_what_is_sent_during_the_replacement_is_reported_dropped()
    {
        var (tree, spec, a, gate) = await BlockedAsync();

        var upgrading = tree.Root.UpgradeAsync(spec with { Children = [V("a", "2")] }, new UpgradeOptions { WatchWindow = TimeSpan.Zero, BufferWhileReplaced = 0 });
        ExpectEvent<ChildStopRequested>(e => e.ChildId == "a");
        a.Tell("during 1");
        gate.Set();

        Assert.IsType<UpgradeResult.Completed>(await upgrading);
        Assert.Equal(("during 1", "it is being stopped"), ExpectEvent<MessageDropped>() is var d ? (d.Message, d.Why) : default);
        Assert.Equal(["before 1", "before 2"], Handled(2)); // its graceful stop let it handle what it had
        await tree.StopAsync();
    }

    [Fact]
    public async Task An_old_incarnation_stuck_in_a_handler_is_killed_after_its_shutdown_timeout_and_what_it_had_is_reported()
    {
        var (tree, spec, a, gate) = await BlockedAsync();

        var upgrading = tree.Root.UpgradeAsync(spec with { Children = [V("a", "2")] }, new UpgradeOptions { WatchWindow = TimeSpan.Zero });
        ExpectEvent<ChildStopRequested>(e => e.ChildId == "a");
        a.Tell("during 1");
        Time.Advance(Supervise.Shutdown.DefaultWorker.TimeoutValue);
        ExpectEvent<ChildTerminated>(e => e.ChildId == "a");
        gate.Set(); // its handler ends at last, and its actor with it

        Assert.IsType<UpgradeResult.Completed>(await upgrading);
        var dropped = new[] { ExpectEvent<MessageDropped>(), ExpectEvent<MessageDropped>() }.Select(d => d.Message).ToList();
        Assert.Equal(["before 1", "before 2"], dropped.Order());
        Assert.Contains("during 1", Handled(1));
        await tree.StopAsync();
        gate.Dispose();
    }
}
