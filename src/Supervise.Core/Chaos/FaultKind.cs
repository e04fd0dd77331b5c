namespace Supervise;

/// <summary>What the fault injector does to a child.</summary>
public enum FaultKind
{
    /// <summary>The child throws (the fault's exception) while handling a message: a crash on the normal supervision path.</summary>
    Crash,

    /// <summary>The child is stopped at once, with exit reason "killed" (abnormal: Permanent and Transient children are restarted).</summary>
    Kill,

    /// <summary>The child stops normally (Permanent children are restarted; Transient and Temporary ones are not).</summary>
    Stop,

    /// <summary>The child's next message waits for the fault's duration.</summary>
    Delay,

    /// <summary>The child handles nothing for the fault's duration (it does not crash; callers wait).</summary>
    Hang,

    /// <summary>A message that crashes the child every time it is handled (see <see cref="RequeuePolicy"/> and <see cref="QuarantinePolicy"/>).</summary>
    Poison,

    /// <summary>The child crashes and its next start throws, as a bad configuration would.</summary>
    FailingRestart,

    /// <summary>The next <c>Count</c> messages sent to the child's address are lost (counted and reported as dropped).</summary>
    Drop,

    /// <summary>A whole node leaves its cluster gracefully (its singletons hand over first). Needs <see cref="ChaosOptions.Nodes"/>.</summary>
    NodeLeave,

    /// <summary>A whole node is downed by another. Needs <see cref="ChaosOptions.Nodes"/>.</summary>
    NodeDown,

    /// <summary>A whole node dies abruptly: its actor system ends without leaving, as a killed process would. Needs <see cref="ChaosOptions.Nodes"/>.</summary>
    NodeDeath,

    /// <summary>The network between a node and every other is cut; the split brain resolver decides. Needs <see cref="ChaosOptions.Nodes"/>.</summary>
    NodePartition,

    /// <summary>
    /// The child's next start by a live upgrade (its replacement by a new version) throws, as a new version that cannot start
    /// would: armed on the child until an upgrade replaces it (nothing happens before), so that a chaos test can prove the
    /// rollback. Not among <see cref="FaultKinds.OfChildren"/>: choose it explicitly.
    /// </summary>
    FailingUpgrade,
}

/// <summary>Groups of <see cref="FaultKind"/>s.</summary>
public static class FaultKinds
{
    /// <summary>The faults done to a child of a tree that act at once (not <see cref="FaultKind.FailingUpgrade"/>, armed for an upgrade).</summary>
    public static IReadOnlyList<FaultKind> OfChildren { get; } = Enum.GetValues<FaultKind>().Where(k => !k.IsNodeFault() && k != FaultKind.FailingUpgrade).ToArray();

    /// <summary>Whether <paramref name="kind"/> stops its child (so its recovery is measured): not a delay, hang, drop or an armed upgrade fault.</summary>
    internal static bool StopsChild(this FaultKind kind) => kind is not (FaultKind.Delay or FaultKind.Hang or FaultKind.Drop or FaultKind.FailingUpgrade);

    /// <summary>The faults done to a whole node of a cluster (through <see cref="ChaosOptions.Nodes"/>).</summary>
    public static IReadOnlyList<FaultKind> OfNodes { get; } = Enum.GetValues<FaultKind>().Where(IsNodeFault).ToArray();

    /// <summary>Whether <paramref name="kind"/> is done to a whole node rather than to a child.</summary>
    public static bool IsNodeFault(this FaultKind kind) => kind is FaultKind.NodeLeave or FaultKind.NodeDown or FaultKind.NodeDeath or FaultKind.NodePartition;
}
