namespace Supervise;

/// <summary>
/// A supervisor with a fixed, ordered list of children. Children of kind Supervisor nest their own
/// specs, so a whole tree is one value.
/// </summary>
/// <example>
/// <code>
/// var tree = new SupervisorSpec
/// {
///     Strategy = Strategy.RestForOne,
///     Children = [ChildSpec.Worker("db", dbProps), ChildSpec.Worker("api", apiProps)],
/// };
/// </code>
/// </example>
public sealed record SupervisorSpec : SupervisionSpec
{
    /// <summary>Which children restart with a failed one. Default: <see cref="Strategy.OneForOne"/>.</summary>
    public Strategy Strategy { get; init; } = Strategy.OneForOne;

    /// <summary>Whether significant children's exits shut the supervisor down. Default: <see cref="AutoShutdown.Never"/>.</summary>
    public AutoShutdown AutoShutdown { get; init; } = AutoShutdown.Never;

    /// <summary>The children, in start order (stopped in reverse). Default: none.</summary>
    public IReadOnlyList<ChildSpec> Children { get; init; } = [];
}
