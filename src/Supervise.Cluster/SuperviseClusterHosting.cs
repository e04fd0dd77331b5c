using Akka.Cluster.Sharding;
using Akka.Cluster.Tools.Singleton;
using Akka.Hosting;

namespace Supervise.Cluster;

/// <summary>
/// Supervise on a cluster node whose actor system Akka.Hosting makes (<c>AddAkka</c>). Remoting, clustering and the split
/// brain resolver come from Akka.Cluster.Hosting (<c>WithRemoting</c>, <c>WithClustering</c>); this adds what Supervise
/// needs on top: its serializer for the messages its singletons and sharded entities send between nodes, and the defaults
/// of cluster singletons and sharding. For an actor system made with <c>ActorSystem.Create</c>,
/// <see cref="SuperviseClusterConfig.Node"/> gives the same node as one configuration.
/// </summary>
public static class SuperviseClusterHosting
{
    /// <summary>Adds Supervise.Cluster's serializer and the singleton and sharding defaults to the actor system being built.</summary>
    public static AkkaConfigurationBuilder WithSuperviseCluster(this AkkaConfigurationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder
            .WithCustomSerializer(SuperviseClusterSerializer.Name, SuperviseClusterSerializer.Types, system => new SuperviseClusterSerializer(system))
            .AddHocon(ClusterSingleton.DefaultConfig().WithFallback(ClusterSharding.DefaultConfig()), HoconAddMode.Append);
    }
}
