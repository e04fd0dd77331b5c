using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Akka.Actor;
using Akka.Cluster;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Supervise.Cluster;

/// <summary>A fault of a whole node.</summary>
public enum NodeFaultKind
{
    /// <summary>The node leaves gracefully (its singletons hand over first).</summary>
    Leave,

    /// <summary>Another node downs it.</summary>
    Down,

    /// <summary>Its actor system ends at once, without leaving (needs <see cref="NodeFaults.DiesWithoutLeaving"/>).</summary>
    Die,

    /// <summary>The network between it and every other node is cut (needs <see cref="NodeFaults.Partitionable"/>); the split brain resolver removes it.</summary>
    Partition,
}

/// <summary>A node fault kind and how often it is chosen against the others.</summary>
public sealed record NodeFaultChoice(NodeFaultKind Kind, double Weight = 1);

/// <summary>A run of node faults: which, how many, and how long the cluster may take to recover from each.</summary>
public sealed record NodeChaosOptions
{
    /// <summary>Drives every choice; drawn (and reported) when not given.</summary>
    public int? Seed { get; init; }

    /// <summary>The kinds to choose from, with weights.</summary>
    public IReadOnlyList<NodeFaultChoice> Faults { get; init; } = Enum.GetValues<NodeFaultKind>().Select(k => new NodeFaultChoice(k)).ToList();

    /// <summary>How many faults to inject, one after another, each once the cluster has recovered from the one before.</summary>
    public int Count { get; init; } = 1;

    /// <summary>How long the cluster may take to agree again after a fault before the run says it did not recover.</summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromSeconds(60);
}

/// <summary>One node fault, as journaled: which node (by its index in the run's list and its address), what, and when.</summary>
public sealed record NodeFaultRecord(int Sequence, TimeSpan At, int NodeIndex, string Node, NodeFaultKind Kind, string? Skipped);

/// <summary>A node fault and how long the surviving nodes took to agree on the cluster again (null: not within the timeout).</summary>
public sealed record NodeFaultOutcome(NodeFaultRecord Fault, TimeSpan? RecoveredAfter);

/// <summary>What a run of node faults did.</summary>
public sealed record NodeChaosReport(int Seed, IReadOnlyList<NodeFaultOutcome> Faults, IReadOnlyList<string> Survivors, bool Recovered)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>The report as JSON (the journal is <see cref="Faults"/>' records).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>A summary for people.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Node chaos (seed {Seed}): {Faults.Count(f => f.Fault.Skipped is null)} faults");
        text.AppendLine(CultureInfo.InvariantCulture, $", {(Recovered ? "the cluster recovered from each" : "the cluster did NOT recover from every fault")}; survivors: {string.Join(", ", Survivors)}");
        foreach (var f in Faults)
        {
            var what = f.Fault.Skipped ?? (f.RecoveredAfter is { } r ? string.Create(CultureInfo.InvariantCulture, $"recovered in {r.TotalMilliseconds:0} ms") : "not recovered");
            text.AppendLine(CultureInfo.InvariantCulture, $"  #{f.Fault.Sequence} {f.Fault.Kind} {f.Fault.Node}: {what}");
        }

        return text.ToString();
    }
}

/// <summary>
/// Node faults on a cluster whose nodes this process holds (the nodes of a test on 127.0.0.1): a seeded run
/// that chooses each fault and its node, carries it out, waits for the survivors to agree on the cluster,
/// and journals and reports each fault as the tree fault injector does. The first node is never faulted
/// (it observes), and no fault leaves fewer than two nodes.
/// </summary>
public static class NodeChaos
{
    /// <summary>
    /// The faults a run with <paramref name="seed"/> makes on <paramref name="nodeCount"/> nodes, in order:
    /// each fault removes its node, so the plan depends only on the seed, the node count and the options.
    /// </summary>
    public static IReadOnlyList<(int NodeIndex, NodeFaultKind Kind)> Plan(int seed, int nodeCount, NodeChaosOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var random = new Random(seed);
        var live = Enumerable.Range(0, nodeCount).ToList();
        var plan = new List<(int, NodeFaultKind)>();
        for (var i = 0; i < options.Count; i++)
        {
            var kind = Pick(random, options.Faults);
            if (live.Count <= 2)
            {
                plan.Add((-1, kind));
                continue;
            }

            var target = live[1 + random.Next(live.Count - 1)]; // never node 0, the observer
            live.Remove(target);
            plan.Add((target, kind));
        }

        return plan;
    }

