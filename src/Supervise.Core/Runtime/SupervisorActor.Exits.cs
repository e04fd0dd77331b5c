using System.Diagnostics;
using Akka.Actor;
using Akka.Actor.Internal;
using Akka.Event;
using Akka.Util;
using Supervise.Supervision;

namespace Supervise.Runtime;

/// <summary>
/// One crash's path, top to bottom, as OTP's supervisor reads it: Akka's failure hook hands the failure over
/// (<see cref="FailureHook"/>), the crash is reported and its message in flight handled, <see cref="ExitRule"/>
/// decides by restart type, breaker, window, isolation and backoff, and the blast radius is restarted (one child in
/// place here; a group in OTP's order by <see cref="GroupRestart{TChild}"/>). A child's own stop takes the same road from
/// <see cref="OnTerminated"/>.
/// </summary>
internal sealed partial class SupervisorActor
{
    /// <summary>Called by Akka (through <see cref="FailureHook"/>) when a child throws; guarded like <see cref="OnReceive"/>.</summary>
    private void OnChildFailure(IActorRef child, Exception cause)
    {
        if (_ended)
        {
            FailedAfterTheEnd(child);
            return;
        }

        try
        {
            OnChildFailed(child, cause);
            RefreshHealth();
        }
        catch (Exception e) when (_root is not null)
        {
            OnRootFailure(e);
        }
    }

    /// <summary>A child threw; Akka keeps it suspended until this supervisor decides.</summary>
    private void OnChildFailed(IActorRef child, Exception cause)
    {
        if (!_byRef.TryGetValue(child, out var record))
        {
            if (_dying.TryGetValue(child, out var id))
            {
                // Discarded, on its way out: its failure decides nothing, but the message it failed on is reported.
                if (!AkkaCell.IsSupervisor(child))
                {
                    SawFailureOf(child);
                    DropInFlight(child, id, "the child crashed on it while it was being stopped");
                }
            }
            else if (!OnStandInFailed(child, cause))
            {
                if (!AkkaCell.IsSupervisor(child))
                {
                    DropInFlight(child, child.Path.Name, "the child crashed on it when its supervisor no longer knew it");
                }

                Context.Stop(child);
            }

            return;
        }

        if (AkkaCell.FailedInstanceId(child) is var seen and not 0)
        {
            // This incarnation's failure reached its supervisor (not a late report of an older one, the cell recreated since).
            record.SeenFailureOf = seen;
        }

        if (_group is { } group)
        {
            if (group.StopsNow(record) && record.Lifecycle != ChildLifecycle.Stopping)
            {
                // A nested supervisor asked to stop its children crashed instead: its restart in place follows anyway.
                CoveredCrash(record, cause, resume: false);
                group.OnGone(record, crashed: true);
                return;
            }

            if (record.Lifecycle == ChildLifecycle.Held)
            {
                CoveredCrash(record, cause);
                return;
            }
        }

        switch (record.Lifecycle)
        {
            case ChildLifecycle.Starting when cause is not ActorInitializationException && !record.IsSuperviseSupervisor && _starting is { } start && start != _group && start.Awaits(record):
                // A new incarnation (not one restarted in place by a group, whose old instance may still report) whose init
                // returned (Akka wraps a failure of it in ActorInitializationException), and which crashed right after, its
                // answer to the handshake still on its way (a crash is handed over ahead of queued messages). As in OTP, it
                // has started, and this is a crash like any other.
                StartedThenCrashed(start, record, child, cause);
                return;
            case ChildLifecycle.Starting:
                _starting?.Fail(record, cause);
                return;
            case ChildLifecycle.Stopping:
                // It crashed while draining its mailbox before a graceful stop: stop it now; the message it crashed on is reported.
                DropInFlightOf(record, child, "the child crashed on it while it was being stopped");
                Context.Stop(child);
                return;
            case ChildLifecycle.Crashed:
                // A second report while the first waits to be handled (an old incarnation's crash, then its replacement's
                // failed start, around a group restart): one restart answers the first; this one is answered now, so that
                // every suspension Akka made for a failure is lifted exactly once.
                DropInFlightOf(record, child, "the child crashed on it while an earlier crash waited to be handled");
                ((IInternalActorRef)child).Resume(cause);
                return;
            case ChildLifecycle.ReplacedWhenGone:
                // Its actor is on its way out, and a group restart already starts it again once it is gone.
                DropInFlightOf(record, child, "the child crashed on it on its way out");
                return;
        }

        var failure = ReadInFlight(child, record, cause);
        if (record.Injected is not null)
        {
            failure = AsInjected(record, cause, failure); // a Kill the fault injector sent stands for the crash it injected
        }

        if (WatchedCrashRollsBack(record, failure))
        {
            return;
        }

        _core.Crash(record, failure);
        WatchedChildCrashed(record, cause);
    }

