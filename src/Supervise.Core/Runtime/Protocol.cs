using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>A nested Supervise supervisor tells its parent that all its children have started.</summary>
internal sealed record ChildSupervisorReady;

/// <summary>Asks a supervisor to stop its children in order, then itself.</summary>
internal sealed record ShutdownRequest;

/// <summary>
/// Stop now, without the ordered stop of <see cref="ShutdownRequest"/> (a kill or stop injected on a nested supervisor): the
/// supervisor first notes which children are inside a handler, so that a message one of them crashes on as Akka stops them
/// is reported (see <see cref="CrashHandover"/>).
/// </summary>
internal sealed record StopAtOnce;

/// <summary>
/// In virtual time, a settling tree asks each supervisor whether only the clock can move it now (see
/// <see cref="SettleBarrier"/>); answered with <see cref="ProgressAnswer"/>, without a health pass.
/// </summary>
internal sealed record ProgressQuery
{
    public static readonly ProgressQuery Instance = new();
}

/// <summary>
/// A supervisor's answer to <see cref="ProgressQuery"/>: how many messages it has handled (queries not counted), whether
/// nothing but the clock can move it (its mailbox is empty, and each child still to be heard from waits for the clock:
/// held by an injected hang while asked to stop gracefully, or a nested supervisor, which answers for itself), and its
/// nested supervisors, to be asked in turn.
/// </summary>
internal sealed record ProgressAnswer(long Handled, bool ClockBound, IActorRef[] Supervisors);

/// <summary>The caller of StartTreeAsync gave up waiting (its token was cancelled): the root's start is abandoned, and the tree stops.</summary>
internal sealed record CancelStart;

/// <summary>Asks a nested supervisor of a group restart to stop its children in reverse order and wait to be restarted; answered with <see cref="ChildrenStopped"/>.</summary>
internal sealed record StopChildrenForRestart(long Epoch);

/// <summary>A nested supervisor has stopped its children for a group restart; <paramref name="Abandoned"/> if one of them is blocked past its shutdown timeout (Akka recreates the supervisor only once it is gone).</summary>
internal sealed record ChildrenStopped(bool Abandoned);

/// <summary>A child tells its supervisor why it is about to stop (see <see cref="Supervised.Exit"/>).</summary>
internal sealed record ChildExiting(ExitReason Reason);

/// <summary>A child's actor has terminated (sent by the supervisor to itself).</summary>
internal sealed record ChildGone(IActorRef Child);

/// <summary>A child did not stop within its shutdown timeout.</summary>
internal sealed record StopTimedOut(IActorRef Child);

/// <summary>Re-run a restart whose start failed synchronously (OTP's <c>try_again_restart</c>); stale once the record's generation moved on.</summary>
internal sealed record RetryRestart(ChildRecord Record, Exception Cause, int Generation);

/// <summary>Fail this supervisor instance (<paramref name="Owner"/>) to its parent with <paramref name="Error"/>; ignored by a later instance.</summary>
internal sealed record FailNow(Exception Error, object Owner);

/// <summary>A nested supervisor tells its parent its health changed.</summary>
internal sealed record ChildHealthReport(HealthState Health);

internal sealed record HealthRequest;

/// <summary>Asks for a child's stable address; answered with the <see cref="ChildAddress"/>.</summary>
internal sealed record ChildAddressRequest(string Id);

/// <summary>Asks for the messages set aside by quarantine; answered with a list of <see cref="QuarantinedMessage"/>.</summary>
internal sealed record QuarantineRequest;

/// <summary>Runtime API requests; each is answered with its result type.</summary>
internal sealed record WhichChildrenRequest;

internal sealed record CountChildrenRequest;

internal sealed record GetChildSpecRequest(string Id);

/// <summary>Asks what an upgrade to <see cref="Next"/> would do (a dry run); answered with the <see cref="UpgradePlan"/>.</summary>
internal sealed record PlanUpgradeRequest(SupervisionSpec Next);

internal sealed record StartChildRequest(ChildSpec Spec);

internal sealed record StartDynamicChildRequest(object? Args);

internal sealed record StartDynamicChildrenRequest(IReadOnlyList<object?> Args);

/// <param name="Id">The child, by id.</param>
/// <param name="Child">The child, by reference (a dynamic supervisor's).</param>
/// <param name="Keep">Keep a dynamic child's record once it is stopped (an upgrade starts it again from a new template).</param>
internal sealed record TerminateChildRequest(string? Id, IActorRef? Child, bool Keep = false);

/// <summary>Start a stopped child again from its record, a dynamic supervisor's included (an upgrade's replacement).</summary>
internal sealed record StartAgainRequest(string Id);

internal sealed record RestartChildRequest(string Id);

internal sealed record DeleteChildRequest(string Id);

/// <summary>Asks for an upgrade to <see cref="Next"/>; answered with the <see cref="UpgradeResult"/> once it has ended.</summary>
internal sealed record UpgradeRequest(SupervisionSpec Next, UpgradeOptions Options);

/// <summary>A runtime call an upgrade sends its own supervisor (numbered <see cref="Token"/>: a later incarnation ignores it).</summary>
internal sealed record UpgradeCall(long Token, object Request);

/// <summary>A nested supervisor tells its parent the spec an upgrade left it with.</summary>
internal sealed record NestedSpecChanged(SupervisionSpec Spec);

/// <summary>An upgrade's watch window or pause is over (timer number <see cref="Timer"/> of the upgrade numbered <see cref="Token"/>).</summary>
internal sealed record UpgradeTimerDue(long Token, long Timer);
