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

    private static async Task<string> AskUntilAnsweredAsync(IActorRef address, TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return await address.Ask<string>("where", TimeSpan.FromSeconds(1));
            }
            catch (AskTimeoutException) when (waited.Elapsed < limit)
            {
                // not answered within a second: ask again
            }
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
        var failover = Stopwatch.StartNew();
        AkkaCluster.Get(cluster.Nodes[1]).Down(ClusterOfNodes.AddressOf(cluster.Nodes[0]));
        await cluster.Nodes[0].Terminate().WaitAsync(timeout);
        // A message sent before the proxy has learnt that the node is gone goes to the dead instance and is
        // lost (Akka's proxy buffers only while it knows of no instance): a caller asks again, as here.
        var now = await AskUntilAnsweredAsync(addresses[2], TimeSpan.FromSeconds(30));
        failover.Stop();

        var survivors = cluster.Nodes.Skip(1).Select(n => ClusterOfNodes.AddressOf(n).ToString()).ToList();
        Assert.Equal(survivors[0], now); // the oldest of them, which joined first
        output.WriteLine($"singleton failed over from {first} to {now} in {failover.ElapsedMilliseconds} ms after its node was downed");
        Assert.Equal(now, await addresses[1].Ask<string>("where", timeout)); // one instance: both survivors reach the same
    }
}
