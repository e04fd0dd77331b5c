using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Cluster;
using Akka.Configuration;
using Supervise.Cluster;
using Supervise.Samples.Common;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Supervise.Samples.ClusterDemo;

/// <summary>
/// Three nodes of an Akka.Cluster on 127.0.0.1. A supervised singleton (the ledger) runs on the oldest; a
/// client on another node sends it jobs. The fault injector kills the ledger's node (its actor system ends
/// without leaving, as a killed process would); the survivors down it, the ledger moves, and no job is lost.
/// </summary>
internal sealed class ClusterSample : ISample
{
    private static readonly Config Timings = ConfigurationFactory.ParseString("""
        akka.loglevel = OFF
        akka.stdout-loglevel = OFF
        akka.cluster.gossip-interval = 200ms
        akka.cluster.leader-actions-interval = 200ms
        akka.cluster.failure-detector.heartbeat-interval = 200ms
        akka.cluster.failure-detector.acceptable-heartbeat-pause = 3s
        akka.cluster.singleton.hand-over-retry-interval = 200ms
        akka.cluster.singleton-proxy.singleton-identification-interval = 200ms
        """);

    public string Name => "cluster";

    public string Summary => "Three nodes on 127.0.0.1: the injector kills the one hosting a supervised singleton; it moves, and no job is lost.";

    public TimeSpan DefaultDuration => TimeSpan.FromSeconds(25);

    public double DefaultFaultsPerSecond => 0;

    public string? ScriptedFaults => "the cluster sample's one fault is scripted: the death of node-a, a third of the way in";

