using Akka.Actor;
using Supervise.Cluster.Tests.Support;
using Xunit;
using AkkaCluster = Akka.Cluster.Cluster;
using MemberStatus = Akka.Cluster.MemberStatus;

namespace Supervise.Cluster.Tests;

/// <summary>A network partition on loopback, resolved by the split brain resolver or healed.</summary>
public sealed class PartitionTests
{
    private static int UpMembers(ActorSystem node) => AkkaCluster.Get(node).State.Members.Count(m => m.Status == MemberStatus.Up);

    private static int Unreachable(ActorSystem node) => AkkaCluster.Get(node).State.Unreachable.Count;

    [Fact]
    public async Task Keep_majority_downs_the_smaller_side_of_a_partition_which_stops_itself()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(3, NodeFaults.Partitionable.WithFallback(ClusterOfNodes.NodeConfig(stableAfter: TimeSpan.FromSeconds(2))));
        var minority = cluster.Nodes[2];
        var majority = cluster.Nodes.Take(2).ToList();

        await NodeFaults.PartitionAsync([minority], majority);

        // The larger side removes the smaller; the smaller downs itself and its actor system ends.
        await cluster.WhenAsync(() => majority.All(n => AkkaCluster.Get(n).State.Members.Count == 2 && Unreachable(n) == 0), TimeSpan.FromSeconds(30), "the majority alone, all reachable");
        await minority.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.All(majority, n => Assert.Equal(2, UpMembers(n)));
    }

    [Fact]
    public async Task A_partition_healed_before_the_resolver_decides_leaves_the_cluster_whole()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(3, NodeFaults.Partitionable.WithFallback(ClusterOfNodes.NodeConfig(stableAfter: TimeSpan.FromSeconds(60))));
        var side = new[] { cluster.Nodes[2] };
        var rest = cluster.Nodes.Take(2).ToList();

        await NodeFaults.PartitionAsync(side, rest);
        await cluster.WhenAsync(() => Unreachable(cluster.Nodes[0]) == 1, TimeSpan.FromSeconds(20), "the cut-off node unreachable");
        await NodeFaults.HealAsync(side, rest);

        await cluster.WhenAsync(() => cluster.Nodes.All(n => Unreachable(n) == 0 && UpMembers(n) == 3), TimeSpan.FromSeconds(30), "all three reachable and Up again");
    }
}
