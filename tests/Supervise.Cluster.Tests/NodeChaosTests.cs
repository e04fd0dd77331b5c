using Supervise.Cluster.Tests.Support;
using Xunit;
using Xunit.Abstractions;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Supervise.Cluster.Tests;

/// <summary>A seeded run of node faults: planned from the seed, carried out, journaled and reported.</summary>
public sealed class NodeChaosTests(ITestOutputHelper output)
{
    [Fact]
    public void The_plan_depends_only_on_the_seed_spares_the_observer_and_never_leaves_fewer_than_two_nodes()
    {
        var options = new NodeChaosOptions { Count = 6 };
        var plan = NodeChaos.Plan(42, 5, options);

        Assert.Equal(plan, NodeChaos.Plan(42, 5, options));
        Assert.NotEqual(plan, NodeChaos.Plan(43, 5, options));
        Assert.DoesNotContain(plan, p => p.NodeIndex == 0);
        Assert.Equal(3, plan.Count(p => p.NodeIndex > 0)); // five nodes: three can go, two stay
        Assert.Equal(3, plan.Select(p => p.NodeIndex).Where(i => i > 0).Distinct().Count());
        Assert.All(plan.Skip(3), p => Assert.Equal(-1, p.NodeIndex));
    }

    [Fact]
    public void A_sharded_type_whose_name_is_no_actor_name_is_refused_at_once()
    {
        using var system = Akka.Actor.ActorSystem.Create("local");
        var error = Assert.Throws<ArgumentException>(() => SupervisedSharding.Start(system, "$counters", ChildSpec.Worker("c", Akka.Actor.Props.Empty)));
        Assert.Contains("received '$counters'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_options_and_nodes_not_configured_for_a_fault_are_refused_naming_what_is_missing()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(3);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => NodeChaos.RunAsync(cluster.Nodes, new NodeChaosOptions { Count = 0 }));

        Assert.Contains("Count: expected 1 or more faults, received 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("Partition: expected every node's configuration to include NodeFaults.Partitionable", error.Message, StringComparison.Ordinal);
        Assert.Contains("Die: expected every node's configuration to include NodeFaults.DiesWithoutLeaving", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Every_kind_of_node_fault_is_carried_out_and_the_survivors_agree_on_the_cluster_after_each()
    {
        var config = NodeFaults.Partitionable.WithFallback(NodeFaults.DiesWithoutLeaving).WithFallback(FastCluster.Config());
        await using var cluster = await ClusterOfNodes.StartAsync(6, config);
        var options = new NodeChaosOptions { Count = 5, RecoveryTimeout = TimeSpan.FromSeconds(30) };
        var seed = Enumerable.Range(0, 1000).First(s => NodeChaos.Plan(s, 6, options).Take(4).Select(p => p.Kind).Distinct().Count() == 4); // one of each kind
        options = options with { Seed = seed };

        var report = await NodeChaos.RunAsync(cluster.Nodes, options);
        output.WriteLine(report.ToText());

        Assert.True(report.Recovered, report.ToText());
        Assert.Equal(NodeChaos.Plan(seed, 6, options), report.Faults.Select(f => (f.Fault.NodeIndex, f.Fault.Kind)).ToList()); // the journal is the seed's plan
        Assert.Equal("a fault now would leave fewer than two nodes", report.Faults[^1].Fault.Skipped);
        Assert.Equal(2, report.Survivors.Count);
        Assert.Contains(ClusterOfNodes.AddressOf(cluster.Nodes[0]).ToString(), report.Survivors);
        foreach (var fault in report.Faults.Where(f => f.Fault.Skipped is null))
        {
            Assert.DoesNotContain(AkkaCluster.Get(cluster.Nodes[0]).State.Members, m => m.Address.ToString() == fault.Fault.Node);
        }

        Assert.Contains("\"Kind\": \"", report.ToJson(), StringComparison.Ordinal);
    }
}
