using System.Diagnostics;
using Akka.Actor;
using Supervise.Cluster.Tests.Support;
using Supervise.Tests.Common;
using Xunit;
using Xunit.Abstractions;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Supervise.Cluster.Tests;

/// <summary>A supervised singleton on three nodes on 127.0.0.1.</summary>
public sealed class SupervisedSingletonTests(ITestOutputHelper output)
{
    /// <summary>Says which node it runs on; crashes on "boom".</summary>
    private sealed class Where : ReceiveActor
    {
        public Where()
        {
            Receive<string>(m => m == "where", _ => Sender.Tell(AkkaCluster.Get(Context.System).SelfAddress.ToString()));
            Receive<string>(m => m == "boom", _ => throw new InvalidOperationException("boom"));
        }
    }

    [Fact]
    public async Task The_singleton_runs_once_is_restarted_by_its_tree_and_fails_over_when_its_node_is_downed()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(3);
        var addresses = cluster.Nodes.Select(n => SupervisedSingleton.Start(n, ChildSpec.Worker("where", Props.Create<Where>()))).ToList();
        var first = ClusterOfNodes.AddressOf(cluster.Nodes[0]).ToString();
        var timeout = TimeSpan.FromSeconds(20);

        // Every node's address reaches the one instance, on the oldest node.
        foreach (var address in addresses)
        {
            Assert.Equal(first, await address.Ask<string>("where", timeout));
        }

        // A crash is handled on its node by its tree: restarted in place.
        var restarted = cluster.Nodes[0].WhenEventAsync<ChildRestarted>(e => e.ChildId == "where");
        addresses[2].Tell("boom");
        await restarted.WaitAsync(timeout);
        Assert.Equal(first, await addresses[2].Ask<string>("where", timeout));

        // Its node is downed (and dies): the next oldest takes it over; the same address reaches it there.
        // Asked once: the address holds the question while the singleton moves (the child's default), and
        // sends it to the next instance.
        var failover = Stopwatch.StartNew();
        AkkaCluster.Get(cluster.Nodes[1]).Down(ClusterOfNodes.AddressOf(cluster.Nodes[0]));
        await cluster.Nodes[0].Terminate().WaitAsync(timeout);
        var now = await addresses[2].Ask<string>("where", TimeSpan.FromSeconds(30));
        failover.Stop();

