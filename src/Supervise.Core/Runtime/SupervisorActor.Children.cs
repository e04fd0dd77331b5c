using Supervise.Supervision;
using Akka.Actor;
using Akka.Event;

namespace Supervise.Runtime;

/// <summary>Starting, watching and restarting children.</summary>
internal sealed partial class SupervisorActor
{
    /// <summary>Creates a new incarnation of <paramref name="record"/>; with a handshake, it counts as started only when it answers.</summary>
    internal void Spawn(ChildRecord record, bool handshake)
    {
        var props = record.Spec.Supervisor is { } nested
            ? SupervisorProducer.Props(nested, _runtime, ChildPath(record), root: null)
            : WithPolicyMailbox(record, record.MakeProps());
        // No death watch: Akka tells a parent when a child terminates (see SuperviseStrategy).
        var child = Context.ActorOf(props, record.Id);
        record.Ref = child;
        record.Generation++;
        record.AnnouncedExit = null;
        record.PendingFailure = null;
        record.RetryPending = false;
        record.RecreateWhenGone = false;
        record.Isolated = false;
        record.Held = false;
        record.HeldInstance = null;
        // A fault aimed at an earlier incarnation never lands on this one.
        record.Injected = null;
        if (record.Circuit == CircuitState.Open)
        {
            // Started again by hand while open: the breaker starts afresh.
            record.PolicyTimer?.Dispose();
            record.PolicyTimer = null;
            record.Breaker!.Reset();
        }

        _byRef[child] = record;
        if (!handshake)
        {
            record.State = ChildState.Running;
            record.HasRun = true;
            return;
        }

        record.State = ChildState.Starting;
        if (!record.IsSuperviseSupervisor)
        {
            SendHandshake(record);
        }
    }

    /// <summary>Identify is answered only after the constructor and PreStart have run without throwing (and, in place, after what was queued before it).</summary>
    private void SendHandshake(ChildRecord record) => record.Ref!.Tell(new Identify(new Handshake(record, ++record.Handshakes)), Self);

    internal void MarkStarted(ChildRecord record)
    {
        record.State = ChildState.Running;
        record.HasRun = true;
        PointAddress(record);
        _runtime.Publish(new ChildStarted(_path, _runtime.Now, record.Id, record.Ref!));
    }

    /// <summary>Forgets a child whose start failed, stopping whatever is left of it.</summary>
    internal void AbandonFailedStart(ChildRecord record, Exception cause)
    {
        if (record.Ref is not null)
        {
            Discard(record);
        }

        record.State = ChildState.NotRunning;
        _runtime.Publish(new ChildStartFailed(_path, _runtime.Now, record.Id, cause));
    }

    private void OnIdentity(ActorIdentity identity)
    {
        // The answer must be to the child's latest handshake, from its current incarnation.
        if (identity.MessageId is not Handshake { Record: var record } handshake || handshake.Number != record.Handshakes || identity.Subject is null
            || !(ReferenceEquals(identity.Subject, record.Ref) || identity.Subject.Equals(record.Ref)))
        {
            return;
        }

        if (_starting is { } starting && starting.Awaits(record))
        {
            record.RetryPending = false;
            starting.OnReady(record);
        }
        else if (record.RetryPending)
        {
            record.RetryPending = false;
        }
    }

    private void OnChildSupervisorReady(IActorRef child)
    {
        if (_byRef.TryGetValue(child, out var record) && _starting is { } starting && starting.Awaits(record))
        {
            starting.OnReady(record);
        }
    }

    /// <summary>A child threw; Akka keeps it suspended until this supervisor decides.</summary>
    private void OnChildFailed(IActorRef child, Exception cause)
    {
        if (!_byRef.TryGetValue(child, out var record))
        {
            if (!_dying.ContainsKey(child) && !OnStandInFailed(child, cause))
            {
                Context.Stop(child);
            }

            return;
        }

        if (_group is { } group)
        {
            if (group.StopsNow(record))
            {
                // A nested supervisor asked to stop its children crashed instead: its restart in place follows anyway.
                CoveredCrash(record, cause, resume: false);
                group.OnGone(record, crashed: true);
                return;
            }

            if (group.Holds(record))
            {
                CoveredCrash(record, cause);
                return;
            }
        }

        switch (record.State)
        {
            case ChildState.Starting:
                _starting?.Fail(record, cause);
                return;
            case ChildState.Stopping:
                // It crashed while draining its mailbox before a graceful stop: stop it now.
                Context.Stop(child);
                return;
        }

        var failure = AsInjected(record, cause, ReadInFlight(child, record, cause));
        if (CanProcessNow)
        {
            HandleCrash(record, failure);
        }
        else
        {
            record.PendingFailure = failure;
            _pending.Enqueue(record);
        }
    }

    /// <summary>The message the crashed child was handling, kept by Akka until the child restarts.</summary>
    private static PendingFailure ReadInFlight(IActorRef child, ChildRecord record, Exception cause) =>
        !record.IsSuperviseSupervisor && AkkaCell.InFlight(child) is { } inFlight
            ? new PendingFailure(cause, inFlight.Message, inFlight.Sender)
            : new PendingFailure(cause, null);