    /// <summary>Runs node faults on <paramref name="nodes"/> (the first observes and is never faulted); returns the report.</summary>
    public static async Task<NodeChaosReport> RunAsync(IReadOnlyList<ActorSystem> nodes, NodeChaosOptions options)
    {
        ArgumentNullException.ThrowIfNull(nodes);
        ArgumentNullException.ThrowIfNull(options);
        Validate(nodes, options);
        var seed = options.Seed ?? Random.Shared.Next();
        var clock = Stopwatch.StartNew();
        var live = nodes.ToList();
        var outcomes = new List<NodeFaultOutcome>();
        var sequence = 0;
        foreach (var (index, kind) in Plan(seed, nodes.Count, options))
        {
            if (index < 0)
            {
                outcomes.Add(new NodeFaultOutcome(new NodeFaultRecord(++sequence, clock.Elapsed, -1, "", kind, "a fault now would leave fewer than two nodes"), null));
                continue;
            }

            var target = nodes[index];
            var address = AkkaCluster.Get(target).SelfAddress;
            var record = new NodeFaultRecord(++sequence, clock.Elapsed, index, address.ToString(), kind, null);
            live.Remove(target);
            var started = Stopwatch.StartNew();
            bool recovered;
            try
            {
                // Bounded too: a leave or a death that does not finish counts as not recovered, and the run goes on.
                await ApplyAsync(kind, target, address, live).WaitAsync(options.RecoveryTimeout).ConfigureAwait(false);
                recovered = await WhenAgreedAsync(live, options.RecoveryTimeout - started.Elapsed).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                recovered = false;
            }

            outcomes.Add(new NodeFaultOutcome(record, recovered ? started.Elapsed : null));
        }

        return new NodeChaosReport(
            seed,
            outcomes,
            live.Select(n => AkkaCluster.Get(n).SelfAddress.ToString()).ToList(),
            outcomes.All(o => o.Fault.Skipped is not null || o.RecoveredAfter is not null));
    }

    private static void Validate(IReadOnlyList<ActorSystem> nodes, NodeChaosOptions options)
    {
        var problems = new List<string>();
        if (nodes.Count < 3)
        {
            problems.Add($"nodes: expected 3 or more (one observes, and no fault leaves fewer than two), received {nodes.Count}");
        }

        if (options.Count < 1)
        {
            problems.Add($"Count: expected 1 or more faults, received {options.Count}");
        }

        if (options.Faults.Count == 0 || options.Faults.Any(f => f.Weight < 0) || options.Faults.Sum(f => f.Weight) <= 0)
        {
            problems.Add("Faults: expected at least one kind, weights of 0 or more, and a positive total");
        }

        if (options.RecoveryTimeout <= TimeSpan.Zero)
        {
            problems.Add($"RecoveryTimeout: expected a positive time span, received {options.RecoveryTimeout}");
        }

        var kinds = options.Faults.Where(f => f.Weight > 0).Select(f => f.Kind).ToHashSet();
        if (kinds.Contains(NodeFaultKind.Partition) && nodes.Any(n => !n.Settings.Config.GetStringList("akka.remote.dot-netty.tcp.applied-adapters").Contains("trttl")))
        {
            problems.Add("Partition: expected every node's configuration to include NodeFaults.Partitionable");
        }

        if (kinds.Contains(NodeFaultKind.Die) && nodes.Any(n => n.Settings.Config.GetBoolean("akka.coordinated-shutdown.run-by-actor-system-terminate", true)))
        {
            problems.Add("Die: expected every node's configuration to include NodeFaults.DiesWithoutLeaving (otherwise a dying node leaves first, which is a Leave)");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException("Node chaos cannot run: " + string.Join("; ", problems), nameof(options));
        }
    }

    private static async Task ApplyAsync(NodeFaultKind kind, ActorSystem target, Address address, List<ActorSystem> rest)
    {
        switch (kind)
        {
            case NodeFaultKind.Leave:
                await NodeFaults.LeaveAsync(target).ConfigureAwait(false);
                break;
            case NodeFaultKind.Down:
                NodeFaults.Down(rest[0], address);
                break;
            case NodeFaultKind.Die:
                await NodeFaults.DieAsync(target).ConfigureAwait(false);
                break;
            case NodeFaultKind.Partition:
                await NodeFaults.PartitionAsync([target], rest).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Whether every live node sees exactly the live nodes Up and none unreachable, within <paramref name="limit"/>.</summary>
    private static async Task<bool> WhenAgreedAsync(List<ActorSystem> live, TimeSpan limit)
    {
        var expected = live.Select(n => AkkaCluster.Get(n).SelfAddress).ToHashSet();
        var waited = Stopwatch.StartNew();
        while (waited.Elapsed < limit)
        {
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

    private static NodeFaultKind Pick(Random random, IReadOnlyList<NodeFaultChoice> faults)
    {
        var x = random.NextDouble() * faults.Sum(f => f.Weight);
        foreach (var f in faults)
        {
            x -= f.Weight;
            if (x < 0)
            {
                return f.Kind;
            }
        }

        return faults[^1].Kind;
    }
}
