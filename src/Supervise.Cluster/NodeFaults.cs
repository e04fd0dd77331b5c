using Akka.Actor;
using Akka.Configuration;
using Akka.Remote;
using Akka.Remote.Transport;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Supervise.Cluster;

/// <summary>
/// Faults of whole nodes, for chaos on a cluster: a graceful leave, a down, an abrupt death, and a network
/// partition between nodes. Everything stays on the nodes' own addresses (127.0.0.1 by default): a partition
/// blackholes traffic inside Akka.Remote's throttler, no firewall is touched.
/// </summary>
public static class NodeFaults
{
    /// <summary>
    /// Configuration a node needs for <see cref="PartitionAsync"/>: Akka.Remote's throttler transport adapter
    /// in front of its TCP transport (addresses then read <c>akka.trttl.tcp://</c>). Every node of the cluster
    /// needs the same.
    /// </summary>
    public static Config Partitionable { get; } = ConfigurationFactory.ParseString("akka.remote.dot-netty.tcp.applied-adapters = [trttl]");

    /// <summary>Configuration for a node whose end is abrupt: its actor system ends without leaving the cluster (as a killed process would).</summary>
    public static Config DiesWithoutLeaving { get; } = ConfigurationFactory.ParseString("akka.coordinated-shutdown.run-by-actor-system-terminate = off");

    /// <summary>The node leaves the cluster gracefully (its singletons hand over first); completes when it has left.</summary>
    public static Task LeaveAsync(ActorSystem node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return AkkaCluster.Get(node).LeaveAsync();
    }

    /// <summary><paramref name="by"/> marks <paramref name="node"/> down: the cluster removes it, and its singletons and shards move.</summary>
    public static void Down(ActorSystem by, Address node)
    {
        ArgumentNullException.ThrowIfNull(by);
        ArgumentNullException.ThrowIfNull(node);
        AkkaCluster.Get(by).Down(node);
    }

    /// <summary>
    /// The node dies: its actor system ends at once. With <see cref="DiesWithoutLeaving"/> in its configuration
    /// it does not leave first, and the others see it unreachable until it is downed (by the split brain
    /// resolver, after its stable-after time). A killed process is the same seen from the others.
    /// </summary>
    public static Task DieAsync(ActorSystem node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.Terminate();
    }

    /// <summary>
    /// Cuts the network between every node of <paramref name="sideA"/> and every node of <paramref name="sideB"/>,
    /// both ways (each node needs <see cref="Partitionable"/>). Heal it with <see cref="HealAsync"/>.
    /// </summary>
    public static Task PartitionAsync(IReadOnlyList<ActorSystem> sideA, IReadOnlyList<ActorSystem> sideB) =>
        ThrottleAsync(sideA, sideB, Blackhole.Instance);

    /// <summary>Restores the network between the two sides.</summary>
    public static Task HealAsync(IReadOnlyList<ActorSystem> sideA, IReadOnlyList<ActorSystem> sideB) =>
        ThrottleAsync(sideA, sideB, Unthrottled.Instance);

    private static async Task ThrottleAsync(IReadOnlyList<ActorSystem> sideA, IReadOnlyList<ActorSystem> sideB, ThrottleMode mode)
    {
        ArgumentNullException.ThrowIfNull(sideA);
        ArgumentNullException.ThrowIfNull(sideB);
        foreach (var a in sideA)
        {
            foreach (var b in sideB)
            {
                await SetAsync(a, AkkaCluster.Get(b).SelfAddress, mode).ConfigureAwait(false);
                await SetAsync(b, AkkaCluster.Get(a).SelfAddress, mode).ConfigureAwait(false);
            }
        }
    }

    private static async Task SetAsync(ActorSystem node, Address to, ThrottleMode mode)
    {
        var transport = ((RemoteActorRefProvider)((ExtendedActorSystem)node).Provider).Transport;
        if (!await transport.ManagementCommand(new SetThrottle(to, ThrottleTransportAdapter.Direction.Both, mode)).ConfigureAwait(false))
        {
            throw new InvalidOperationException($"Node {AkkaCluster.Get(node).SelfAddress} could not throttle its traffic to {to}: expected its configuration to include NodeFaults.Partitionable (the throttler transport adapter).");
        }
    }
}
