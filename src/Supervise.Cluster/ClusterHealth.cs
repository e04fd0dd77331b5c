using Akka.Actor;
using Akka.Cluster;
using AkkaCluster = Akka.Cluster.Cluster;

// The publisher's async handler must continue on the actor's own context: no ConfigureAwait(false) there.
#pragma warning disable CA2007

namespace Supervise.Cluster;

/// <summary>One tree's health on one node: its root's state and every node of it by path.</summary>
public sealed record TreeHealthView(string Tree, HealthState State, IReadOnlyDictionary<string, HealthState> Nodes);

/// <summary>How a node stands in the cluster, as the asking node sees it.</summary>
public enum NodeStatus
{
    /// <summary>A member, reachable, that answered.</summary>
    Up,

    /// <summary>A member the failure detector cannot reach: its trees are unknown.</summary>
    Unreachable,

    /// <summary>Reachable, but it did not answer in time (or publishes no health).</summary>
    NotAnswering,

    /// <summary>Leaving, exiting, or down: on its way out of the cluster.</summary>
    Leaving,

    /// <summary>Joining, not yet Up.</summary>
    Joining,
}

/// <summary>One node's part of the cluster's health.</summary>
public sealed record NodeHealth(string Address, NodeStatus Status, IReadOnlyList<string> Roles, IReadOnlyList<TreeHealthView> Trees);

/// <summary>The whole cluster's health: every member, each with its trees.</summary>
public sealed record ClusterHealthSnapshot(IReadOnlyList<NodeHealth> Nodes)
{
    /// <summary>The worst tree state anywhere, an unreachable or silent node counting as Down.</summary>
    public HealthState Worst => Nodes.Select(n => n.Status is NodeStatus.Up ? n.Trees.Select(t => t.State).DefaultIfEmpty(HealthState.Running).Max() : HealthState.Down).DefaultIfEmpty(HealthState.Running).Max();
}

/// <summary>
/// The cluster-wide health view: each node publishes the health of its trees (<see cref="Publish"/>), and any
/// node answers for the whole cluster (<see cref="GetAsync"/>), showing unreachable nodes as such.
/// </summary>
public static class ClusterHealth
{
    internal const string PublisherName = "supervise-health";

    /// <summary>Publishes the health of <paramref name="trees"/> from this node (call once per node; add trees later with <see cref="Track"/>).</summary>
    public static IActorRef Publish(ActorSystem system, params SupervisionTree[] trees)
    {
        ArgumentNullException.ThrowIfNull(system);
        var publisher = system.ActorOf(Props.Create(() => new Publisher()), PublisherName);
        foreach (var tree in trees)
        {
            publisher.Tell(new TrackTree(tree));
        }

        return publisher;
    }

    /// <summary>Adds <paramref name="tree"/> to what <paramref name="publisher"/> reports.</summary>
    public static void Track(IActorRef publisher, SupervisionTree tree)
    {
        ArgumentNullException.ThrowIfNull(publisher);
        publisher.Tell(new TrackTree(tree));
    }

    /// <summary>Asks every member of the cluster for its trees' health; a node that does not answer within <paramref name="timeout"/> (default 3 s) is shown as not answering.</summary>
    public static async Task<ClusterHealthSnapshot> GetAsync(ActorSystem system, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        var limit = timeout ?? TimeSpan.FromSeconds(3);
        var state = AkkaCluster.Get(system).State;
        var unreachable = state.Unreachable.Select(m => m.Address).ToHashSet();
        var nodes = await Task.WhenAll(state.Members.Select(async member =>
        {
            var roles = member.Roles.Order(StringComparer.Ordinal).ToList();
            if (unreachable.Contains(member.Address))
            {
                return new NodeHealth(member.Address.ToString(), NodeStatus.Unreachable, roles, []);
            }

            if (member.Status is MemberStatus.Joining)
            {
                return new NodeHealth(member.Address.ToString(), NodeStatus.Joining, roles, []);
            }

            if (member.Status is not MemberStatus.Up and not MemberStatus.WeaklyUp)
            {
                return new NodeHealth(member.Address.ToString(), NodeStatus.Leaving, roles, []);
            }

            try
            {
                var selection = system.ActorSelection(new RootActorPath(member.Address) / "user" / PublisherName);
                var report = await selection.Ask<HealthReport>(HealthRequest.Instance, limit).ConfigureAwait(false);
                return new NodeHealth(member.Address.ToString(), NodeStatus.Up, roles, report.Trees);
            }
            catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or TimeoutException)
            {
                return new NodeHealth(member.Address.ToString(), NodeStatus.NotAnswering, roles, []);
            }
        })).ConfigureAwait(false);
        return new ClusterHealthSnapshot(nodes.OrderBy(n => n.Address, StringComparer.Ordinal).ToList());
    }

    /// <summary>Asks for a node's trees' health (sent between nodes).</summary>
    public sealed class HealthRequest
    {
        /// <summary>The one instance.</summary>
        public static readonly HealthRequest Instance = new();
    }

    /// <summary>A node's trees' health (sent between nodes).</summary>
    public sealed record HealthReport(IReadOnlyList<TreeHealthView> Trees);

    private sealed record TrackTree(SupervisionTree Tree);

    /// <summary>A singleton's or an entity's tree on this node: reported while it runs, forgotten once it stops (it moved, or passivated).</summary>
    internal sealed record TrackHostedTree(SupervisionTree Tree);

    /// <summary>Tells this node's publisher, if it runs one, about a hosted tree.</summary>
    internal static void Hosted(ActorSystem system, SupervisionTree tree) =>
        system.ActorSelection("/user/" + PublisherName).Tell(new TrackHostedTree(tree));

    private sealed class Publisher : ReceiveActor
    {
        private readonly List<SupervisionTree> _trees = [];
        private readonly List<SupervisionTree> _hosted = [];

        public Publisher()
        {
            Receive<TrackTree>(t => _trees.Add(t.Tree));
            Receive<TrackHostedTree>(t => _hosted.Add(t.Tree));
            ReceiveAsync<HealthRequest>(async _ =>
            {
                var sender = Sender;
                var views = new List<TreeHealthView>();
                _hosted.RemoveAll(t => t.Completion.IsCompleted);
                foreach (var tree in _trees.Concat(_hosted).ToList())
                {
                    if (tree.Completion.IsCompleted)
                    {
                        views.Add(new TreeHealthView(tree.Name, HealthState.Down, new Dictionary<string, HealthState>()));
                        continue;
                    }

                    // Bounded, and a tree that cannot answer (it stopped meanwhile, or is stuck) is Down, not hidden.
                    try
                    {
                        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                        var nodes = (await tree.GetHealthAsync(timeout.Token)).Nodes().ToDictionary(n => n.Path, n => n.State, StringComparer.Ordinal);
                        views.Add(new TreeHealthView(tree.Name, nodes[tree.Name], nodes));
                    }
                    catch (Exception e) when (e is OperationCanceledException or AskTimeoutException or InvalidOperationException)
                    {
                        views.Add(new TreeHealthView(tree.Name, HealthState.Down, new Dictionary<string, HealthState>()));
                    }
                }

                sender.Tell(new HealthReport(views));
            });
        }
    }
}