    /// <summary>
    /// A child being started crashed after its start returned: its start is confirmed first (OTP's start_child has answered),
    /// with the work queued meanwhile held, then the crash is handled as the child now is (Running; or Stopping, if a later
    /// child's failed start stops the supervisor), then the held work runs, as <see cref="OnTerminated"/> does for a child
    /// that stopped right after its start.
    /// </summary>
    private void StartedThenCrashed(IStartOperation<ChildRecord> start, ChildRecord record, IActorRef child, Exception cause)
    {
        ConfirmBeforeItsExit(start, record);
        if (record.Lifecycle != ChildLifecycle.Starting)
        {
            OnChildFailed(child, cause);
        }
        else
        {
            _starting?.Fail(record, cause); // not confirmed after all: a failed start, as before
        }

        _core.Drain();
    }

    /// <summary>
    /// Confirms the start of a child whose exit overtook its handshake's answer, holding the work queued meanwhile: its exit
    /// is handled next, then the held work runs (the caller drains), each in its place in line.
    /// </summary>
    private void ConfirmBeforeItsExit(IStartOperation<ChildRecord> start, ChildRecord record)
    {
        _core.HoldDrain = true;
        try
        {
            start.OnReady(record);
        }
        finally
        {
            _core.HoldDrain = false;
        }
    }

    void ISupervisorEffects<ChildRecord, PendingFailure>.ReportCrash(ChildRecord child, PendingFailure crash) => ReportCrash(child, crash, covered: false);

    /// <summary>A crash is logged and published, and its message in flight handled; <paramref name="covered"/> when a group restart under way covers it.</summary>
    private void ReportCrash(ChildRecord record, PendingFailure failure, bool covered)
    {
        if (_log.IsWarningEnabled)
        {
            _log.Warning(covered ? "Child {0} crashed while its group restart was under way (covered by it): {1}" : "Child {0} crashed: {1}", ChildPath(record), ChildStartException.Describe(failure.Cause));
        }

        record.LastFailure = failure.Cause;
        _events.Publish(new ChildCrashed(_path, _runtime.Now, record.Id, record.Ref!, failure.Cause));
        HandleInFlight(record, failure);
        _crashSpans.Push(SuperviseTracing.StartCrash(_path, record.Id, _spec is SupervisorSpec s ? s.Strategy : Strategy.OneForOne, failure.Cause));
        if (covered)
        {
            Outcome("covered by a group restart");
            EndCrashSpan();
        }
    }

    /// <summary>
    /// The spans of the crashes being decided (<see cref="SuperviseTracing"/>; null entries with no listener): one, unless
    /// a decision ends a group restart at once and the next crash in line is decided inside it. Ended last in, first out.
    /// </summary>
    private readonly Stack<Activity?> _crashSpans = new();

    private Activity? CrashSpan => _crashSpans.TryPeek(out var span) ? span : null;

    /// <summary>What came of the crash being decided, on its span: the first outcome stands (a give-up then stops children).</summary>
    private void Outcome(string outcome)
    {
        if (CrashSpan is { } span && span.GetTagItem("supervise.outcome") is null)
        {
            span.SetTag("supervise.outcome", outcome);
        }
    }

    private void EndCrashSpan()
    {
        if (_crashSpans.TryPop(out var span))
        {
            span?.Stop();
        }
    }

    /// <summary>This incarnation ends: a decision that threw leaves no span open.</summary>
    private void EndCrashSpans()
    {
        while (_crashSpans.Count > 0)
        {
            EndCrashSpan();
        }
    }

    void ISupervisorEffects<ChildRecord, PendingFailure>.CrashDecided(ChildRecord child) => EndCrashSpan();

    void ISupervisorEffects<ChildRecord, PendingFailure>.RestartCounted(ChildRecord child) => ReleaseReserved(child);

