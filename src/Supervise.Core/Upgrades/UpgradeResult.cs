namespace Supervise;

/// <summary>The answer to <c>UpgradeAsync</c>: how the upgrade ended, with its plan.</summary>
public abstract record UpgradeResult
{
    private UpgradeResult(UpgradePlan plan) => Plan = plan;

    /// <summary>What the upgrade was to do (its dry run).</summary>
    public UpgradePlan Plan { get; }

    /// <summary>
    /// Every step was carried out: the supervisor runs the next spec. With <see cref="UpgradeFailureAction.Continue"/>,
    /// <paramref name="Failures"/> lists the steps that failed on the way (each "child: why").
    /// </summary>
    public sealed record Completed(UpgradePlan Plan, IReadOnlyList<string> Failures) : UpgradeResult(Plan);

    /// <summary>
    /// A step failed (<paramref name="Failure"/>, "child: why") and every change made was undone, last first:
    /// <paramref name="Restored"/> are the children given back what they ran before. <paramref name="Failures"/> lists every failure,
    /// the undoing's included.
    /// </summary>
    public sealed record RolledBack(UpgradePlan Plan, string Failure, IReadOnlyList<string> Restored, IReadOnlyList<string> Failures) : UpgradeResult(Plan);

    /// <summary>A step failed (<paramref name="Failure"/>) and the upgrade stopped there: <paramref name="Changed"/> kept their change.</summary>
    public sealed record Stopped(UpgradePlan Plan, string Failure, IReadOnlyList<string> Changed) : UpgradeResult(Plan);

    /// <summary>Nothing was changed: the next spec or the options are not valid, or the supervisor cannot take an upgrade now (<paramref name="Problems"/> says why).</summary>
    public sealed record Refused(UpgradePlan Plan, IReadOnlyList<SpecProblem> Problems) : UpgradeResult(Plan);
}
