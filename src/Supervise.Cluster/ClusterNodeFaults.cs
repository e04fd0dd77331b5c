using System.Diagnostics;
using Akka.Actor;
using Akka.Cluster;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Supervise.Cluster;

/// <summary>
/// The nodes of a cluster this process holds (the nodes of a test or a sample on 127.0.0.1), for a chaos
/// run's node faults: set it as <see cref="ChaosOptions.Nodes"/> of a run on a tree of the first node. The
/// injector chooses each node fault with its seed and journals and reports it with the tree's faults; this
/// carries it out and waits for the nodes left to agree on the cluster. The first node observes and is
/// never faulted, and no fault leaves fewer than two nodes.
/// </summary>
public sealed class ClusterNodeFaults : INodeFaults
{
    private readonly object _gate = new();
    private readonly List<(string Name, ActorSystem Node)> _all;
    private readonly List<(string Name, ActorSystem Node)> _live;

    /// <summary>
    /// The cluster of <paramref name="nodes"/>; the first observes. They are named <paramref name="names"/>
    /// in journals and reports (default <c>node-0</c>, <c>node-1</c>, ... by their place in the list), so
    /// that a journal names the same nodes in the next run, whatever ports they have.
    /// </summary>
    public ClusterNodeFaults(IReadOnlyList<ActorSystem> nodes, IReadOnlyList<string>? names = null)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        if (names is not null && (names.Count != nodes.Count || names.Distinct(StringComparer.Ordinal).Count() != names.Count || names.Any(string.IsNullOrWhiteSpace)))
        {
            throw new ArgumentException($"Expected one distinct, non-empty name per node ({nodes.Count}), received [{string.Join(", ", names)}].", nameof(names));
        }

