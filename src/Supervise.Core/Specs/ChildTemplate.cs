using Akka.Actor;

namespace Supervise;

/// <summary>The template for a dynamic supervisor's children.</summary>
public sealed record ChildTemplate
{
    /// <summary>Creates a template from a factory given the arguments passed to <c>StartChildAsync</c>.</summary>
    public ChildTemplate(Func<object?, Props>? start)
    {
        Start = start;
    }

    /// <summary>Makes the props of a new child from the arguments it was started with.</summary>
    public Func<object?, Props>? Start { get; init; }

    /// <summary>
    /// The version of the children's code (see <see cref="ChildSpec.Version"/>). When an upgrade's next template has another
    /// version, the running children are replaced too, one at a time, each from the new template with its own arguments at
    /// its own id and address, canary first and watched, and rolled back if one fails; with the same version, the new
    /// template applies only to the children started from then on. Default: none.
    /// </summary>
    public string? Version { get; init; }

    /// <summary>When a child is restarted. Default: <see cref="RestartType.Permanent"/>.</summary>
    public RestartType Restart { get; init; } = RestartType.Permanent;

    /// <summary>How each child is stopped. Default (<see langword="null"/>): the default for <see cref="Kind"/>.</summary>
    public Shutdown? Shutdown { get; init; }

    /// <summary>Worker or supervisor. Default: <see cref="ChildKind.Worker"/>.</summary>
    public ChildKind Kind { get; init; } = ChildKind.Worker;

    /// <summary>How much each child matters to the supervisor's health. Default: <see cref="Criticality.Important"/>.</summary>
    public Criticality Criticality { get; init; } = Criticality.Important;

    /// <summary>Each child's degradation policies (see <see cref="ChildSpec.Policies"/>). Default (<see langword="null"/>): the supervisor's <see cref="SupervisionSpec.DefaultPolicies"/>.</summary>
    public IReadOnlyList<DegradationPolicy>? Policies { get; init; }

    /// <summary>Labels for the fault injector's targets, on every child. Default: none.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The shutdown in force: <see cref="Shutdown"/>, or the default for <see cref="Kind"/>.</summary>
    public Shutdown EffectiveShutdown => Shutdown ?? Supervise.Shutdown.DefaultFor(Kind);
}
