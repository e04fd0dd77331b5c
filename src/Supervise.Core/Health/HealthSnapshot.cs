namespace Supervise;

/// <summary>One supervisor's health and its children's, at one moment.</summary>
/// <param name="Path">The supervisor's place in the tree.</param>
/// <param name="State">Its health: its own state combined with its children's by <see cref="HealthRule"/>.</param>
/// <param name="Children">Each child's health, in start order.</param>
public sealed record HealthSnapshot(string Path, HealthState State, IReadOnlyList<ChildHealth> Children)
{
    /// <summary>Its restart strategy; <see langword="null"/> for a dynamic supervisor (OTP's <c>simple_one_for_one</c>: each child restarts alone).</summary>
    public Strategy? Strategy { get; init; }

    /// <summary>Its restart intensity: at most this many restarts within <see cref="Period"/>, and one more makes it give up.</summary>
    public int Intensity { get; init; }

    /// <summary>The length of its restart window.</summary>
    public TimeSpan Period { get; init; }

    /// <summary>The restarts its window holds now (those within the last <see cref="Period"/>): its fill, against <see cref="Intensity"/>.</summary>
    public int RestartsInWindow { get; init; }

    /// <summary>
    /// Every node of the snapshot, depth first, by path: this supervisor first (with no <c>Child</c>), then each
    /// child; a nested supervisor is given with its own snapshot's state and path, and its <c>Child</c> entry.
    /// </summary>
    public IEnumerable<(string Path, HealthState State, ChildHealth? Child)> Nodes() => Nodes(null);

    private IEnumerable<(string Path, HealthState State, ChildHealth? Child)> Nodes(ChildHealth? self)
    {
        yield return (Path, State, self);
        foreach (var child in Children)
        {
            if (child.Subtree is { } subtree)
            {
                foreach (var node in subtree.Nodes(child))
                {
                    yield return node;
                }
            }
            else
            {
                yield return (Path + "/" + child.Id, child.State, child);
            }
        }
    }
}

/// <summary>One child's health.</summary>
/// <param name="Id">The child's id.</param>
/// <param name="State">Its health. A nested supervisor reports the health its own children give it.</param>
/// <param name="Criticality">How much it counts in its supervisor's health.</param>
/// <param name="Restarts">How often its supervisor has restarted it since the supervisor started.</param>
/// <param name="LastFailure">The last exception it crashed with, if any.</param>
/// <param name="Kind">Worker or supervisor.</param>
/// <param name="Subtree">For a running nested supervisor, in a whole-tree snapshot: its own snapshot. Otherwise <see langword="null"/>.</param>
public sealed record ChildHealth(string Id, HealthState State, Criticality Criticality, int Restarts, Exception? LastFailure, ChildKind Kind, HealthSnapshot? Subtree = null)
{
    /// <summary>Messages sent to its <see cref="ChildAddress"/> that were dropped and reported.</summary>
    public long Dropped { get; init; }

    /// <summary>Messages its address answered with <see cref="Unavailable"/>.</summary>
    public long Rejected { get; init; }

    /// <summary>Messages its address holds by a <see cref="BufferPolicy"/> right now.</summary>
    public int Buffered { get; init; }

    /// <summary>Its circuit breaker's state (<see cref="CircuitState.Closed"/> when it has none).</summary>
    public CircuitState Circuit { get; init; }
}

/// <summary>The health of a node changed.</summary>
/// <param name="SupervisorPath">The supervisor the node belongs to (or is).</param>
/// <param name="Timestamp">When.</param>
/// <param name="ChildId">The child whose health changed; <see langword="null"/> for the supervisor itself.</param>
/// <param name="Previous">Its health before.</param>
/// <param name="Current">Its health now.</param>
public sealed record HealthChanged(string SupervisorPath, DateTimeOffset Timestamp, string? ChildId, HealthState Previous, HealthState Current)
    : SupervisionEvent(SupervisorPath, Timestamp)
{
    /// <summary>A supervisor's first health once its start is over (<see cref="Previous"/> is then its Restarting while it started): a start, not a recovery.</summary>
    public bool Started { get; init; }
}
