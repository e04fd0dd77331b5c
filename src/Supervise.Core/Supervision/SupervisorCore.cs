namespace Supervise.Supervision;

/// <summary>
/// What one supervisor decides, top-down as OTP's <c>supervisor.erl</c> reads it: where it is (starting its children,
/// running, stopping), the work waiting its turn, and what a child's crash or exit leads to (restart type, breaker,
/// window, containment, backoff, then the strategy's blast radius, or auto-shutdown). Pure: it holds no actor and reads no
/// clock; it tells <see cref="ISupervisorEffects{TChild, TCrash}"/> what to do, and the shell (the supervisor actor) does it.
/// </summary>
/// <remarks>
/// One entry point per input: a crash (<see cref="Crash"/>), an exit by itself (<see cref="Exited"/>), a call or a timer
/// (<see cref="Submit"/>), the start sequence's end (<see cref="Started"/>), a stop's beginning (<see cref="BeginStopping"/>),
/// and the end of any sequence (<see cref="Drain"/>). While a start, a stop or a group restart is under way, crashes, exits
/// and calls wait in line, as they wait in an OTP supervisor's mailbox, and are decided in the order they came.
/// </remarks>
/// <typeparam name="TChild">The shell's record of a child.</typeparam>
/// <typeparam name="TCrash">What the shell knows of a crash (its cause, and the message it was handling).</typeparam>
internal sealed class SupervisorCore<TChild, TCrash>
    where TChild : class, ISupervisedChild<TCrash>
    where TCrash : class, ICrashReport
{
    private readonly Queue<object> _waiting = new();
    private readonly ISupervisorEffects<TChild, TCrash> _effects;
    private readonly List<TChild> _children;
    private Strategy _strategy;
    private AutoShutdown _autoShutdown;
    private readonly bool _dynamic;

    /// <summary>A supervisor's core over <paramref name="children"/> (in start order; the shell adds and removes them).</summary>
    /// <param name="strategy">Its restart strategy (a dynamic supervisor's is one-for-one).</param>
    /// <param name="autoShutdown">OTP's <c>auto_shutdown</c> (never for a dynamic supervisor).</param>
    /// <param name="dynamic">Whether it is a dynamic supervisor: a child that is not restarted is forgotten.</param>
    /// <param name="window">Its restart window (intensity and period).</param>
    /// <param name="children">Its children in start order, owned by the shell.</param>
    /// <param name="effects">What carries decisions out.</param>
    public SupervisorCore(Strategy strategy, AutoShutdown autoShutdown, bool dynamic, RestartWindow window, List<TChild> children, ISupervisorEffects<TChild, TCrash> effects)
    {
        _strategy = dynamic ? Strategy.OneForOne : strategy;
        _autoShutdown = dynamic ? AutoShutdown.Never : autoShutdown;
        _dynamic = dynamic;
        Window = window;
        _children = children;
        _effects = effects;
    }

    /// <summary>Takes a new strategy and auto-shutdown (a live upgrade): the next exit is decided by them.</summary>
    public void Reconfigure(Strategy strategy, AutoShutdown autoShutdown)
    {
        _strategy = _dynamic ? Strategy.OneForOne : strategy;
        _autoShutdown = _dynamic ? AutoShutdown.Never : autoShutdown;
    }

    /// <summary>Where the supervisor is: starting its children, running, or stopping (for good, or to be restarted).</summary>
    public SupervisorPhase Phase { get; private set; } = SupervisorPhase.Starting;

    /// <summary>The restart window every counted restart is recorded in.</summary>
    public RestartWindow Window { get; }

    /// <summary>How much work waits its turn.</summary>
    public int Waiting => _waiting.Count;

    /// <summary>
    /// Set by the shell while it completes a start that ended with its child's termination: the exit is put in line
    /// before anything waiting is decided.
    /// </summary>
    public bool HoldDrain { get; set; }

    /// <summary>Whether an input can be decided now: running, no sequence under way, and nothing waiting before it.</summary>
    public bool CanDecideNow => Phase == SupervisorPhase.Running && !_effects.InSequence && _waiting.Count == 0;

    /// <summary>Its children have started in order: it runs, and decides what waited.</summary>
    public void Started()
    {
        Phase = SupervisorPhase.Running;
        Drain();
    }

    /// <summary>It begins to stop its children (asked to, giving up, auto-shutdown, or its parent restarts it): for good.</summary>
    public void BeginStopping() => Phase = SupervisorPhase.Stopping;

    /// <summary>A runtime call, a timer or a request from its parent: decided now, put in line, or refused while stopping.</summary>
    public void Submit(object work, WorkKind kind)
    {
        if (Phase == SupervisorPhase.Stopping)
        {
            switch (kind)
            {
                case WorkKind.StopForRestart:
                    return; // already stopping: its parent learns of its end (it fails or stops) instead
                case WorkKind.Call:
                    _effects.Refuse(work);
                    return;
            }
        }

        if (CanDecideNow)
        {
            _effects.Process(work);
        }
        else
        {
            _waiting.Enqueue(work);
        }
    }

    /// <summary>A child threw and is suspended until decided: now if nothing waits before it, else in line.</summary>
    public void Crash(TChild child, TCrash crash)
    {
        if (CanDecideNow)
        {
            child.Crash(null);
            DecideCrash(child, crash);
        }
        else
        {
            QueueCrash(child, crash);
        }
    }

    /// <summary>A child's crash waits its turn (its supervisor is busy, or a group restart handles it after itself).</summary>
    public void QueueCrash(TChild child, TCrash crash)
    {
        child.Crash(crash);
        _waiting.Enqueue(child);
    }

    /// <summary>A child stopped by itself (its actor is gone): its exit is decided now if nothing waits before it, else in line.</summary>
    public void Exited(TChild child, ExitReason reason)
    {
        if (CanDecideNow)
        {
            Decide(child, reason, alive: false);
        }
        else
        {
            QueueExit(child, reason);
        }
    }

    /// <summary>A child's exit waits its turn; stale once the child's generation moves on.</summary>
    public void QueueExit(TChild child, ExitReason reason)
    {
        var exit = new ExitInLine(child, reason, child.Generation);
        child.QueueExit(exit);
        _waiting.Enqueue(exit);
    }

    /// <summary>Puts shell work in line (a restart that waited for its name to be free).</summary>
    public void Enqueue(object work) => _waiting.Enqueue(work);

    /// <summary>Takes out of line every piece of work <paramref name="take"/> picks, in order (calls refused when it stops).</summary>
    public List<object> TakeWaiting(Func<object, bool> take)
    {
        var taken = new List<object>();
        var count = _waiting.Count;
        for (var i = 0; i < count; i++)
        {
            var work = _waiting.Dequeue();
            if (take(work))
            {
                taken.Add(work);
            }
            else
            {
                _waiting.Enqueue(work);
            }
        }

        return taken;
    }

    /// <summary>Decides waiting work, in order, until a sequence begins or nothing is left.</summary>
    public void Drain()
    {
        while (!HoldDrain && Phase == SupervisorPhase.Running && !_effects.InSequence && _waiting.TryDequeue(out var work))
        {
            switch (work)
            {
                case TChild child:
                    if (child.TakeFailure() is { } crash)
                    {
                        DecideCrash(child, crash);
                    }

                    break; // else decided meanwhile (stopped, removed, or covered by a group restart)
                case ExitInLine exit:
                    if (exit.Child is TChild gone && IsCurrent(gone, exit.Generation))
                    {
                        Decide(gone, exit.Reason, alive: false);
                    }

                    break;
                default:
                    _effects.Process(work);
                    break;
            }
        }
    }

    /// <summary>
    /// Whether work queued for <paramref name="child"/> at <paramref name="generation"/> still applies: the child is still
    /// one of the children, has no incarnation, and nothing stopped or started it since (OTP flushes such an EXIT).
    /// </summary>
    public bool IsCurrent(TChild child, int generation) =>
        generation == child.Generation && !ChildLifecycleRule.HasIncarnation(child.Lifecycle) && _children.Contains(child);

    /// <summary>A crash, reported (published, its message in flight handled) and then decided as an exit of a live child.</summary>
    private void DecideCrash(TChild child, TCrash crash)
    {
        _effects.ReportCrash(child, crash);
        Decide(child, ExitReason.Crash(crash.Cause), alive: true);
        _effects.CrashDecided(child);
    }

    /// <summary>
    /// OTP's exit handling (<c>restart_child</c>, <c>do_restart</c>, <c>add_restart</c>, <c>restart</c>): by restart type,
    /// breaker, window (a containing policy in place of giving up), backoff, then the strategy's blast radius.
    /// <paramref name="alive"/> when the child's actor still stands (suspended after a crash).
    /// </summary>
    public void Decide(TChild child, ExitReason reason, bool alive)
    {
        if (!alive)
        {
            child.MoveTo(ChildLifecycle.NotRunning); // gone: its exit in line, or the retry of its start, is being handled
        }

        var facts = new ExitFacts(child.Restart, reason, _dynamic, child.Significant, child.Isolates, child.BacksOff);
        var decision = ExitRule.Decide(facts, Window, child.Breaker, child, _effects.Elapsed);
        if (decision.Verdict.CountInWindow > 0)
        {
            _effects.RestartCounted(child);
        }
        else if (decision.Outcome == ExitOutcome.OpenCircuit)
        {
            _effects.TakenByBreaker(child);
        }

        switch (decision.Outcome)
        {
            case ExitOutcome.Leave or ExitOutcome.Remove:
                if (alive)
                {
                    _effects.Discard(child);
                }

                child.MoveTo(ChildLifecycle.NotRunning);
                if (decision.Outcome == ExitOutcome.Remove)
                {
                    _effects.Remove(child);
                }

                if (decision.CheckAutoShutdown && ShutsDown())
                {
                    _effects.AutoShutdown(child, _autoShutdown);
                }

                break;
            case ExitOutcome.OpenCircuit:
                _effects.OpenCircuit(child);
                break;
            case ExitOutcome.Isolate:
                _effects.Isolate(child, reason);
                break;
            case ExitOutcome.GiveUp:
                _effects.GiveUp(child, decision.Verdict, reason);
                break;
            case ExitOutcome.RestartAfterBackoff:
                _effects.RestartAfterBackoff(child, reason, alive);
                break;
            default:
                Restart(child, reason, alive);
                break;
        }
    }

    /// <summary>Restarts the strategy's blast radius (<see cref="GroupRestartPlan"/>): the child alone, or a group in OTP's order (also once a backoff delay has passed).</summary>
    public void Restart(TChild failed, ExitReason reason, bool alive)
    {
        if (_strategy == Strategy.OneForOne)
        {
            _effects.RestartOne(failed, reason, alive); // and no list to build
            return;
        }

        var facts = new SiblingFacts[_children.Count];
        for (var i = 0; i < facts.Length; i++)
        {
            var c = _children[i];
            facts[i] = new SiblingFacts(c.Restart, c.Lifecycle == ChildLifecycle.Isolated || c.Circuit == CircuitState.Open);
        }

        var plan = GroupRestartPlan.Plan(_strategy, _children.IndexOf(failed), facts);
        if (plan.Restart.Count == 1 && plan.Remove.Count == 0)
        {
            _effects.RestartOne(failed, reason, alive);
            return;
        }

        _effects.RestartGroup(failed, reason, [.. plan.Restart.Select(i => _children[i])], [.. plan.Remove.Select(i => _children[i])]);
    }

    /// <summary>OTP's <c>auto_shutdown</c> after a significant child stopped for good.</summary>
    private bool ShutsDown()
    {
        if (_autoShutdown == AutoShutdown.Never)
        {
            return false;
        }

        var running = new List<bool>();
        foreach (var c in _children)
        {
            if (c.Significant)
            {
                // Not terminated: running, or being restarted (OTP's pid restarting, a backoff delay, a retried start).
                running.Add(ChildLifecycleRule.HasIncarnation(c.Lifecycle) || ChildLifecycleRule.IsRestarting(c.Lifecycle));
            }
        }

        return AutoShutdownRule.ShutsDown(_autoShutdown, running);
    }
}

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
