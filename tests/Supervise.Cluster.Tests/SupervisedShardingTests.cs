using Akka.Actor;
using Supervise.Cluster.Tests.Support;
using Supervise.Tests.Common;
using Xunit;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Supervise.Cluster.Tests;

/// <summary>Supervised sharded entities on three nodes on 127.0.0.1.</summary>
public sealed class SupervisedShardingTests
{
    /// <summary>Counts what it is sent and answers with its node and count; crashes on "boom".</summary>
    private sealed class Counter : ReceiveActor
    {
        private int _count;

        public Counter()
        {
            Receive<string>(m => m == "boom", _ => throw new InvalidOperationException("boom"));
            Receive<string>(_ => Sender.Tell($"{AkkaCluster.Get(Context.System).SelfAddress} {++_count}"));
        }
    }

    [Fact]
    public async Task A_crashing_entity_is_restarted_by_its_tree_and_one_past_its_intensity_gives_up_is_reported_and_starts_afresh()
    {
        await using var cluster = await ClusterOfNodes.StartAsync(3);
        var regions = cluster.Nodes
            .Select(n => SupervisedSharding.Start(n, "counters", ChildSpec.Worker("counter", Props.Create<Counter>()), new ShardingOptions { Intensity = 1, Period = TimeSpan.FromMinutes(1) }))
            .ToList();
        var timeout = TimeSpan.FromSeconds(20);
        async Task<(string Node, int Count)> AskAsync(int region, string message)
        {
            var reply = (await regions[region].Ask<string>(new EntityEnvelope("k1", message), timeout)).Split(' ');
            return (reply[0], int.Parse(reply[1], System.Globalization.CultureInfo.InvariantCulture));
        }

        var (node, count) = await AskAsync(0, "add");
        Assert.Equal(1, count);
        Assert.Equal((node, 2), await AskAsync(1, "add")); // one entity, wherever it is asked from
        var host = cluster.Nodes.Single(n => ClusterOfNodes.AddressOf(n).ToString() == node);

        // A crash: restarted in place by the entity's tree (a fresh count), on the same node.
        var restarted = host.WhenEventAsync<ChildRestarted>(e => e.ChildId == "counter");
        regions[2].Tell(new EntityEnvelope("k1", "boom"));
        await restarted.WaitAsync(timeout);
        Assert.Equal((node, 1), await AskAsync(2, "add"));

        // A second crash within the period exceeds intensity 1: the tree gives up, which is reported, and the
        // entity is passivated; the next message starts it afresh.
        var gaveUp = host.WhenEventAsync<ShardedEntityGaveUp>(e => e.EntityId == "k1");
        regions[0].Tell(new EntityEnvelope("k1", "boom"));
        var report = await gaveUp.WaitAsync(timeout);
        Assert.Equal("counters", report.TypeName);
        Assert.Equal((node, 1), await AskAsync(0, "add"));
    }
}
