using System.Diagnostics;
using Akka.Actor;
using Akka.Configuration;
using AkkaCluster = Akka.Cluster.Cluster;
using MemberStatus = Akka.Cluster.MemberStatus;

namespace Supervise.Cluster.Tests.Support;

/// <summary>
/// Nodes of one cluster in this process, each an actor system on 127.0.0.1 with a port the OS chose. They
/// are terminated when disposed, whatever the test did (a failing test leaves no node or port behind).
/// </summary>
public sealed class ClusterOfNodes : IAsyncDisposable
{
    private readonly List<ActorSystem> _nodes = [];

    public IReadOnlyList<ActorSystem> Nodes => _nodes;

    public static Config NodeConfig(TimeSpan? stableAfter = null) => FastCluster.Config(stableAfter);

    /// <summary>
    /// Starts <paramref name="count"/> nodes; the first joins itself, the others join it one at a time, each
    /// Up before the next (so the nodes' age follows their index). Returns once every node sees all Up.
    /// </summary>
    public static async Task<ClusterOfNodes> StartAsync(int count, Config? config = null)
    {
        var cluster = new ClusterOfNodes();
        try
        {
            for (var i = 0; i < count; i++)
            {
                cluster._nodes.Add(ActorSystem.Create("supervise-cluster", config ?? NodeConfig()));
            }

            var seed = AddressOf(cluster._nodes[0]);
            for (var i = 0; i < count; i++)
            {
                AkkaCluster.Get(cluster._nodes[i]).Join(seed);
                var up = i + 1;
                await cluster.WhenAsync(() => AkkaCluster.Get(cluster._nodes[0]).State.Members.Count(m => m.Status == MemberStatus.Up) == up, TimeSpan.FromSeconds(30), $"node {i} Up");
            }

            await cluster.WhenAsync(() => cluster._nodes.All(n => AkkaCluster.Get(n).State.Members.Count(m => m.Status == MemberStatus.Up) == count), TimeSpan.FromSeconds(30), "all nodes Up");
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    public static Address AddressOf(ActorSystem node) => AkkaCluster.Get(node).SelfAddress;

    /// <summary>Waits (bounded) until <paramref name="condition"/> holds (see <see cref="Eventually"/>).</summary>
    public Task WhenAsync(Func<bool> condition, TimeSpan limit, string what) => Eventually.WhenAsync(condition, limit, what);

    /// <summary>Waits (bounded) until the asynchronous <paramref name="condition"/> holds (see <see cref="Eventually"/>).</summary>
    public Task WhenAsync(Func<Task<bool>> condition, TimeSpan limit, string what) => Eventually.WhenAsync(condition, limit, what);

    /// <summary>Terminates every node; a node that does not terminate within 15 s is named (its port may linger until the process ends).</summary>
    public async ValueTask DisposeAsync()
    {
        var stuck = new List<string>();
        await Task.WhenAll(_nodes.Select(async n =>
        {
            try
            {
                await n.Terminate().WaitAsync(TimeSpan.FromSeconds(15));
            }
            catch (TimeoutException)
            {
                lock (stuck)
                {
                    stuck.Add(n.Name + " " + AddressOf(n));
                }
            }
        }));
        if (stuck.Count > 0)
        {
            Console.Error.WriteLine("cluster nodes that did not terminate within 15 s: " + string.Join(", ", stuck));
        }
    }
}

/// <summary>Bounded waits for a condition, looking every 50 ms (no sleeps beyond that poll).</summary>
public static class Eventually
{
    /// <summary>Waits until <paramref name="condition"/> holds; throws, naming <paramref name="what"/>, after <paramref name="limit"/>.</summary>
    public static Task WhenAsync(Func<bool> condition, TimeSpan limit, string what) => WhenAsync(() => Task.FromResult(condition()), limit, what);

    /// <summary>Waits until the asynchronous <paramref name="condition"/> holds; throws, naming <paramref name="what"/>, after <paramref name="limit"/>.</summary>
    public static async Task WhenAsync(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed > limit)
            {
                throw new TimeoutException($"Expected {what} within {limit.TotalSeconds} s.");
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>What a supervised singleton's address has done, read once nothing it sent waits for its receipt.</summary>
public static class SingletonStats
{
    /// <summary>
    /// The address's counts once <see cref="SingletonAddressStats.Waiting"/> is 0: a host's receipt follows the child's
    /// answer (it confirms once the marker behind the message is answered), so a caller that got its answer may read the
    /// counts before the receipt is in. Throws after 10 s if something still waits (a receipt that never comes).
    /// </summary>
    public static async Task<SingletonAddressStats> SettledAsync(IActorRef address)
    {
        var stats = await SupervisedSingleton.GetStatsAsync(address);
        await Eventually.WhenAsync(async () => (stats = await SupervisedSingleton.GetStatsAsync(address)).Waiting == 0, TimeSpan.FromSeconds(10), "every receipt of the singleton's address in");
        return stats;
    }
}
