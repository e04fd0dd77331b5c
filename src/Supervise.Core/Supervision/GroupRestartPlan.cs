namespace Supervise.Supervision;

/// <summary>
/// Which children a restart touches and how (OTP's <c>restart(Strategy, Child, State)</c>): the strategy's blast
/// radius in start order, less the siblings that are contained (isolated, or behind an open breaker), which stay
/// down whatever their siblings do; Temporary siblings are stopped and removed, never restarted.
/// </summary>
internal static class GroupRestartPlan
{
    /// <summary>Plans the restart of the child at <paramref name="failed"/> among <paramref name="children"/> (in start order).</summary>
    public static GroupRestart Plan(Strategy strategy, int failed, IReadOnlyList<SiblingFacts> children)
    {
        ArgumentNullException.ThrowIfNull(children);
        var (offset, length) = RestartRules.BlastRadius(strategy, failed, children.Count).GetOffsetAndLength(children.Count);
        var restart = new List<int>(length);
        var remove = new List<int>();
        for (var i = offset; i < offset + length; i++)
        {
            var child = children[i];
            if (i == failed)
            {
                restart.Add(i);
            }
            else if (child.Restart == RestartType.Temporary)
            {
                remove.Add(i);
            }
            else if (!child.Contained)
            {
                restart.Add(i);
            }
        }

        return new(restart, remove);
    }
}

/// <summary>A sibling as <see cref="GroupRestartPlan"/> sees it.</summary>
/// <param name="Restart">Its restart type.</param>
/// <param name="Contained">Whether a policy holds it down (isolated, or its breaker is open).</param>
internal readonly record struct SiblingFacts(RestartType Restart, bool Contained);

/// <summary>A planned group restart: indexes in start order. The supervisor stops every one of them in reverse start order, then starts <see cref="Restart"/> in start order.</summary>
/// <param name="Restart">The children restarted, the failed one included.</param>
/// <param name="Remove">Temporary siblings: stopped by their shutdown specs and removed.</param>
internal sealed record GroupRestart(IReadOnlyList<int> Restart, IReadOnlyList<int> Remove);