    void ISupervisorEffects<ChildRecord, PendingFailure>.TakenByBreaker(ChildRecord child) => ReleaseReserved(child);

    void ISupervisorEffects<ChildRecord, PendingFailure>.Discard(ChildRecord child)
    {
        Outcome("not restarted");
        Discard(child);
    }

    void ISupervisorEffects<ChildRecord, PendingFailure>.Remove(ChildRecord child)
    {
        Outcome("not restarted");
        RemoveChild(child);
    }

    void ISupervisorEffects<ChildRecord, PendingFailure>.OpenCircuit(ChildRecord child)
    {
        Outcome("circuit opened");
        OpenCircuit(child);
    }

    void ISupervisorEffects<ChildRecord, PendingFailure>.Isolate(ChildRecord child, ExitReason reason)
    {
        Outcome("isolated");
        Isolate(child, reason);
    }

    void ISupervisorEffects<ChildRecord, PendingFailure>.GiveUp(ChildRecord child, RestartVerdict verdict, ExitReason reason)
    {
        Outcome("gave up");
        GiveUp(child, verdict, reason);
    }

    void ISupervisorEffects<ChildRecord, PendingFailure>.RestartAfterBackoff(ChildRecord child, ExitReason reason, bool alive)
    {
        Outcome("restart delayed");
        DelayRestart(child, child.Policies.Backoff!, reason, alive);
    }

    void ISupervisorEffects<ChildRecord, PendingFailure>.AutoShutdown(ChildRecord exited, AutoShutdown mode)
    {
        Outcome("supervisor shut down");
        ShutDownAutomatically(exited, mode);
    }

    void ISupervisorEffects<ChildRecord, PendingFailure>.RestartOne(ChildRecord child, ExitReason reason, bool alive)
    {
        Outcome("restarted");
        RestartOne(child, CauseOf(child, reason), alive);
    }

    void ISupervisorEffects<ChildRecord, PendingFailure>.RestartGroup(ChildRecord failed, ExitReason reason, IReadOnlyList<ChildRecord> restart, IReadOnlyList<ChildRecord> remove)
    {
        Outcome("restarted with its group");
        var group = new GroupRestart<ChildRecord>(this, failed, CauseOf(failed, reason), restart, remove, _children);
        _group = group;
        _starting = group;
        group.Begin();
    }

    /// <summary>What a restart passes to Akka as its cause: the crash, or an exception that says how the child exited.</summary>
    private Exception CauseOf(ChildRecord child, ExitReason reason) => reason.Exception ?? new ChildExitedException(ChildPath(child), reason);

    /// <summary>Restarts one child: in place if its actor lives, else as a new incarnation.</summary>
    private void RestartOne(ChildRecord child, Exception cause, bool alive)
    {
        if (alive && child.Injected is not null && FailInjectedStart(child))
        {
            return;
        }

        if (alive)
        {
            ((IInternalActorRef)child.Ref!).Restart(cause);
            // Akka recreates it when it handles the restart, later: a settling tree waits for that (a
            // nested supervisor then counts its own start sequence).
            _runtime.Settle.AwaitHandled(child.Ref!);
            if (cause is ActorInitializationException)
            {
                // The last restart failed to start it: it counts as restarting until it answers.
                child.MoveTo(ChildLifecycle.RetryingInPlace);
                SendHandshake(child);
            }
            else
            {
                child.MoveTo(ChildLifecycle.Running);
            }
        }
        else if (!Recreate(child, child.Id))
        {
            return;
        }

        PublishRestarted(child, child.Id);
    }

    private void PublishRestarted(ChildRecord child, string triggeredBy)
    {
        child.Restarts++;
        _events.Publish(new ChildRestarted(_path, _runtime.Now, child.Id, child.Ref!, triggeredBy, _window.Count, _spec.Intensity, _spec.Period));
    }

