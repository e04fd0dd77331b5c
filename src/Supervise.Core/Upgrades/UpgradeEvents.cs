namespace Supervise;

/// <summary>An upgrade of a supervisor began; <paramref name="Plan"/> is what it will do.</summary>
public sealed record UpgradeStarted(string SupervisorPath, DateTimeOffset Timestamp, UpgradePlan Plan)
    : SupervisionEvent(SupervisorPath, Timestamp);

/// <summary>An upgrade changed one child (<paramref name="Change"/> says how: replaced, updated, added, removed, or restored by a rollback).</summary>
public sealed record ChildUpgraded(string SupervisorPath, DateTimeOffset Timestamp, string ChildId, string Change)
    : ChildEvent(SupervisorPath, Timestamp, ChildId);

/// <summary>The children an upgrade step changed were watched for <paramref name="Window"/>: <paramref name="Failure"/> is null when they passed.</summary>
public sealed record UpgradeStepWatched(string SupervisorPath, DateTimeOffset Timestamp, IReadOnlyList<string> Children, TimeSpan Window, string? Failure)
    : SupervisionEvent(SupervisorPath, Timestamp);

/// <summary>An upgrade ended (<paramref name="Result"/>: completed, rolled back, stopped or refused).</summary>
public sealed record UpgradeEnded(string SupervisorPath, DateTimeOffset Timestamp, UpgradeResult Result)
    : SupervisionEvent(SupervisorPath, Timestamp);