        var survivors = cluster.Nodes.Skip(1).Select(n => ClusterOfNodes.AddressOf(n).ToString()).ToList();
        Assert.Equal(survivors[0], now); // the oldest of them, which joined first
        output.WriteLine($"singleton failed over from {first} to {now} in {failover.ElapsedMilliseconds} ms after its node was downed");
        Assert.Equal(now, await addresses[1].Ask<string>("where", timeout)); // one instance: both survivors reach the same
        var stats = await SingletonStats.SettledAsync(addresses[2]);
        output.WriteLine($"the address on node 2: {stats}");
        Assert.Equal(new SingletonAddressStats(Sent: 4, Confirmed: 4, Redelivered: stats.Redelivered, Rejected: 0, Dropped: 0, Waiting: 0, Moves: 1), stats);
    }

    [Fact]
    public async Task While_a_Reject_singleton_moves_from_a_node_that_died_callers_are_answered_Unavailable_at_once_and_then_reach_the_next_instance()
    {
        var config = NodeFaults.DiesWithoutLeaving.WithFallback(ClusterOfNodes.NodeConfig());
        await using var cluster = await ClusterOfNodes.StartAsync(3, config);
        var child = ChildSpec.Worker("where", Props.Create<Where>()) with { Policies = [Policy.Reject()] };
        var addresses = cluster.Nodes.Select(n => SupervisedSingleton.Start(n, child)).ToList();
        var first = ClusterOfNodes.AddressOf(cluster.Nodes[0]).ToString();
        Assert.Equal(first, await addresses[2].Ask<string>("where", TimeSpan.FromSeconds(20)));

        // The hosting node dies without leaving. The question goes to it and is not confirmed; once the
        // node is seen unreachable (before the split brain resolver downs it, so before any next instance
        // can start), the caller is answered Unavailable.
        await NodeFaults.DieAsync(cluster.Nodes[0]).WaitAsync(TimeSpan.FromSeconds(20));
        var rejected = Stopwatch.StartNew();
        var reply = await addresses[2].Ask<object>("where", TimeSpan.FromSeconds(30));
        var unavailable = Assert.IsType<Unavailable>(reply);
        output.WriteLine($"Unavailable after {rejected.ElapsedMilliseconds} ms: {unavailable}");
        Assert.Equal("where", unavailable.ChildId);

        // Then the next oldest takes it over, and callers reach it there.
        string? now = null;
        await cluster.WhenAsync(
            async () => (now = await addresses[2].Ask<object>("where", TimeSpan.FromSeconds(5)) as string) is not null,
            TimeSpan.FromSeconds(30),
            "the next instance to answer");
        Assert.Equal(ClusterOfNodes.AddressOf(cluster.Nodes[1]).ToString(), now);
        var stats = await SingletonStats.SettledAsync(addresses[2]);
        output.WriteLine($"the address on node 2: {stats}");
        Assert.True(stats.Rejected >= 1, stats.ToString());
        Assert.Equal((0, 0, 0L), (stats.Waiting, stats.Redelivered, stats.Dropped));
        Assert.Equal(stats.Sent, stats.Confirmed + stats.Rejected);
    }

    [Fact]
    public async Task While_no_instance_answers_the_address_holds_up_to_the_childs_buffer_and_counts_and_reports_each_message_past_it()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(1);
        var node = cluster.Nodes[0];
        var dropped = new List<MessageDropped>();
        var watcher = node.ActorOf(Props.Create(() => new Collect<MessageDropped>(dropped)));
        node.EventStream.Subscribe(watcher, typeof(MessageDropped));

        // No node has the role: no instance ever runs, and the address holds what it is sent.
        var child = ChildSpec.Worker("nowhere", Props.Create<Where>()) with { Policies = [Policy.Buffer(2)] };
        var address = SupervisedSingleton.Start(node, child, new SingletonOptions { Role = "absent" });
        foreach (var m in new[] { "a", "b", "c", "d", "e" })
        {
            address.Tell(m);
        }

        Assert.Equal(new SingletonAddressStats(Sent: 5, Confirmed: 0, Redelivered: 0, Rejected: 0, Dropped: 3, Waiting: 2, Moves: 0), await SupervisedSingleton.GetStatsAsync(address));
        await cluster.WhenAsync(() => { lock (dropped) { return dropped.Count == 3; } }, TimeSpan.FromSeconds(10), "three MessageDropped events");
        lock (dropped)
        {
            Assert.Equal(["c", "d", "e"], dropped.Select(d => (string)d.Message));
            Assert.All(dropped, d => Assert.Equal(("singleton/nowhere", "nowhere", "the hand-over buffer was full (2 messages)"), (d.SupervisorPath, d.ChildId, d.Why)));
        }
    }

    /// <summary>An instance's host that answers probes and says of each delivery what its script says; it counts what it receives.</summary>
    private sealed class ScriptedHost : ReceiveActor
    {
        public ScriptedHost(List<long> received, Func<long, Receipt?> answer)
        {
            Receive<SingletonProbe>(p => p.Address.Tell(new SingletonHere("host")));
            Receive<SingletonDelivery>(d =>
            {
                if (answer(d.Sequence) is { } receipt)
                {
                    d.Address.Tell(new SingletonReceived(d.Sequence, receipt)); // before it is counted: the test sees the count after
                }

                lock (received)
                {
                    received.Add(d.Sequence);
                }
            });
        }
    }

    [Fact]
    public async Task A_message_its_host_never_confirms_is_sent_again_and_after_three_sends_dropped_counted_and_reported()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(1);
        var node = cluster.Nodes[0];
        var dropped = node.WhenEventAsync<MessageDropped>(d => d.ChildId == "silent");
        var received = new List<long>();
        var host = node.ActorOf(Props.Create(() => new ScriptedHost(received, _ => null))); // it never confirms
        var address = node.ActorOf(Props.Create(() => new SingletonAddress("silent", host, new GapPolicy(false, 10, false), TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(300))));

        address.Tell("hello");

        var report = await dropped;
        Assert.Equal(("hello", $"not confirmed by the singleton after {SingletonAddress.MaxSends} sends"), (report.Message, report.Why));
        lock (received)
        {
            Assert.Equal([1L, 1L, 1L], received);
        }

        Assert.Equal(new SingletonAddressStats(Sent: 1, Confirmed: 0, Redelivered: 2, Rejected: 0, Dropped: 1, Waiting: 0, Moves: 0), await SupervisedSingleton.GetStatsAsync(address));
    }

    [Fact]
    public async Task A_message_in_a_slow_childs_mailbox_is_not_sent_again_while_its_host_lives_and_one_gone_with_the_mailbox_is()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(1);
        var node = cluster.Nodes[0];
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider();
        var received = new List<long>();
        int Count(long sequence)
        {
            lock (received)
            {
                return received.Count(s => s == sequence);
            }
        }

        // The first message waits in the child's mailbox (accepted); the second the host says nothing of, as a lost one.
        var host = node.ActorOf(Props.Create(() => new ScriptedHost(received, s => s == 1 ? Receipt.Accepted : null)));
        var address = node.ActorOf(Props.Create(() => new SingletonAddress("slow", host, new GapPolicy(false, 10, false), TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(10), time)));
        address.Tell("queued");
        address.Tell("unanswered");
        await cluster.WhenAsync(() => Count(1) == 1 && Count(2) == 1, TimeSpan.FromSeconds(10), "both delivered once");
        await SupervisedSingleton.GetStatsAsync(address); // answered after the receipt of the first: the address has read it

        // Past the confirm timeout: the unanswered one is sent again; the queued one is not (its child is only slow).
        time.Advance(TimeSpan.FromSeconds(11));
        await cluster.WhenAsync(() => Count(2) == 2, TimeSpan.FromSeconds(10), "the unanswered message sent again");
        Assert.Equal(1, Count(1));

        // The queued one went with the child's mailbox (its child stopped): it is sent again once its timeout is past.
        address.Tell(new SingletonReceived(1, Receipt.NotTaken), host);
        await cluster.WhenAsync(() => Count(1) == 2, TimeSpan.FromSeconds(10), "the message gone with the mailbox sent again");
        address.Tell(new SingletonReceived(1), host);
        address.Tell(new SingletonReceived(2), host);
        var stats = await SingletonStats.SettledAsync(address); // both confirmed
        Assert.Equal(new SingletonAddressStats(Sent: 2, Confirmed: 2, Redelivered: 2, Rejected: 0, Dropped: 0, Waiting: 0, Moves: 0), stats);
    }

    private sealed class Collect<T> : ReceiveActor
    {
        public Collect(List<T> into) => Receive<T>(e =>
        {
            lock (into)
            {
                into.Add(e);
            }
        });
    }

    /// <summary>Fails every start, as a bad configuration would.</summary>
    private sealed class Misconfigured : ReceiveActor
    {
        public Misconfigured() => throw new InvalidOperationException("the configuration lacks a required section");
    }

    [Fact]
    public async Task A_singleton_whose_child_fails_every_start_is_started_again_after_a_delay_that_doubles_up_to_its_maximum()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(1);
        var node = cluster.Nodes[0];
        var failures = new List<ChildStartFailed>();
        var watcher = node.ActorOf(Props.Create(() => new Collect<ChildStartFailed>(failures)));
        node.EventStream.Subscribe(watcher, typeof(ChildStartFailed));
        var min = TimeSpan.FromMilliseconds(200);
        SupervisedSingleton.Start(node, ChildSpec.Worker("broken", Props.Create<Misconfigured>()), new SingletonOptions { MinRestartDelay = min, MaxRestartDelay = min * 4 });

        await cluster.WhenAsync(() => { lock (failures) { return failures.Count >= 6; } }, TimeSpan.FromSeconds(30), "six start attempts");
        List<TimeSpan> gaps;
        lock (failures)
        {
            var attempts = failures.Select(f => f.Timestamp).ToList();
            gaps = attempts.Zip(attempts.Skip(1), (a, b) => b - a).Take(5).ToList();
        }

        output.WriteLine("gaps between start attempts (ms): " + string.Join(", ", gaps.Select(g => g.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture))));
        // 200, 400, 800, 800, 800 ms at least (the scheduler's tick may fire a little early).
        var expected = new[] { 1, 2, 4, 4, 4 }.Select(k => min * k).ToList();
        for (var i = 0; i < gaps.Count; i++)
        {
            Assert.True(gaps[i] >= expected[i] - TimeSpan.FromMilliseconds(30), $"gap {i + 1} was {gaps[i].TotalMilliseconds} ms; expected at least {expected[i].TotalMilliseconds} ms");
        }

        Assert.True(gaps[^1] < expected[^1] * 4, $"the delay stops growing at its maximum; the last gap was {gaps[^1].TotalMilliseconds} ms");
    }
    /// <summary>
    /// The first "block" waits until <see cref="Gate"/> opens, then stops its incarnation; any other text (a later "block"
    /// included) is answered "done: " and it.
    /// </summary>
    private sealed class Gated : ReceiveActor
    {
        public static readonly ManualResetEventSlim Gate = new();
        public static readonly TaskCompletionSource<IActorRef> Blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Gated()
        {
            Receive<string>(m => m == "block" && Blocked.TrySetResult(Self), _ =>
            {
                Gate.Wait(TimeSpan.FromSeconds(60));
                Context.Stop(Self); // what waits in its mailbox goes with it (to dead letters)
            });
            Receive<string>(m => Sender.Tell("done: " + m));
        }
    }

    [Fact]
    public async Task A_message_that_goes_with_its_childs_mailbox_is_not_confirmed_and_is_sent_again_to_the_childs_next_incarnation()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(1);
        var node = cluster.Nodes[0];
        var address = SupervisedSingleton.Start(node, ChildSpec.Worker("ledger", Props.Create<Gated>()), new SingletonOptions { ConfirmTimeout = TimeSpan.FromMilliseconds(500) });
        Assert.Equal("done: hello", await address.Ask<string>("hello", TimeSpan.FromSeconds(20)));

        // The ledger is busy with a job; the next one waits in its mailbox; then the ledger stops, and its mailbox with it.
        address.Tell("block");
        var ledger = await Gated.Blocked.Task.WaitAsync(TimeSpan.FromSeconds(20));
        var answer = address.Ask<string>("job 2", TimeSpan.FromSeconds(20));
        // Behind "block" (being handled): its marker, then job 2 and its marker.
        await cluster.WhenAsync(() => ((ActorRefWithCell)ledger).Underlying.NumberOfMessages >= 3, TimeSpan.FromSeconds(20), "job 2 in the ledger's mailbox");
        Gated.Gate.Set();

        // Taken by no one, it was not confirmed: the address sends it again, and the ledger's next incarnation (its tree
        // restarts it) answers. Confirmed on arrival in the mailbox, it was lost.
        Assert.Equal("done: job 2", await answer);
        // "block" too: its incarnation stopped before the marker behind it was answered, so it is sent again (at least once).
        var stats = await SingletonStats.SettledAsync(address);
        output.WriteLine($"the address: {stats}");
        Assert.Equal(new SingletonAddressStats(Sent: 3, Confirmed: 3, Redelivered: stats.Redelivered, Rejected: 0, Dropped: 0, Waiting: 0, Moves: 0), stats);
        Assert.True(stats.Redelivered >= 2, stats.ToString()); // both; one sent again as the ledger was replaced, once more
    }
}
