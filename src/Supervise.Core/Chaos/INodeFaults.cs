namespace Supervise;

/// <summary>
/// The whole nodes of a cluster a chaos run may fault, set as <see cref="ChaosOptions.Nodes"/>
/// (<c>Supervise.Cluster</c>'s <c>ClusterNodeFaults</c> is one). The fault injector chooses when, which
/// kind and which node, with its seed, and journals and reports each node fault as it does a child's; this
/// carries the fault out and says when the cluster had recovered from it.
/// </summary>
public interface INodeFaults
{
    /// <summary>
    /// The nodes that may be faulted now, by names that are the same from run to run (a journal names
    /// them, and a replay finds them again). Empty when a fault now would leave too few nodes.
    /// </summary>
    IReadOnlyList<string> Targets { get; }

    /// <summary>What would keep faults of <paramref name="kinds"/> from being carried out (nodes not configured for them, too few nodes).</summary>
    IReadOnlyList<SpecProblem> Validate(IReadOnlyCollection<FaultKind> kinds);

    /// <summary>
    /// Carries out <paramref name="kind"/> on <paramref name="node"/> (one of <see cref="Targets"/>), and
    /// completes when the nodes left agree on the cluster again, with how long that took from the fault; or
    /// with <see langword="null"/> if they did not within <paramref name="recoveryTimeout"/>.
    /// </summary>
    Task<TimeSpan?> InjectAsync(FaultKind kind, string node, TimeSpan recoveryTimeout);
}
