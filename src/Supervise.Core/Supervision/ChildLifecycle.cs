namespace Supervise.Supervision;

/// <summary>
/// Where one child is in its life, as its supervisor sees it: one state of a closed set, instead of a set of flags whose
/// combinations could contradict each other. A state with an incarnation (<see cref="ChildLifecycleRule.HasIncarnation"/>)
/// has a live actor behind it; the others have none.
/// </summary>
internal enum ChildLifecycle : byte
{
    /// <summary>No incarnation, and nothing pending: never started, left by its restart type, stopped by hand, or its start failed.</summary>
    NotRunning,

    /// <summary>An incarnation was made (or restarted in place) and has not confirmed its start yet (OTP's <c>start_child</c> under way).</summary>
    Starting,

    /// <summary>Started and running.</summary>
    Running,

    /// <summary>It threw; its actor is suspended and its mailbox kept until the supervisor decides (the decision may wait: a busy supervisor, a backoff delay, a give-up).</summary>
    Crashed,

    /// <summary>Its restart failed to start it; restarted in place again, it counts as restarting until it answers (OTP's hanging restart loop, pid <c>restarting</c>).</summary>
    RetryingInPlace,

    /// <summary>No incarnation; a restart is coming: a retry, a backoff delay, or its name still held by the incarnation on its way out.</summary>
    WaitingToRestart,

    /// <summary>It stopped while the supervisor was busy; its exit waits in line to be handled (no incarnation).</summary>
    Exited,

    /// <summary>Suspended by a group restart (one-for-all, rest-for-one), its mailbox kept, until the group restarts it in place.</summary>
    Held,

    /// <summary>A group restart reached it while its actor was already terminating: it is started again as soon as that actor is gone.</summary>
    ReplacedWhenGone,

    /// <summary>Asked to stop by its shutdown spec; gone when its actor terminates or its shutdown timeout passes.</summary>
    Stopping,

    /// <summary>Stopped by its isolate policy after exceeding the restart intensity: Down until started again by hand.</summary>
    Isolated,

    /// <summary>No longer one of the supervisor's children (deleted, or a Temporary or dynamic child that left). Final.</summary>
    Removed,
}

/// <summary>A move a child's lifecycle does not have: a bug in its supervisor, never taken for a child's own failure (a failed start is not retried for it).</summary>
internal sealed class LifecycleViolationException(string message) : InvalidOperationException(message);

/// <summary>The rules of <see cref="ChildLifecycle"/>: which states have an actor, which count as restarting, and which moves exist.</summary>
internal static class ChildLifecycleRule
{
    /// <summary>Whether a live actor stands behind the state.</summary>
    public static bool HasIncarnation(ChildLifecycle state) =>
        state is ChildLifecycle.Starting or ChildLifecycle.Running or ChildLifecycle.Crashed or ChildLifecycle.RetryingInPlace
            or ChildLifecycle.Held or ChildLifecycle.ReplacedWhenGone or ChildLifecycle.Stopping;

    /// <summary>
    /// Whether its supervisor is restarting it, which OTP reports as pid <c>restarting</c> (not active, <c>already_present</c>):
    /// a crash waits for its decision, a failed restart is being tried again, or a restart waits for its delay or its name.
    /// A child being started is not (OTP's <c>start_child</c> has not returned yet), nor is one held by a group restart
    /// (the group reports its own members).
    /// </summary>
    public static bool IsRestarting(ChildLifecycle state) =>
        state is ChildLifecycle.Crashed or ChildLifecycle.RetryingInPlace or ChildLifecycle.WaitingToRestart or ChildLifecycle.ReplacedWhenGone;

    /// <summary>Whether messages sent to it reach a running actor now (not suspended, not starting, not on its way out).</summary>
    public static bool Answers(ChildLifecycle state) => state == ChildLifecycle.Running;

    /// <summary>
    /// Whether a child may move from <paramref name="from"/> to <paramref name="to"/>. Staying is always allowed. A removed child
    /// never comes back; a stopping child only ends (it is not restarted, crashed or held on the way out); an isolated child is
    /// only started again by hand, stopped or removed; a state with an incarnation is never reached from one without, except by
    /// a start.
    /// </summary>
    public static bool CanMove(ChildLifecycle from, ChildLifecycle to)
    {
        if (from == to)
        {
            return true;
        }

        return from switch
        {
            ChildLifecycle.Removed => false,
            ChildLifecycle.Stopping => to is ChildLifecycle.NotRunning,
            ChildLifecycle.Isolated => to is ChildLifecycle.Starting or ChildLifecycle.Running or ChildLifecycle.NotRunning or ChildLifecycle.Removed,
            _ when !HasIncarnation(from) && HasIncarnation(to) => to is ChildLifecycle.Starting or ChildLifecycle.Running,
            _ when HasIncarnation(from) && to == ChildLifecycle.Removed => false,
            _ => true,
        };
    }
}
