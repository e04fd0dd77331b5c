using Akka.Actor;
using Akka.Cluster.Hosting;
using Akka.Cluster.Hosting.SBR;
using Akka.Configuration;
using Akka.Hosting;
using Akka.Remote.Hosting;
using Microsoft.Extensions.DependencyInjection;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Supervise.Cluster.Tests.Docs;

/// <summary>The code of docs/guides/cluster.md, compiled and run by <see cref="ClusterGuideTests"/>.</summary>
public static class ClusterGuideExamples
{
    /// <summary>Takes orders; one instance in the whole cluster.</summary>
    public sealed class Orders : ReceiveActor
    {
        public Orders() => Receive<string>(order => Sender.Tell($"taken {order} on {AkkaCluster.Get(Context.System).SelfAddress.Host}"));
    }

    /// <summary>Step 1: one node, on this machine, that joins itself.</summary>
    public static IActorRef OneNode(ActorSystem system)
    {
        var cluster = AkkaCluster.Get(system);
        cluster.Join(cluster.SelfAddress);

        var orders = SupervisedSingleton.Start(
            system,
            ChildSpec.Worker("orders", Props.Create<Orders>()) with { Policies = [Policy.Buffer(10_000)] });
        return orders;
    }

    /// <summary>
    /// Step 3: a node on a host of its own. <paramref name="host"/> is this machine's address; every node
    /// is given the same <paramref name="seedHosts"/> and the same port.
    /// </summary>
    public static ActorSystem StartHost(string host, int port, IReadOnlyList<string> seedHosts, Config? extra = null)
    {
        var config = SuperviseClusterConfig.Node(
            port: port,
            hostname: host,
            seedNodes: seedHosts.Select(seed => $"akka.tcp://shop@{seed}:{port}"));
        var system = ActorSystem.Create("shop", extra is null ? config : extra.WithFallback(config));

        SupervisedSingleton.Start(
            system,
            ChildSpec.Worker("orders", Props.Create<Orders>()) with { Policies = [Policy.Buffer(10_000)] });
        ClusterHealth.Publish(system); // this node answers for its health in the cluster's view
        return system;
    }

    /// <summary>Node faults in a chaos run, from the first node: one seed chooses them with the tree's own faults.</summary>
    public static Task<FaultInjector> ChaosWithNodeFaultsAsync(SupervisionTree tree, IReadOnlyList<ActorSystem> nodes, int seed) =>
        tree.StartChaosAsync(new ChaosOptions
        {
            Seed = seed,
            EnvironmentName = "Test",
            Faults = [new FaultChoice(FaultKind.Crash, Weight: 3), new FaultChoice(FaultKind.NodeDown)],
            Nodes = new ClusterNodeFaults(nodes), // nodes[0] observes and is never faulted
            Schedule = FaultSchedule.Poisson(TimeSpan.FromSeconds(2)),
            MaxFaults = 6,
        });

    /// <summary>Step 3 in a .NET host: the same node, made by Akka.Hosting and Akka.Cluster.Hosting.</summary>
    public static IServiceCollection AddClusterNode(IServiceCollection services, string host, int port, IReadOnlyList<string> seedHosts) =>
        services.AddAkka("shop", akka => akka
            .WithRemoting(host, port)
            .WithClustering(new ClusterOptions
            {
                SeedNodes = seedHosts.Select(seed => $"akka.tcp://shop@{seed}:{port}").ToArray(),
                SplitBrainResolver = SplitBrainResolverOption.Default, // keep-majority, as SuperviseClusterConfig.Node
            })
            .WithSuperviseCluster()
            .WithActors((system, registry) => registry.Register<Orders>(SupervisedSingleton.Start(
                system,
                ChildSpec.Worker("orders", Props.Create<Orders>()) with { Policies = [Policy.Buffer(10_000)] }))));
}
