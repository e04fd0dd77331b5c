namespace Supervise;

/// <summary>What an upgrade does when a step fails (see <see cref="UpgradeOptions.OnFailure"/>).</summary>
public enum UpgradeFailureAction
{
    /// <summary>Restore the previous spec of every child already changed, in reverse order, with the same care.</summary>
    RollBack,

    /// <summary>Stop where it is: what was upgraded stays upgraded, the rest is left as it was.</summary>
    Stop,

    /// <summary>Go on with the next steps.</summary>
    Continue,
}

/// <summary>
/// How an upgrade runs its plan (<see cref="UpgradePlan"/>): the first children go first as a canary, each step is watched
/// for a while, and a step that fails rolls back what was upgraded unless told otherwise.
/// </summary>
public sealed record UpgradeOptions
{
    /// <summary>How many of the changed children go first, each watched, before the rest. Default: 1.</summary>
    public int CanaryCount { get; init; } = 1;

    /// <summary>
    /// How long each step is watched: a child it changed that crashes, fails to start or is not Running during it fails
    /// the step. Default: 5 s. Zero watches nothing.
    /// </summary>
    public TimeSpan WatchWindow { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How many children may be out of service at once (replaced together in one step). Default: 1.</summary>
    public int MaxOutOfService { get; init; } = 1;

    /// <summary>A pause between steps, after each one's watch. Default: none.</summary>
    public TimeSpan PauseBetweenSteps { get; init; } = TimeSpan.Zero;

    /// <summary>What a failed step does. Default: <see cref="UpgradeFailureAction.RollBack"/>.</summary>
    public UpgradeFailureAction OnFailure { get; init; } = UpgradeFailureAction.RollBack;

    /// <summary>
    /// How many messages a replaced worker's stable address (<see cref="ChildAddress"/>) holds while it is replaced. From
    /// the moment its replacement begins the address holds what is sent; the old incarnation first handles what it was
    /// sent before (up to its shutdown timeout), then is stopped, and what was held goes, in order, to the new incarnation
    /// once it runs, or to the previous spec's again when the upgrade rolls back. A child with its own
    /// <see cref="BufferPolicy"/> holds by that policy instead. Past the capacity the newest are dropped and reported. 0: nothing
    /// held (sent while the child is replaced, dropped or rejected by its policies, and reported). Default: 1,000.
    /// </summary>
    public int BufferWhileReplaced { get; init; } = 1_000;

    /// <summary>Every problem with these options, each naming the field, what was expected and what was received; empty when they are valid.</summary>
    public IReadOnlyList<SpecProblem> Validate()
    {
        var problems = new List<SpecProblem>();
        if (CanaryCount < 0)
        {
            problems.Add(Problem(nameof(CanaryCount), "a count of 0 or more", CanaryCount.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (BufferWhileReplaced < 0)
        {
            problems.Add(Problem(nameof(BufferWhileReplaced), "a count of 0 or more", BufferWhileReplaced.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (MaxOutOfService < 1)
        {
            problems.Add(Problem(nameof(MaxOutOfService), "a count of 1 or more", MaxOutOfService.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        }

        foreach (var (name, value) in new[] { (nameof(WatchWindow), WatchWindow), (nameof(PauseBetweenSteps), PauseBetweenSteps) })
        {
            if (value < TimeSpan.Zero || value > PolicyChecks.MaxTimer)
            {
                problems.Add(Problem(name, "a duration from zero to 49 days (what the runtime's timers take)", value.ToString()));
            }
        }

        if (!Enum.IsDefined(OnFailure))
        {
            problems.Add(Problem(nameof(OnFailure), "RollBack, Stop or Continue", OnFailure.ToString()));
        }

        return problems;
    }

    private static SpecProblem Problem(string field, string expected, string received) => new("upgrade options", field, expected, received);
}