    public async Task<SampleOutcome> RunAsync(SampleRun run)
    {
        var config = Timings.WithFallback(NodeFaults.DiesWithoutLeaving).WithFallback(SuperviseClusterConfig.Node(port: 0, stableAfter: TimeSpan.FromSeconds(2)));
        var nodes = new List<ActorSystem>();
        var names = new[] { "node-a", "node-b", "node-c" };
        try
        {
            run.Say("Three nodes start on 127.0.0.1 and join one at a time; the first is the oldest, so it hosts the ledger (a supervised singleton).");
            for (var i = 0; i < 3; i++)
            {
                var node = ActorSystem.Create("supervise-sample", config);
                nodes.Add(node);
                AkkaCluster.Get(node).Join(AkkaCluster.Get(nodes[0]).SelfAddress);
                int Up() => AkkaCluster.Get(nodes[0]).State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up);
                if (!await UntilAsync(() => Up() == i + 1, TimeSpan.FromSeconds(30)))
                {
                    throw new InvalidOperationException($"{names[i]} did not join: the cluster had {Up()} Up member(s) of {i + 1} after 30 s.");
                }
            }

            var addresses = nodes.Select(n => SupervisedSingleton.Start(n, ChildSpec.Worker("ledger", Props.Create(() => new Ledger())))).ToList();
            var client = nodes[2];
            var tree = await client.StartTreeAsync(new SupervisorSpec { Children = [ChildSpec.Worker("client", Props.Create(() => new Acks()))] }, new TreeOptions { Name = "client" });
            foreach (var node in nodes)
            {
                ClusterHealth.Publish(node, node == client ? [tree] : []);
            }

            run.Show(client, tree);
            var acked = new ConcurrentDictionary<int, string>();
            var nodeAddresses = nodes.Select(n => AkkaCluster.Get(n).SelfAddress.ToString()).ToList();
            var ledger = new LedgerWhereabouts(run.Timeline, address => nodeAddresses.IndexOf(address) is >= 0 and var i ? names[i] : address);
            var collector = client.ActorOf(Props.Create(() => new Collector(acked, run.Load, ledger)), "acks");
            using var watching = new CancellationTokenSource();
            var watcher = WatchClusterAsync(run, client, names, nodeAddresses, ledger, watching.Token);

            // The kill is timed from here: the client's address has found the ledger on node-a first (else its move is not one).
            await addresses[2].Ask<string>(new Where(), TimeSpan.FromSeconds(30));

            // The scripted chaos run: a journal with one fault, the death of the ledger's node, a third of the way in.
            var journal = new FaultJournal(run.Seed, [new FaultRecord(1, run.Duration / 3, "node-a", FaultKind.NodeDeath, TimeSpan.Zero, 0, null)]);
            var injector = await tree.StartChaosAsync(new ChaosOptions
            {
                EnvironmentName = "Samples",
                Replay = journal,
                Nodes = new ClusterNodeFaults([client, nodes[0], nodes[1]], ["node-c", "node-a", "node-b"]), // node-c observes
                RecoveryTimeout = TimeSpan.FromSeconds(30),
            });
            run.Say($"The client on node-c sends the ledger a job every 20 ms. At {(run.Duration / 3).TotalSeconds:0} s the fault injector kills node-a, the ledger's node.");

            var sent = 0;
            var stop = DateTime.UtcNow + run.Duration;
            while (DateTime.UtcNow < stop && !run.Stopping.IsCancellationRequested)
            {
                addresses[2].Tell(new Job(++sent, System.Diagnostics.Stopwatch.GetTimestamp()), collector);
                await Task.Delay(20);
            }

            run.Say("Time is up: no more jobs; the ledger answers what it still holds.");
            var resent = new List<int>();
            if (!await UntilAsync(() => acked.Count == sent, TimeSpan.FromSeconds(15)))
            {
                // A caller that waits for replies sends again what got none: a job the dead node's ledger took, whose reply
                // went with the node, is confirmed at the address (it cannot know), and only the caller can tell.
                resent.AddRange(Enumerable.Range(1, sent).Where(j => !acked.ContainsKey(j)));
                run.Say($"No reply came for job(s) {string.Join(", ", resent.Take(10))}: the client sends them again (the ledger is idempotent by job number).");
                foreach (var job in resent)
                {
                    addresses[2].Tell(new Job(job, System.Diagnostics.Stopwatch.GetTimestamp()), collector);
                }

                await UntilAsync(() => acked.Count == sent, TimeSpan.FromSeconds(15));
            }

            // The run ends by itself once the survivors agree on the cluster again (the fault's recovery), bounded.
            ChaosReport report;
            try
            {
                report = await injector.Completion.WaitAsync(TimeSpan.FromSeconds(45));
            }
            catch (TimeoutException)
            {
                // Not recovered in time (a failed chaos run throws its own cause instead).
                report = await injector.StopAsync("the cluster took too long to recover");
            }

            var stats = await SupervisedSingleton.GetStatsAsync(addresses[2]);
            var now = await addresses[2].Ask<string>(new Where(), TimeSpan.FromSeconds(10));
            var violations = new List<string>();
            var lost = Enumerable.Range(1, sent).Where(j => !acked.ContainsKey(j)).ToList();
            if (lost.Count > 0)
            {
                violations.Add($"{lost.Count} job(s) never acknowledged: {string.Join(", ", lost.Take(10))}");
            }

            if (now == nodeAddresses[0])
            {
                violations.Add("the ledger did not move off the killed node");
            }
            else if (!nodeAddresses.Contains(now))
            {
                violations.Add($"the ledger answered from {now}, which is none of the three nodes");
            }

            if (stats.Dropped > 0)
            {
                violations.Add($"the singleton's address dropped {stats.Dropped} message(s)");
            }

            var movedTo = nodeAddresses.IndexOf(now) is >= 0 and var at ? names[at] : now;
            var findings = new List<string>
            {
                $"{sent} jobs sent, {acked.Count} acknowledged ({acked.Values.Count(v => v == nodeAddresses[0])} by node-a before it died, {acked.Values.Count(v => v == now)} by {movedTo} after)",
                $"the ledger moved to {movedTo}; the chaos run ended: {report.EndReason}; node fault recovery: {string.Join(", ", report.Faults.Select(f => $"{f.Fault.Kind} {f.Fault.Target} {(f.RecoveredAfter is { } r ? $"{r.TotalSeconds:0.0} s" : "not recovered")}"))}",
                $"the address: {stats.Redelivered} redelivered, {stats.Dropped} dropped, {stats.Moves} move(s)",
            };
            if (resent.Count > 0)
            {
                findings.Add($"sent again by the client, for want of a reply: {resent.Count} ({string.Join(", ", resent.Take(10))})");
            }

            // The watch ends before the nodes do: a poll during their stop would read them as not answering.
            await watching.CancelAsync();
            await watcher;
            return new SampleOutcome(violations.Count == 0, "the ledger moves off the killed node, and no job is lost", findings, violations) { Chaos = report };
        }
        finally
        {
            var stopped = await Task.WhenAll(nodes.Select(n => n.Terminate().WaitAsync(TimeSpan.FromSeconds(15)).ContinueWith(t => t.IsCompletedSuccessfully, TaskScheduler.Default)));
            if (stopped.Contains(false))
            {
                run.Say($"Not stopped within 15 s: {string.Join(", ", stopped.Select((ok, i) => ok ? null : names[i]).OfType<string>())} (its port stays bound until the process ends).");
            }
        }
    }

    /// <summary>
    /// Puts each node's status into the timeline whenever it changes. Unreachable and gone are taken from the observer's own
    /// cluster events, the moment it sees them (a poll could miss the few seconds a dead node stays unreachable while it
    /// waits on a node that does not answer); the health view, polled, adds whether an Up node answers.
    /// </summary>
    private static async Task WatchClusterAsync(SampleRun run, ActorSystem observer, string[] names, List<string> addresses, LedgerWhereabouts ledger, CancellationToken stop)
    {
        var statuses = new NodeStatuses(run.Timeline, names, addresses, ledger);
        var events = observer.ActorOf(Props.Create(() => new ClusterEvents(statuses)), "sample-cluster-events");
        try
        {
            while (!stop.IsCancellationRequested && !observer.WhenTerminated.IsCompleted)
            {
                try
                {
                    var health = await ClusterHealth.GetAsync(observer, TimeSpan.FromSeconds(2));
                    var state = AkkaCluster.Get(observer).State;
                    if (stop.IsCancellationRequested)
                    {
                        break;
                    }

                    foreach (var node in health.Nodes)
                    {
                        // What the view says of a node counts only while the cluster still sees it as it was asked about.
                        if (state.Members.Any(m => m.Address.ToString() == node.Address) && !state.Unreachable.Any(m => m.Address.ToString() == node.Address))
                        {
                            statuses.Set(node.Address, node.Status.ToString());
                        }
                    }
                }
                catch (Exception e) when (e is not OutOfMemoryException)
                {
                    // the observer is stopping
                }

                await Task.Delay(250, stop).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
        finally
        {
            observer.Stop(events);
        }
    }

    /// <summary>Each node's last status, put into the timeline when it changes (from the cluster's events and from the health view).</summary>
    private sealed class NodeStatuses(Timeline timeline, string[] names, List<string> addresses, LedgerWhereabouts ledger)
    {
        private readonly Lock _gate = new();
        private readonly Dictionary<string, string> _last = [];

        public void Set(string address, string status)
        {
            if (addresses.IndexOf(address) is not (>= 0 and var i))
            {
                return;
            }

            lock (_gate)
            {
                if (_last.GetValueOrDefault(names[i]) == status || _last.GetValueOrDefault(names[i]) == "gone")
                {
                    return;
                }

                _last[names[i]] = status;
                timeline.Add(MomentKind.Health, "cluster/" + names[i], status, status == "Up" ? HealthState.Running : HealthState.Down);
                if (status is "Unreachable" or "gone")
                {
                    // From the cluster's own view only: a live node slow to answer a poll is not a move.
                    ledger.HostIs(names[i], status);
                }
            }
        }
    }

    /// <summary>The observer's cluster events: a member unreachable, reachable again, or removed.</summary>
    private sealed class ClusterEvents : ReceiveActor
    {
        public ClusterEvents(NodeStatuses statuses)
        {
            Receive<ClusterEvent.UnreachableMember>(e => statuses.Set(e.Member.Address.ToString(), "Unreachable"));
            Receive<ClusterEvent.ReachableMember>(e => statuses.Set(e.Member.Address.ToString(), "Up"));
            Receive<ClusterEvent.MemberRemoved>(e => statuses.Set(e.Member.Address.ToString(), "gone"));
        }

        protected override void PreStart() => AkkaCluster.Get(Context.System).Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IReachabilityEvent), typeof(ClusterEvent.MemberRemoved));

        protected override void PostStop() => AkkaCluster.Get(Context.System).Unsubscribe(Self);
    }

    /// <summary>Waits until <paramref name="condition"/> holds, at most <paramref name="limit"/>; says whether it came to hold.</summary>
    private static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan limit)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed >= limit)
            {
                return false;
            }

            await Task.Delay(50);
        }

        return true;
    }

    internal sealed record Job(int Number, long SentAt);

    internal sealed record Ack(int Number, string Node, long SentAt);

    internal sealed record Where;

    /// <summary>The singleton: acknowledges each job with its node's name.</summary>
    private sealed class Ledger : ReceiveActor
    {
        public Ledger()
        {
            var address = AkkaCluster.Get(Context.System).SelfAddress.ToString();
            Receive<Job>(j => Sender.Tell(new Ack(j.Number, address, j.SentAt)));
            Receive<Where>(_ => Sender.Tell(address));
        }
    }

    private sealed class Acks : ReceiveActor
    {
        public Acks() => ReceiveAny(_ => { });
    }

    private sealed class Collector : ReceiveActor
    {
        public Collector(ConcurrentDictionary<int, string> acked, LoadMeter load, LedgerWhereabouts ledger) => Receive<Ack>(a =>
        {
            if (acked.TryAdd(a.Number, a.Node))
            {
                load.Record(System.Diagnostics.Stopwatch.GetElapsedTime(a.SentAt));
                ledger.AnsweredFrom(a.Node);
            }
        });
    }

    /// <summary>
    /// Where the ledger (the singleton) runs, as its answers say, put into the timeline as the lane <c>cluster/ledger</c>: Running
    /// on its node; Restarting from when its node stops answering until it answers from another (its move).
    /// </summary>
    private sealed class LedgerWhereabouts(Timeline timeline, Func<string, string> nameOf)
    {
        private const string Lane = "cluster/ledger";
        private readonly Lock _gate = new();
        private string? _host;
        private bool _moving;

        public void AnsweredFrom(string address)
        {
            var node = nameOf(address);
            lock (_gate)
            {
                if (node == _host && !_moving)
                {
                    return;
                }

                var was = _host;
                _host = node;
                _moving = false;
                timeline.Add(MomentKind.Health, Lane, was is null ? $"answers from {node}" : was == node ? $"answers from {node} again" : $"moved: answers from {node} (was {was})", HealthState.Running);
            }
        }

        public void HostIs(string node, string status)
        {
            lock (_gate)
            {
                if (node == _host && !_moving)
                {
                    _moving = true;
                    timeline.Add(MomentKind.Health, Lane, $"its node {node} is {status}: jobs wait at its address until it runs on another", HealthState.Restarting);
                }
            }
        }
    }
}
