using Akka.Actor;

namespace Supervise;

/// <summary>
/// What a supervisor needs to know to start, restart and stop one child (OTP's child specification).
/// Pure data: immutable, validated as part of the whole tree before anything starts.
/// </summary>
/// <example>
/// <code>
/// var db = ChildSpec.Worker("db", () =&gt; Props.Create&lt;DbWorker&gt;()) with { Restart = RestartType.Transient };
/// </code>
/// </example>
public sealed record ChildSpec
{
    /// <summary>Creates a worker spec. Prefer <see cref="Worker(string, Func{Props})"/>.</summary>
    /// <param name="id">The child's id, unique among its siblings and used as its actor name.</param>
    /// <param name="start">Called for each new incarnation of the child.</param>
    public ChildSpec(string id, Func<Props>? start)
    {
        Id = id;
        Start = start;
    }

    /// <summary>The child's id: unique among its siblings and used as its actor name.</summary>
    public string Id { get; init; }

    /// <summary>
    /// Makes the props of a new incarnation. Called at start and when the child is re-created after it
    /// stopped; a restart after an exception restarts the same actor in place and keeps its mailbox.
    /// <see langword="null"/> when <see cref="Supervisor"/> is set.
    /// </summary>
    public Func<Props>? Start { get; init; }

    /// <summary>A nested Supervise supervisor; set by <see cref="ForSupervisor"/>. Default: none.</summary>
    public SupervisionSpec? Supervisor { get; init; }

    /// <summary>When the child is restarted. Default: <see cref="RestartType.Permanent"/>.</summary>
    public RestartType Restart { get; init; } = RestartType.Permanent;

    /// <summary>
    /// How the child is stopped. Default (<see langword="null"/>): a 5 s timeout for workers,
    /// <see cref="Supervise.Shutdown.Infinity"/> for supervisors; see <see cref="EffectiveShutdown"/>.
    /// </summary>
    public Shutdown? Shutdown { get; init; }

    /// <summary>Worker or supervisor. Default: <see cref="ChildKind.Worker"/>.</summary>
    public ChildKind Kind { get; init; } = ChildKind.Worker;

    /// <summary>
    /// Whether the child's own exit can shut its supervisor down (see <see cref="AutoShutdown"/>).
    /// Default: <see langword="false"/>. Only Transient and Temporary children may be significant.
    /// </summary>
    public bool Significant { get; init; }

    /// <summary>
    /// How much the child matters to its supervisor's health (see <see cref="HealthRule"/>).
    /// Default: <see cref="Criticality.Important"/>.
    /// </summary>
    public Criticality Criticality { get; init; } = Criticality.Important;

    /// <summary>
    /// What the supervisor does when this child cannot be kept up (see <see cref="DegradationPolicy"/>), at
    /// most one policy per <see cref="PolicyConcern"/>. Default (<see langword="null"/>): the supervisor's
    /// <see cref="SupervisionSpec.DefaultPolicies"/>.
    /// </summary>
    public IReadOnlyList<DegradationPolicy>? Policies { get; init; }

    /// <summary>
    /// The version of the child's code, as the caller names it (<c>"2.1"</c>, a build number, a configuration's hash). An
    /// upgrade (<see cref="UpgradePlan"/>) replaces a running child whose version changed, and keeps one whose version did
    /// not: how it starts (<see cref="Start"/>, a function) cannot be compared, so a new version is what says the code is
    /// new. Default: none.
    /// </summary>
    public string? Version { get; init; }

    /// <summary>Labels for the fault injector's targets (<see cref="FaultTargets.Tags"/>). Default: none.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The shutdown in force: <see cref="Shutdown"/>, or the default for <see cref="Kind"/>.</summary>
    public Shutdown EffectiveShutdown => Shutdown ?? Supervise.Shutdown.DefaultFor(Kind);

    /// <summary>A worker whose incarnations are made by <paramref name="start"/>.</summary>
    public static ChildSpec Worker(string id, Func<Props> start) => new(id, start);

    /// <summary>A worker whose every incarnation uses the same <paramref name="props"/>.</summary>
    public static ChildSpec Worker(string id, Props props)
    {
        ArgumentNullException.ThrowIfNull(props);
        return new(id, () => props);
    }

    /// <summary>A worker of actor type <typeparamref name="TActor"/> made with its parameterless constructor.</summary>
    public static ChildSpec Worker<TActor>(string id)
        where TActor : ActorBase, new() => new(id, () => Props.Create<TActor>());

    /// <summary>A nested Supervise supervisor: kind Supervisor, shutdown Infinity unless set.</summary>
    public static ChildSpec ForSupervisor(string id, SupervisionSpec spec) =>
        new(id, null) { Supervisor = spec, Kind = ChildKind.Supervisor };
}
