namespace Supervise.Supervision;

/// <summary>Where a supervisor is.</summary>
internal enum SupervisorPhase : byte
{
    /// <summary>Starting its children in order; what comes meanwhile waits.</summary>
    Starting,

    /// <summary>Running: inputs are decided as they come, unless a sequence (a group restart, a batch start) is under way.</summary>
    Running,

    /// <summary>Stopping its children in reverse order: calls are refused; its own end follows.</summary>
    Stopping,
}

/// <summary>What a piece of work submitted to <see cref="SupervisorCore{TChild, TCrash}.Submit"/> is, which decides whether a stopping supervisor takes it.</summary>
internal enum WorkKind : byte
{
    /// <summary>A runtime call (which children, start, terminate, restart, delete...): refused while stopping.</summary>
    Call,

    /// <summary>A request to stop: taken in line whatever the phase.</summary>
    Shutdown,

    /// <summary>A timer (a retried restart, a backoff, a breaker's cooldown): taken in line, and ignored by the shell if stale.</summary>
    Timer,

    /// <summary>Its parent restarts it as part of a group: dropped once it stops anyway.</summary>
    StopForRestart,
}

/// <summary>What the core needs to know of a child, and the moves it makes on it.</summary>
/// <typeparam name="TCrash">What the shell knows of a crash.</typeparam>
internal interface ISupervisedChild<TCrash> : IHasLifecycle
    where TCrash : class
{
    /// <summary>Moves on with each incarnation and each call that stops it: work queued for an earlier one is stale.</summary>
    int Generation { get; }

    /// <summary>Its restart type.</summary>
    RestartType Restart { get; }

    /// <summary>Whether its exit may shut its supervisor down (auto-shutdown).</summary>
    bool Significant { get; }

    /// <summary>Whether an isolate policy contains it past the intensity.</summary>
    bool Isolates { get; }

    /// <summary>Whether a backoff policy delays its restarts.</summary>
    bool BacksOff { get; }

    /// <summary>Its breaker, when it has a breaker policy.</summary>
    BreakerState? Breaker { get; }

    /// <summary>Its breaker's state (closed without one).</summary>
    CircuitState Circuit { get; }

    /// <summary>Moves it to <paramref name="next"/>; an illegal move throws <see cref="LifecycleViolationException"/>.</summary>
    void MoveTo(ChildLifecycle next);

    /// <summary>It threw: <see cref="ChildLifecycle.Crashed"/>, with <paramref name="waiting"/> when the decision waits.</summary>
    void Crash(TCrash? waiting);

    /// <summary>Takes the crash waiting to be decided, if it still waits.</summary>
    TCrash? TakeFailure();

    /// <summary>It stopped while its supervisor was busy: <see cref="ChildLifecycle.Exited"/>, with its exit in line.</summary>
    void QueueExit(ExitInLine exit);
}

/// <summary>A crash as the core sees it: its cause (the rest is the shell's).</summary>
internal interface ICrashReport
{
    /// <summary>What the child threw.</summary>
    Exception Cause { get; }
}

/// <summary>A child's exit waiting its turn behind work queued before it; stale once the child's generation moved on.</summary>
/// <param name="Child">The child (the shell's record).</param>
/// <param name="Reason">Why it exited.</param>
/// <param name="Generation">Its generation when it exited.</param>
internal sealed record ExitInLine(object Child, ExitReason Reason, int Generation);

/// <summary>What a supervisor's core tells its shell to do. Each call is one decision carried out; none decides anything.</summary>
/// <typeparam name="TChild">The shell's record of a child.</typeparam>
/// <typeparam name="TCrash">What the shell knows of a crash.</typeparam>
internal interface ISupervisorEffects<in TChild, in TCrash>
{
    /// <summary>Whether a sequence (a start in order, a stop in order, a group restart, a batch start) is under way.</summary>
    bool InSequence { get; }

    /// <summary>The monotonic time (virtual in tests).</summary>
    TimeSpan Elapsed { get; }

    /// <summary>Log and publish the crash, and handle the message it was handling (dropped and reported, or kept by a policy).</summary>
    void ReportCrash(TChild child, TCrash crash);

    /// <summary>The crash reported last is decided: every effect of its decision has been asked for (its trace span ends).</summary>
    void CrashDecided(TChild child);

    /// <summary>A restart was counted in the window (a restart a fault injected below the intensity had reserved is now counted).</summary>
    void RestartCounted(TChild child);

    /// <summary>Its circuit breaker took the crash before the window counted it (a restart a fault had reserved will not be counted).</summary>
    void TakenByBreaker(TChild child)
    {
    }

    /// <summary>Stop its suspended actor: it is not restarted.</summary>
    void Discard(TChild child);

    /// <summary>Forget it: it is no longer one of the children.</summary>
    void Remove(TChild child);

    /// <summary>Its breaker opens: down for the cooldown, then one probe restart.</summary>
    void OpenCircuit(TChild child);

    /// <summary>Past the intensity, its isolate policy contains it: down until started by hand.</summary>
    void Isolate(TChild child, ExitReason reason);

    /// <summary>Past the intensity: stop every child in reverse order, then fail to the parent.</summary>
    void GiveUp(TChild child, RestartVerdict verdict, ExitReason reason);

    /// <summary>Restart it after its backoff delay.</summary>
    void RestartAfterBackoff(TChild child, ExitReason reason, bool alive);

    /// <summary>Restart it now: in place if <paramref name="alive"/> (same reference, mailbox kept), else as a new incarnation.</summary>
    void RestartOne(TChild child, ExitReason reason, bool alive);

    /// <summary>Restart a group in OTP's order: <paramref name="restart"/> and <paramref name="remove"/> stopped in reverse start order, then <paramref name="restart"/> started in start order.</summary>
    void RestartGroup(TChild failed, ExitReason reason, IReadOnlyList<TChild> restart, IReadOnlyList<TChild> remove);

    /// <summary>A significant child stopped for good and <paramref name="mode"/> says the supervisor shuts down.</summary>
    void AutoShutdown(TChild exited, AutoShutdown mode);

    /// <summary>Carry out shell work whose turn came (a call, a timer, a request from the parent).</summary>
    void Process(object work);

    /// <summary>Refuse a call: the supervisor is stopping.</summary>
    void Refuse(object work);
}