    /// <summary>
    /// A child announced why it stops. A nested supervisor announces it once its own children are
    /// stopped; if this supervisor is stopping it, it counts as gone from then on.
    /// </summary>
    private void OnChildExiting(IActorRef child, ExitReason reason)
    {
        if (!_byRef.TryGetValue(child, out var record))
        {
            return;
        }

        if (record.State == ChildState.Stopping && record.IsSuperviseSupervisor)
        {
            record.StopTimer?.Dispose();
            record.StopTimer = null;
            Forget(record);
            record.State = ChildState.NotRunning;
            _runtime.Publish(new ChildTerminated(_path, _runtime.Now, record.Id, ExitReason.Shutdown));
            _stopping?.OnGone(record);
            _group?.OnGone(record);
            return;
        }

        record.AnnouncedExit = reason;
    }

    private void OnTerminated(IActorRef child)
    {
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
        var startedAndGone = record.State == ChildState.Starting && record.Spec.Supervisor is null && _starting is { } starting && starting.Awaits(record);
        if (startedAndGone)
        {
            _holdDrain = true;
            try
            {
                _starting!.OnReady(record);
            }
            finally
            {
                _holdDrain = false;
            }
        }

        record.StopTimer?.Dispose();
        record.StopTimer = null;
        record.Ref = null;
        record.PendingFailure = null;
        record.RetryPending = false;
        var stateBefore = record.State;
        record.State = ChildState.NotRunning;
        switch (stateBefore)
        {
            case ChildState.Stopping:
                _runtime.Publish(new ChildTerminated(_path, _runtime.Now, record.Id, ExitReason.Shutdown));
                _stopping?.OnGone(record);
                _group?.OnGone(record);
                return;
            case ChildState.Starting:
                _starting?.Fail(record, new InvalidOperationException($"Child '{ChildPath(record)}' stopped before it finished starting."));
                return;
        }

        var reason = record.AnnouncedExit ?? ExitReason.Normal;
        record.AnnouncedExit = null;
        _runtime.Publish(new ChildTerminated(_path, _runtime.Now, record.Id, reason));
        // A nested supervisor asked to stop its children for a group restart stopped instead: it is started again as a new incarnation.
        _group?.OnGone(record, crashed: true);
        if (_phase == Phase.Stopping)
        {
            // It left by itself before its turn to be stopped.
            _stopping?.OnGone(record);
        }
        else if (record.RecreateWhenGone)
        {
            // A restart already covered this exit: it was in a blast radius while its actor was terminating.
            if (Recreate(record, record.Id))
            {
                PublishRestarted(record, record.Id);
            }
        }
        else if (CanProcessNow)
        {
            HandleExit(record, reason, alive: false);
        }
        else
        {
            var exit = new PendingExit(record, reason, record.Generation);
            record.QueuedExit = exit;
            _pending.Enqueue(exit);
        }

        if (startedAndGone)
        {
            Drain(); // what the start's end would have drained, with this exit in its place in line
        }
    }

    /// <summary>An incarnation that was no longer tracked is gone: its name is free again.</summary>
    private void OnDyingGone(IActorRef child, string name)
    {
        if (_abandoned.Remove(child))
        {
            _runtime.AbandonedGone();
        }

        if (_dying.ContainsValue(name))
        {
            return;
        }

        _dyingNames.Remove(name);
        if (_waitingForNames.Count > 0)
        {
            foreach (var waiting in _waitingForNames)
            {
                _pending.Enqueue(waiting);
            }

            _waitingForNames.Clear();
            Drain();
        }
    }

    private void HandleCrash(ChildRecord record, PendingFailure failure)
    {
        if (_log.IsWarningEnabled)
        {
            _log.Warning("Child {0} crashed: {1}", ChildPath(record), ChildStartException.Describe(failure.Cause));
        }

        record.LastFailure = failure.Cause;
        _runtime.Publish(new ChildCrashed(_path, _runtime.Now, record.Id, record.Ref!, failure.Cause));
        if (failure.InFlight is { } message && !KeepInFlight(record, failure, message))
        {
            _runtime.Publish(new MessageDropped(_path, _runtime.Now, record.Id, message, "it was being handled when the child crashed"));
        }

        HandleExit(record, ExitReason.Crash(failure.Cause), alive: true);
    }

    /// <summary>OTP's exit handling: restart by type, count in the window, restart the blast radius or give up.</summary>
    private void HandleExit(ChildRecord record, ExitReason reason, bool alive)
    {
        if (record.QueuedExit is not null)
        {
            record.QueuedExit = null;
        }

        var facts = new ExitFacts(record.Spec.Restart, reason, IsDynamic, record.Spec.Significant, record.Policies.Isolate, record.Policies.Backoff is not null);
        var decision = ExitRule.Decide(facts, _window, record.Breaker, record, _runtime.Elapsed);
        if (decision.Verdict.CountInWindow > 0)
        {
            RestartCounted();
        }

        switch (decision.Outcome)
        {
            case ExitOutcome.Leave or ExitOutcome.Remove:
                if (alive)
                {
                    Discard(record);
                }

                record.State = ChildState.NotRunning;
                if (decision.Outcome == ExitOutcome.Remove)
                {
                    RemoveChild(record);
                }

                if (decision.CheckAutoShutdown)
                {
                    CheckAutoShutdown(record);
                }

                break;
            case ExitOutcome.OpenCircuit:
                OpenCircuit(record);
                break;
            case ExitOutcome.Isolate:
                Isolate(record, reason);
                break;
            case ExitOutcome.GiveUp:
                GiveUp(record, decision.Verdict, reason);
                break;
            case ExitOutcome.RestartAfterBackoff:
                DelayRestart(record, record.Policies.Backoff!, reason, alive);
                break;
            default:
                RestartBlastRadius(record, reason, alive);
                break;
        }
    }
}
