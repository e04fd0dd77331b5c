namespace Supervise.Supervision;

/// <summary>
/// What a supervisor does with one child's exit (a crash, or a stop by itself), decided in OTP's order and then
/// Supervise's: the restart type first (<c>do_restart</c>), then the child's circuit breaker, then the restart
/// window (<c>add_restart</c>), where a containing policy (isolate, breaker) takes the place of giving up, then a
/// backoff delay, and only then the strategy's blast radius. Pure: the caller gives the time and the states.
/// </summary>
internal static class ExitRule
{
    /// <summary>Decides <paramref name="exit"/> of a child, recording it in <paramref name="window"/> and the child's <paramref name="breaker"/> as OTP's <c>add_restart</c> does.</summary>
    /// <param name="exit">The child's restart type, policies and why it exited.</param>
    /// <param name="window">The supervisor's restart window; the restart is recorded against <paramref name="owner"/>.</param>
    /// <param name="breaker">The child's breaker state, when it has a breaker policy.</param>
    /// <param name="owner">What the restart is counted against (the child), so that containing it can forget its restarts.</param>
    /// <param name="now">Monotonic time.</param>
    public static ExitDecision Decide(in ExitFacts exit, RestartWindow window, BreakerState? breaker, object owner, TimeSpan now)
    {
        ArgumentNullException.ThrowIfNull(window);
        if (!Restarts(exit.Restart, exit.Reason))
        {
            // Temporary children, and a dynamic supervisor's, are forgotten; a static child's spec is kept.
            var remove = exit.Restart == RestartType.Temporary || exit.Dynamic;
            return new(remove ? ExitOutcome.Remove : ExitOutcome.Leave, default, exit.Significant);
        }

        if (breaker is not null && breaker.FailureOpens(now))
        {
            return new(ExitOutcome.OpenCircuit, default, false);
        }

        var verdict = window.Record(now, owner);
        if (verdict.Exceeded)
        {
            var outcome = breaker is not null ? ExitOutcome.OpenCircuit : exit.Isolate ? ExitOutcome.Isolate : ExitOutcome.GiveUp;
            return new(outcome, verdict, false);
        }

        return new(exit.Backoff ? ExitOutcome.RestartAfterBackoff : ExitOutcome.Restart, verdict, false);
    }

    /// <summary>OTP's <c>do_restart</c> clauses: a Permanent child always, a Transient one after an abnormal exit, a Temporary one never.</summary>
    public static bool Restarts(RestartType restart, ExitReason reason) => restart switch
    {
        RestartType.Permanent => true,
        RestartType.Transient => reason.IsAbnormal,
        _ => false,
    };
}

/// <summary>What <see cref="ExitRule"/> decides on.</summary>
/// <param name="Restart">The child's restart type.</param>
/// <param name="Reason">Why it exited.</param>
/// <param name="Dynamic">Whether it is a dynamic supervisor's child (never kept once stopped).</param>
/// <param name="Significant">Whether its exit may shut its supervisor down (auto-shutdown).</param>
/// <param name="Isolate">Whether an isolate policy contains it past the intensity.</param>
/// <param name="Backoff">Whether a backoff policy delays its restarts.</param>
internal readonly record struct ExitFacts(RestartType Restart, ExitReason Reason, bool Dynamic, bool Significant, bool Isolate, bool Backoff);

/// <summary>The outcome of <see cref="ExitRule.Decide"/>.</summary>
/// <param name="Outcome">What to do.</param>
/// <param name="Verdict">The restart window after recording the restart (for restarts and giving up).</param>
/// <param name="CheckAutoShutdown">Whether a significant child stopped for good: the supervisor's auto-shutdown rule is looked at.</param>
internal readonly record struct ExitDecision(ExitOutcome Outcome, RestartVerdict Verdict, bool CheckAutoShutdown);

/// <summary>The ways an exit can end.</summary>
internal enum ExitOutcome
{
    /// <summary>Not restarted; its spec is kept (OTP: a transient child's normal exit).</summary>
    Leave,

    /// <summary>Not restarted, and forgotten (a temporary child, or a dynamic supervisor's).</summary>
    Remove,

    /// <summary>Its breaker opens: it stays down for the cooldown, then one probe restart.</summary>
    OpenCircuit,

    /// <summary>Past the intensity, isolated instead of giving up: Down until started by hand.</summary>
    Isolate,

    /// <summary>Past the intensity: stop every child in reverse order and fail to the parent (escalation).</summary>
    GiveUp,

    /// <summary>Restart the strategy's blast radius after the child's backoff delay.</summary>
    RestartAfterBackoff,

    /// <summary>Restart the strategy's blast radius now.</summary>
    Restart,
}