    private void OnTerminated(IActorRef child)
    {
        if (_seenFailures.Count > 0)
        {
            _seenFailures.Remove(child); // empty unless a stand-in or a dying child failed: no lookup on every exit
        }

        if (OnStandInGone(child))
        {
            return;
        }

        if (_dying.Remove(child, out var name))
        {
            OnDyingGone(child, name);
            return;
        }

        if (!_byRef.Remove(child, out var record) || !child.Equals(record.Ref))
        {
            return;
        }

        // A worker that stops while it starts, with no failure reported, did start: a failed constructor or
        // PreStart is reported (ActorInitializationException) before its termination. It stopped right after
        // (it finished, or stopped itself in PreStart), and its termination, a system message, overtook its
        // handshake's answer. As in OTP, where start_child returns {ok, Pid} and the EXIT is handled after: the
        // start succeeds, then the exit is handled like any other, after the work queued before it.
        var startedAndGone = record.Lifecycle == ChildLifecycle.Starting && record.Spec.Supervisor is null && _starting is { } starting && starting.Awaits(record);
        if (startedAndGone)
        {
            ConfirmBeforeItsExit(_starting!, record);
        }

        var before = record.Lifecycle;
        record.Ref = null;
        record.MoveTo(ChildLifecycle.NotRunning);
        switch (before)
        {
            case ChildLifecycle.Stopping:
                _events.Publish(new ChildTerminated(_path, _runtime.Now, record.Id, ExitReason.Shutdown));
                _stopping?.OnGone(record);
                _group?.OnGone(record);
                return;
            case ChildLifecycle.Starting:
                _starting?.Fail(record, new InvalidOperationException($"Child '{ChildPath(record)}' stopped before it finished starting."));
                return;
        }

        var reason = record.AnnouncedExit ?? ExitReason.Normal;
        record.AnnouncedExit = null;
        _events.Publish(new ChildTerminated(_path, _runtime.Now, record.Id, reason));
        // A nested supervisor asked to stop its children for a group restart stopped instead: it is started again as a new incarnation.
        _group?.OnGone(record, crashed: true);
        if (_core.Phase == SupervisorPhase.Stopping)
        {
            // It left by itself before its turn to be stopped.
            _stopping?.OnGone(record);
        }
        else if (before == ChildLifecycle.ReplacedWhenGone)
        {
            // A restart already covered this exit: it was in a blast radius while its actor was terminating.
            if (Recreate(record, record.Id))
            {
                PublishRestarted(record, record.Id);
            }
        }
        else
        {
            _core.Exited(record, reason);
        }

        if (startedAndGone)
        {
            _core.Drain(); // what the start's end would have drained, with this exit in its place in line
        }
    }

    // A hint: if it is wrong (the child terminates right after), its Terminated is handled as an exit.
#pragma warning disable CS0618 // IsTerminated is obsolete as a basis for decisions; Terminated still follows.
    private static bool IsAlreadyTerminated(IActorRef child) => child is IInternalActorRef { IsTerminated: true };
#pragma warning restore CS0618

    /// <summary>
    /// Bridges Akka.NET's failure handling to the supervisor: every child failure is handed to the
    /// supervisor actor, which decides by OTP's rules (Akka's own retry counting is never used).
    /// </summary>
    private sealed class FailureHook : SupervisorStrategy
    {
        private readonly Action<IActorRef, Exception> _onFailure;
        private readonly Action<IActorRef> _onTerminated;

        public FailureHook(Action<IActorRef, Exception> onFailure, Action<IActorRef> onTerminated)
        {
            _onFailure = onFailure;
            _onTerminated = onTerminated;
        }

        public override IDecider Decider { get; } = Akka.Actor.Decider.From(Directive.Restart);

        protected override Directive Handle(IActorRef child, Exception exception) => Directive.Restart;

        public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause, ChildRestartStats stats, IReadOnlyCollection<ChildRestartStats> children) =>
            _onFailure(child, cause);

        /// <summary>
        /// Akka calls this while handling the child's death notification, a system message that overtakes
        /// user messages; the supervisor is told by a message to itself, which keeps it behind whatever the
        /// child sent before it stopped (its announced exit reason), as death watch's Terminated would.
        /// </summary>
        public override void HandleChildTerminated(IActorContext actorContext, IActorRef child, IEnumerable<IInternalActorRef> children)
        {
            // A supervisor that is itself terminating handles no more messages: the notice would be a dead letter.
            if (actorContext is ActorCell { ChildrenContainer.IsTerminating: true })
            {
                return;
            }

            _onTerminated(child);
        }

        public override ISurrogate ToSurrogate(ActorSystem system) =>
            throw new NotSupportedException("A Supervise strategy belongs to its local supervisor and is never serialized.");
    }
}