        _all = nodes.Select((n, i) => (names?[i] ?? "node-" + i, n)).ToList();
        _live = [.. _all];
    }

    /// <summary>The nodes still in the cluster (not faulted by this run), by name.</summary>
    public IReadOnlyList<string> Live
    {
        get
        {
            lock (_gate)
            {
                return _live.Select(n => n.Name).ToList();
            }
        }
    }

    /// <summary>Each node's address, by name (for reading a report).</summary>
    public IReadOnlyDictionary<string, string> Addresses => _all.ToDictionary(n => n.Name, n => AkkaCluster.Get(n.Node).SelfAddress.ToString(), StringComparer.Ordinal);

    /// <inheritdoc/>
    public IReadOnlyList<string> Targets
    {
        get
        {
            lock (_gate)
            {
                return _live.Count <= 2 ? [] : _live.Skip(1).Select(n => n.Name).ToList();
            }
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<SpecProblem> Validate(IReadOnlyCollection<FaultKind> kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        var problems = new List<SpecProblem>();
        void Problem(string field, string expected, string received) => problems.Add(new SpecProblem("chaos", "Nodes." + field, expected, received));
        if (_all.Count < 3)
        {
            Problem("Count", "3 or more nodes (the first observes, and no fault leaves fewer than two)", _all.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        foreach (var kind in kinds.Where(k => !k.IsNodeFault()))
        {
            Problem("Kinds", "node fault kinds", kind.ToString());
        }

        if (kinds.Contains(FaultKind.NodePartition) && _all.Where(n => !n.Node.Settings.Config.GetStringList("akka.remote.dot-netty.tcp.applied-adapters").Contains("trttl")).Select(n => n.Name).ToList() is { Count: > 0 } closed)
        {
            Problem("NodePartition", "every node's configuration to include NodeFaults.Partitionable", "nodes without it: " + string.Join(", ", closed));
        }

        if (kinds.Contains(FaultKind.NodeDeath) && _all.Where(n => n.Node.Settings.Config.GetBoolean("akka.coordinated-shutdown.run-by-actor-system-terminate", true)).Select(n => n.Name).ToList() is { Count: > 0 } leaving)
        {
            Problem("NodeDeath", "every node's configuration to include NodeFaults.DiesWithoutLeaving (otherwise a dying node leaves first, which is a NodeLeave)", "nodes without it: " + string.Join(", ", leaving));
        }

        if (kinds.Any(k => k is FaultKind.NodeDeath or FaultKind.NodePartition)
            && _all.Where(n => string.IsNullOrWhiteSpace(n.Node.Settings.Config.GetString("akka.cluster.downing-provider-class", ""))).Select(n => n.Name).ToList() is { Count: > 0 } undowned)
        {
            Problem("Downing", "a downing provider on every node (SuperviseClusterConfig.Node sets the split brain resolver) to remove a dead or cut-off node", "nodes without one: " + string.Join(", ", undowned));
        }

        return problems;
    }

    /// <inheritdoc/>
    public async Task<TimeSpan?> InjectAsync(FaultKind kind, string node, TimeSpan recoveryTimeout)
    {
        ActorSystem target;
        List<ActorSystem> rest;
        lock (_gate)
        {
            var index = _live.FindIndex(n => n.Name == node);
            if (index <= 0 || _live.Count <= 2)
            {
                throw new ArgumentException($"Expected one of the nodes that may be faulted now ({string.Join(", ", Targets)}), received '{node}'.", nameof(node));
            }

            target = _live[index].Node;
            _live.RemoveAt(index);
            rest = _live.Select(n => n.Node).ToList();
        }

        var address = AkkaCluster.Get(target).SelfAddress;
        var started = Stopwatch.StartNew();
        try
        {
            // Bounded too: a leave or a death that does not finish counts as not recovered.
            await ApplyAsync(kind, target, address, rest).WaitAsync(recoveryTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
        catch (Exception) when (!target.WhenTerminated.IsCompleted)
        {
            lock (_gate)
            {
                _live.Add(_all.Single(n => n.Node == target)); // not carried out: the node is still a member
            }

            throw;
        }

        return await WhenAgreedAsync(recoveryTimeout - started.Elapsed).ConfigureAwait(false) ? started.Elapsed : null;
    }

    private static async Task ApplyAsync(FaultKind kind, ActorSystem target, Address address, List<ActorSystem> rest)
    {
        switch (kind)
        {
            case FaultKind.NodeLeave:
                await NodeFaults.LeaveAsync(target).ConfigureAwait(false);
                break;
            case FaultKind.NodeDown:
                NodeFaults.Down(rest[0], address);
                break;
            case FaultKind.NodeDeath:
                await NodeFaults.DieAsync(target).ConfigureAwait(false);
                break;
            case FaultKind.NodePartition:
                await NodeFaults.PartitionAsync([target], rest).ConfigureAwait(false);
                break;
            default:
                throw new ArgumentException($"Expected a node fault kind ({string.Join(", ", FaultKinds.OfNodes)}), received {kind}.", nameof(kind));
        }
    }

    /// <summary>
    /// Whether every live node sees exactly the live nodes Up and none unreachable, within
    /// <paramref name="limit"/>. The live nodes are read again each time: another fault may have begun.
    /// </summary>
    private async Task<bool> WhenAgreedAsync(TimeSpan limit)
    {
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < limit)
        {
            List<ActorSystem> live;
            lock (_gate)
            {
                live = _live.Select(n => n.Node).ToList();
            }

            var expected = live.Select(n => AkkaCluster.Get(n).SelfAddress).ToHashSet();
            if (live.All(n =>
                {
                    var state = AkkaCluster.Get(n).State;
                    return state.Unreachable.Count == 0 && state.Members.Where(m => m.Status == MemberStatus.Up).Select(m => m.Address).ToHashSet().SetEquals(expected) && state.Members.Count == expected.Count;
                }))
            {
                return true;
            }

            await Task.Delay(50).ConfigureAwait(false);
        }

        return false;
    }
}
