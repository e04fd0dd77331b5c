using Akka.Actor;
using Supervise.Cluster.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Supervise.Cluster.Tests;

/// <summary>Node faults in a chaos run: chosen by the injector's seed, carried out, journaled and reported with the tree's faults.</summary>
public sealed class NodeChaosTests(ITestOutputHelper output)
{
    private sealed class Worker : ReceiveActor
    {
        public Worker() => ReceiveAny(_ => { });
    }

    [Fact]
    public void A_sharded_type_whose_name_is_no_actor_name_is_refused_at_once()
    {
        using var system = ActorSystem.Create("local");
        var error = Assert.Throws<ArgumentException>(() => SupervisedSharding.Start(system, "$counters", ChildSpec.Worker("c", Props.Empty)));
        Assert.Contains("received '$counters'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Node_faults_without_nodes_or_on_nodes_not_configured_for_them_are_refused_naming_what_is_missing()
    {
        var options = new ChaosOptions { EnvironmentName = "Test", Faults = [new(FaultKind.Crash), new(FaultKind.NodeDown)] };
        Assert.Contains("chaos: Nodes: expected the nodes to fault (Supervise.Cluster's ClusterNodeFaults) for NodeDown, received null", options.Validate().Select(p => p.ToString()));

        using var a = ActorSystem.Create("a");
        using var b = ActorSystem.Create("b");
        var problems = (options with { Faults = [new(FaultKind.NodeDeath), new(FaultKind.NodePartition)], Nodes = new ClusterNodeFaults([a, b]) }).Validate().Select(p => p.ToString()).ToList();
        Assert.Equal(
            [
                "chaos: Nodes.Count: expected 3 or more nodes (the first observes, and no fault leaves fewer than two), received 2",
                "chaos: Nodes.NodePartition: expected every node's configuration to include NodeFaults.Partitionable, received nodes without it: node-0, node-1",
                "chaos: Nodes.NodeDeath: expected every node's configuration to include NodeFaults.DiesWithoutLeaving (otherwise a dying node leaves first, which is a NodeLeave), received nodes without it: node-0, node-1",
                "chaos: Nodes.Downing: expected a downing provider on every node (SuperviseClusterConfig.Node sets the split brain resolver) to remove a dead or cut-off node, received nodes without one: node-0, node-1",
            ],
            problems);
        Assert.Throws<ArgumentException>(() => new ClusterNodeFaults([a, b], ["x", "x"]));
    }

    [Fact]
    public async Task Every_kind_of_node_fault_is_chosen_carried_out_journaled_and_reported_by_a_chaos_run_and_the_survivors_agree_after_each()
    {
        var config = NodeFaults.Partitionable.WithFallback(NodeFaults.DiesWithoutLeaving).WithFallback(FastCluster.Config());
        await using var cluster = await ClusterOfNodes.StartAsync(6, config);
        var nodes = new ClusterNodeFaults(cluster.Nodes);
        var observer = AkkaCluster.Get(cluster.Nodes[0]);
        var tree = await cluster.Nodes[0].StartTreeAsync(new SupervisorSpec { Children = [ChildSpec.Worker("w", Props.Create<Worker>())] }, new TreeOptions { Name = "observer" });
        var run = new ChaosOptions
        {
            EnvironmentName = "Test",
            Seed = 20261123,
            Nodes = nodes,
            Schedule = FaultSchedule.Fixed(TimeSpan.FromMilliseconds(100)),
            MaxFaults = 1,
            RecoveryTimeout = TimeSpan.FromSeconds(30),
        };

        async Task<ChaosReport> RunAsync(ChaosOptions options)
        {
            var injector = await tree.StartChaosAsync(options);
            var report = await injector.Completion.WaitAsync(TimeSpan.FromSeconds(60));
            output.WriteLine(report.ToText());
            return report;
        }

        // Three random runs of one kind each: the seed chooses the node; never the observer (node-0).
        foreach (var kind in new[] { FaultKind.NodeLeave, FaultKind.NodeDown, FaultKind.NodeDeath })
        {
            var report = await RunAsync(run with { Faults = [new(kind)] });
            var fault = Assert.Single(report.Faults);
            Assert.True(fault.RecoveredAfter is not null, $"the survivors did not agree after {kind}; {report.ToText()}");
            Assert.Equal((kind, IsolationVerdict.Isolated), (fault.Fault.Kind, fault.Verdict));
            Assert.NotEqual("node-0", fault.Fault.Target);
            Assert.Equal(fault.Fault, Assert.Single(report.Journal.Faults));
            Assert.DoesNotContain(observer.State.Members, m => m.Address.ToString() == nodes.Addresses[fault.Fault.Target]);
            Assert.True(report.RootSurvived);
            // No blast radius to stay in: no isolation verdict, a line of its own in the report's text.
            Assert.Empty(report.Verdicts);
            Assert.Contains($"  node fault {fault.Fault.Sequence}: {kind} of {fault.Fault.Target}, the nodes left agreed on the cluster again", report.ToText(), StringComparison.Ordinal);
        }

        // A partition, replayed from a journal that names the node: the resolver removes the smaller side.
        var partitioned = nodes.Targets[^1];
        var journal = new FaultJournal(1, [new FaultRecord(1, TimeSpan.Zero, partitioned, FaultKind.NodePartition, TimeSpan.Zero, 0, null)]);
        var replayed = await RunAsync(run with { Replay = journal, MaxFaults = null });
        Assert.Equal(journal.Faults.Select(f => (f.Target, f.Kind)), replayed.Journal.Faults.Select(f => (f.Target, f.Kind)));
        Assert.NotNull(Assert.Single(replayed.Faults).RecoveredAfter); // the replay follows its node fault until the cluster agrees again
        Assert.Equal("the journal was replayed", replayed.EndReason);

        // Two nodes are left: no fault may be done, and the chosen ones are journaled as skipped.
        Assert.Equal(2, nodes.Live.Count);
        Assert.Empty(nodes.Targets);
        // Long enough for the 100 ms schedule to try at least once on a loaded machine (a 500 ms run once ended before its first try).
        var none = await RunAsync(run with { Faults = [new(FaultKind.NodeDown)], MaxFaults = null, Duration = TimeSpan.FromSeconds(3) });
        Assert.Empty(none.Faults);
        Assert.NotEmpty(none.Journal.Faults);
        Assert.All(none.Journal.Faults, f => Assert.Equal("no node may be faulted now (a fault would leave too few nodes)", f.Skipped));
        Assert.Equal(["node-0", nodes.Live[1]], nodes.Live);
        Assert.Equal(2, observer.State.Members.Count(m => m.Status == Akka.Cluster.MemberStatus.Up));
        Assert.Contains("\"NodePartition\"", replayed.ToJson(), StringComparison.Ordinal);
    }
}
