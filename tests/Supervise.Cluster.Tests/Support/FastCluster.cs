using Akka.Configuration;

namespace Supervise.Cluster.Tests.Support;

/// <summary>A test node's configuration: Supervise's defaults with fast gossip and failure detection (shared with the node program).</summary>
public static class FastCluster
{
    public static Config Config(TimeSpan? stableAfter = null) =>
        Timings.WithFallback(SuperviseClusterConfig.Node(port: 0, stableAfter: stableAfter ?? TimeSpan.FromSeconds(2)));

    /// <summary>Only the faster gossip and failure detection, for a node configured otherwise.</summary>
    public static Config Timings { get; } = ConfigurationFactory.ParseString("""
            akka.loglevel = WARNING
            akka.cluster.singleton.hand-over-retry-interval = 200ms
            akka.cluster.singleton-proxy.singleton-identification-interval = 200ms
            akka.cluster.gossip-interval = 200ms
            akka.cluster.leader-actions-interval = 200ms
            akka.cluster.failure-detector.heartbeat-interval = 200ms
            akka.cluster.failure-detector.acceptable-heartbeat-pause = 5s
            akka.remote.dot-netty.tcp.connection-timeout = 2s
            """);
}
