using Supervise.Supervision;
using Akka.Actor;
using Akka.Dispatch.SysMsg;
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
        // A fault aimed at an earlier incarnation never lands on this one.
        record.InjectedCrash = null;
        record.FailNextStart = null;
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
            // Identify is answered only after the constructor and PreStart have run without throwing.
            child.Tell(new Identify(record), Self);
        }
    }

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
        // The handshake's message id is the child's record; the answer must come from its current incarnation.
        if (identity.MessageId is not ChildRecord record || identity.Subject is null
            || !(ReferenceEquals(identity.Subject, record.Ref) || identity.Subject.Equals(record.Ref)))
        {
            return;
        }

        if (record.RetryPending)
        {
            record.RetryPending = false;
        }
        else if (_starting is { } starting && starting.Awaits(record))
        {
            starting.OnReady(record);
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
    private static PendingFailure ReadInFlight(IActorRef child, ChildRecord record, Exception cause)
    {
        if (record.IsSuperviseSupervisor || child is not ActorRefWithCell { Underlying: ActorCell cell }
            || cell.CurrentMessage is not { } message || message is IAutoReceivedMessage or ISystemMessage)
        {
            return new PendingFailure(cause, null);
        }

        return new PendingFailure(cause, message, cell.Sender);
    }

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
                return;
            case ChildState.Starting:
                _starting?.Fail(record, new InvalidOperationException($"Child '{ChildPath(record)}' stopped before it finished starting."));
                return;
        }

        var reason = record.AnnouncedExit ?? ExitReason.Normal;
        record.AnnouncedExit = null;
        _runtime.Publish(new ChildTerminated(_path, _runtime.Now, record.Id, reason));
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

    private void RestartBlastRadius(ChildRecord failed, ExitReason reason, bool alive)
    {
        var cause = reason.Exception ?? new ChildExitedException(ChildPath(failed), reason);
        if (_spec is not SupervisorSpec { Strategy: not Strategy.OneForOne })
        {
            // One-for-one and dynamic: only the failed child, and no list to build.
            RestartOne(failed, failed, cause, alive);
            return;
        }

        var index = _children.IndexOf(failed);
        var plan = GroupRestartPlan.Plan(((SupervisorSpec)_spec).Strategy, index, _children.Select(c => new SiblingFacts(c.Spec.Restart, c.Isolated || c.Circuit == CircuitState.Open)).ToList());
        var affected = plan.Restart.Select(i => _children[i]).ToList();
        // Temporary siblings are stopped by their shutdown specs, in reverse order, and removed; never restarted.
        var temporaries = plan.Remove.Select(i => _children[i]).ToList();
        var running = temporaries.Where(t => t.Ref is not null).Reverse().ToList();
        if (running.Count == 0)
        {
            temporaries.ForEach(RemoveChild);
            RestartInStartOrder(failed, affected, cause, alive);
            return;
        }

        _stopping = new StopSequence(this, running, concurrent: false, () =>
        {
            temporaries.ForEach(RemoveChild);
            RestartInStartOrder(failed, affected.Where(_children.Contains).ToList(), cause, failed.Ref is not null);
            Drain();
        });
        _stopping.Begin();
    }

    private void RestartInStartOrder(ChildRecord failed, List<ChildRecord> affected, Exception cause, bool alive)
    {
        foreach (var child in affected)
        {
            RestartOne(child, failed, cause, alive);
        }
    }

    /// <summary>Restarts one child of a blast radius: in place if its actor lives, else as a new incarnation.</summary>
    private void RestartOne(ChildRecord child, ChildRecord failed, Exception cause, bool alive)
    {
        var inPlace = child == failed ? alive : child.Ref is not null;
        if (inPlace && child != failed && IsAlreadyTerminated(child.Ref!))
        {
            // Its actor is already gone; its Terminated is on the way. Start it then, as part of this restart.
            child.RecreateWhenGone = true;
            return;
        }

        if (inPlace && child == failed && FailInjectedStart(child))
        {
            return;
        }

        if (inPlace)
        {
            var internalRef = (IInternalActorRef)child.Ref!;
            if (child != failed && child.PendingFailure is null)
            {
                internalRef.Suspend();
            }

            // A sibling that crashed too is restarted now; its own failure report is then stale.
            child.PendingFailure = null;
            internalRef.Restart(cause);
            // Akka recreates it when it handles the restart, later: a settling tree waits for that (a
            // nested supervisor then counts its own start sequence).
            _runtime.AwaitHandled(child.Ref!);
            if (child == failed && cause is ActorInitializationException)
            {
                // The last restart failed to start it: it counts as restarting until it answers.
                child.RetryPending = true;
                child.Ref!.Tell(new Identify(child), Self);
            }
        }
        else if (!Recreate(child, failed.Id))
        {
            return;
        }

        PublishRestarted(child, failed.Id);
    }

    // A hint: if it is wrong (the child terminates right after), its Terminated is handled as an exit.
#pragma warning disable CS0618 // IsTerminated is obsolete as a basis for decisions; Terminated still follows.
    private static bool IsAlreadyTerminated(IActorRef child) => child is IInternalActorRef { IsTerminated: true };
#pragma warning restore CS0618

    private void PublishRestarted(ChildRecord child, string triggeredBy)
    {
        child.Restarts++;
        _runtime.Publish(new ChildRestarted(_path, _runtime.Now, child.Id, child.Ref!, triggeredBy, _window.Count, _spec.Intensity, _spec.Period));
    }

    /// <summary>
    /// Starts a new incarnation without waiting. If its name is still taken by an incarnation on its way
    /// out, it starts once that one is gone; a start that throws is retried as a crash (counted).
    /// </summary>
    private bool Recreate(ChildRecord record, string triggeredBy)
    {
        if (_dyingNames.Contains(record.Id))
        {
            record.RetryPending = true;
            _waitingForNames.Add(new DeferredRecreate(record, record.Generation, triggeredBy));
            return false;
        }

        try
        {
            Spawn(record, handshake: false);
            return true;
        }
        catch (Exception e)
        {
            record.State = ChildState.NotRunning;
            record.Ref = null;
            record.RetryPending = true;
            _runtime.Publish(new ChildStartFailed(_path, _runtime.Now, record.Id, e));
            Self.Tell(new RetryRestart(record, e, record.Generation));
            return false;
        }
    }

    private sealed record DeferredRecreate(ChildRecord Record, int Generation, string TriggeredBy);
}
