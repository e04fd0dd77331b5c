using Akka.Actor;
using Akka.Configuration;
using Supervise.Cluster.Tests.Support;
using Supervise.Tests.Common;
using Xunit;

namespace Supervise.Cluster.Tests;

/// <summary>The cluster-wide health view on three nodes on 127.0.0.1.</summary>
public sealed class ClusterHealthTests
{
    private sealed class Worker : ReceiveActor
    {
        public Worker() => Receive<string>(m => m == "stop", _ => Context.Stop(Self));
    }

    [Fact]
    public async Task Any_node_answers_for_every_node_and_a_node_that_died_without_leaving_is_shown_unreachable()
    {
        // A node that dies does not leave (its actor system ends without the cluster's coordinated shutdown),
        // and the split brain resolver waits long enough for the test to see it unreachable.
        var config = ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off")
            .WithFallback(ClusterOfNodes.NodeConfig(stableAfter: TimeSpan.FromSeconds(60)));
        await using var cluster = await ClusterOfNodes.StartAsync(3, config);
        var spec = new SupervisorSpec { Children = [ChildSpec.Worker("a", Props.Create<Worker>()), ChildSpec.Worker("t", Props.Create<Worker>()) with { Restart = RestartType.Transient }] };
        var trees = new List<SupervisionTree>();
        foreach (var node in cluster.Nodes)
        {
            var tree = await node.StartTreeAsync(spec, new TreeOptions { Name = "shop" });
            trees.Add(tree);
            ClusterHealth.Publish(node, tree);
        }

        // A supervised singleton's tree is in the view of the node that hosts it (the oldest).
        foreach (var node in cluster.Nodes)
        {
            SupervisedSingleton.Start(node, ChildSpec.Worker("lone", Props.Create<Worker>()));
        }

        var oldest = ClusterOfNodes.AddressOf(cluster.Nodes[0]).ToString();
        await cluster.WhenAsync(
            async () => (await ClusterHealth.GetAsync(cluster.Nodes[1])).Nodes.Single(n => n.Address == oldest).Trees.Any(t => t.Tree.StartsWith("singleton-lone-", StringComparison.Ordinal) && t.State == HealthState.Running),
            TimeSpan.FromSeconds(20),
            "the singleton's tree in the view of its node");

        var degraded = cluster.Nodes[2].WhenEventAsync<HealthChanged>(e => e.ChildId is null && e.Current == HealthState.Degraded);
        (await trees[2].GetChildAsync("t")).Tell("stop");
        await degraded.WaitAsync(TimeSpan.FromSeconds(10));

        var health = await ClusterHealth.GetAsync(cluster.Nodes[0]);
        Assert.Equal(3, health.Nodes.Count);
        Assert.All(health.Nodes, n => Assert.Equal(NodeStatus.Up, n.Status));
        var third = health.Nodes.Single(n => n.Address == ClusterOfNodes.AddressOf(cluster.Nodes[2]).ToString());
        Assert.Equal(HealthState.Degraded, third.Trees.Single(t => t.Tree == "shop").State);
        Assert.Equal(HealthState.Down, third.Trees.Single(t => t.Tree == "shop").Nodes["shop/t"]);
        Assert.Equal(HealthState.Degraded, health.Worst);
        var check = await new ClusterHealthCheck(cluster.Nodes[0]).CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext());
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, check.Status);
        Assert.Equal("Degraded", check.Data[$"{third.Address} shop"]);

        // The second node dies: the others see it unreachable, and say so.
        var dead = ClusterOfNodes.AddressOf(cluster.Nodes[1]).ToString();
        await cluster.Nodes[1].Terminate();
        ClusterHealthSnapshot? seen = null;
        await cluster.WhenAsync(
            async () => (seen = await ClusterHealth.GetAsync(cluster.Nodes[0], TimeSpan.FromSeconds(1))).Nodes.Any(n => n.Address == dead && n.Status == NodeStatus.Unreachable),
            TimeSpan.FromSeconds(30),
            "the dead node shown unreachable");
        Assert.Equal(HealthState.Down, seen!.Worst);
        var unhealthy = await new ClusterHealthCheck(cluster.Nodes[0], TimeSpan.FromSeconds(1)).CheckHealthAsync(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckContext());
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Equal("Unreachable", unhealthy.Data[dead]);
        Assert.Equal(2, seen.Nodes.Count(n => n.Status == NodeStatus.Up));
    }
}
