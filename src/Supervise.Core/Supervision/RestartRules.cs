namespace Supervise;

/// <summary>The pure decisions of OTP's restart rules.</summary>
public static class RestartRules
{
    /// <summary>Whether a child of <paramref name="restart"/> type that exited for <paramref name="reason"/> is restarted.</summary>
    public static bool ShouldRestart(RestartType restart, ExitReason reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return Supervision.ExitRule.Restarts(restart, reason);
    }

    /// <summary>
    /// The start-order indexes of the children a <paramref name="strategy"/> restarts when the child at
    /// <paramref name="failedIndex"/> (of <paramref name="childCount"/>) must be restarted.
    /// </summary>
    public static Range BlastRadius(Strategy strategy, int failedIndex, int childCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(failedIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(failedIndex, childCount);
        return strategy switch
        {
            Strategy.OneForAll => 0..childCount,
            Strategy.RestForOne => failedIndex..childCount,
            _ => failedIndex..(failedIndex + 1),
        };
    }
}
