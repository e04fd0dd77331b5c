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
            : record.Spec.Start!();
        var child = Context.ActorOf(props, record.Id);
        Context.Watch(child);
        record.Ref = child;
        record.AnnouncedExit = null;
        record.PendingFailure = null;
        _byRef[child] = record;
        if (!handshake)
        {
            record.State = ChildState.Running;
            return;
        }

        record.State = ChildState.Starting;
        if (!record.IsSuperviseSupervisor)
        {
            // Identify is answered only after the constructor and PreStart have run without throwing.
            record.HandshakeId = ++_nextHandshake;
            child.Tell(new Identify(record.HandshakeId), Self);
        }
    }

    internal void MarkStarted(ChildRecord record)
    {
        record.State = ChildState.Running;
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
        if (identity.Subject is not null && _byRef.TryGetValue(identity.Subject, out var retried)
            && retried.RetryPending && identity.MessageId is long retryId && retryId == retried.HandshakeId)
        {
            retried.RetryPending = false;
            return;
        }

        if (_starting?.Current is { State: ChildState.Starting } record
            && identity.MessageId is long id && id == record.HandshakeId
            && identity.Subject is not null && identity.Subject.Equals(record.Ref))
        {
            _starting.OnReady(record);
        }
    }

    private void OnChildSupervisorReady(IActorRef child)
    {
        if (_starting?.Current is { State: ChildState.Starting } record && child.Equals(record.Ref))
        {
            _starting.OnReady(record);
        }
    }

    /// <summary>Called by Akka (through <see cref="SuperviseStrategy"/>) when a child throws; the child is suspended.</summary>
    private void OnChildFailed(IActorRef child, Exception cause)
    {
        if (!_byRef.TryGetValue(child, out var record))
        {
            if (!_dying.ContainsKey(child))
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

        var failure = new PendingFailure(cause, ReadInFlight(child, record));
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
    private static object? ReadInFlight(IActorRef child, ChildRecord record)
    {
        if (record.IsSuperviseSupervisor || child is not ActorRefWithCell { Underlying: ActorCell cell })
        {
            return null;
        }

        return cell.CurrentMessage is { } message and not IAutoReceivedMessage and not ISystemMessage ? message : null;
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
        if (_dying.Remove(child, out var name))
        {
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

            return;
        }

        if (!_byRef.Remove(child, out var record) || !child.Equals(record.Ref))
        {
            return;
        }

        record.StopTimer?.Dispose();
        record.StopTimer = null;
        record.Ref = null;
        record.PendingFailure = null;
        switch (record.State)
        {
            case ChildState.Stopping:
                record.State = ChildState.NotRunning;
                _runtime.Publish(new ChildTerminated(_path, _runtime.Now, record.Id, ExitReason.Shutdown));
                _stopping?.OnGone(record);
                return;
            case ChildState.Starting:
                _starting?.Fail(record, new InvalidOperationException($"Child '{ChildPath(record)}' stopped before it finished starting."));
                return;
        }

        record.State = ChildState.NotRunning;
        var reason = record.AnnouncedExit ?? ExitReason.Normal;
        record.AnnouncedExit = null;
        if (CanProcessNow)
        {
            HandleExit(record, reason, alive: false);
        }
        else if (_phase != Phase.Stopping)
        {
            _pending.Enqueue(new PendingExit(record, reason));
        }
    }

    private void HandleCrash(ChildRecord record, PendingFailure failure)
    {
        _log.Warning("Child {0} crashed: {1}", ChildPath(record), ChildStartException.Describe(failure.Cause));
        _runtime.Publish(new ChildCrashed(_path, _runtime.Now, record.Id, record.Ref!, failure.Cause));
        if (failure.InFlight is { } message)
        {
            _runtime.Publish(new MessageDropped(_path, _runtime.Now, record.Id, message, "it was being handled when the child crashed"));
        }

        HandleExit(record, ExitReason.Crash(failure.Cause), alive: true);
    }

    /// <summary>OTP's exit handling: restart by type, count in the window, restart the blast radius or give up.</summary>
    private void HandleExit(ChildRecord record, ExitReason reason, bool alive)
    {
        if (!alive)
        {
            _runtime.Publish(new ChildTerminated(_path, _runtime.Now, record.Id, reason));
        }

        if (!RestartRules.ShouldRestart(record.Spec.Restart, reason))
        {
            if (alive)
            {
                Discard(record);
            }

            record.State = ChildState.NotRunning;
            if (record.Spec.Restart == RestartType.Temporary || IsDynamic)
            {
                _children.Remove(record);
            }

            if (record.Spec.Significant)
            {
                CheckAutoShutdown(record);
            }

            return;
        }

        var verdict = _window.Record(_runtime.Elapsed);
        if (verdict.Exceeded)
        {
            GiveUp(record, verdict, reason);
            return;
        }

        RestartBlastRadius(record, reason, alive, verdict);
    }

    private void RestartBlastRadius(ChildRecord failed, ExitReason reason, bool alive, RestartVerdict verdict)
    {
        var index = _children.IndexOf(failed);
        var range = _spec is SupervisorSpec s
            ? RestartRules.BlastRadius(s.Strategy, index, _children.Count)
            : index..(index + 1);
        var (offset, length) = range.GetOffsetAndLength(_children.Count);
        var affected = _children.GetRange(offset, length);
        var cause = reason.Exception ?? new ChildExitedException(ChildPath(failed), reason);

        // Temporary siblings are stopped and removed, never restarted; in reverse start order.
        for (var i = affected.Count - 1; i >= 0; i--)
        {
            var sibling = affected[i];
            if (sibling != failed && sibling.Spec.Restart == RestartType.Temporary)
            {
                if (sibling.Ref is not null)
                {
                    Discard(sibling);
                    _runtime.Publish(new ChildTerminated(_path, _runtime.Now, sibling.Id, ExitReason.Shutdown));
                }

                _children.Remove(sibling);
                affected.RemoveAt(i);
            }
        }

        foreach (var child in affected)
        {
            if (child == failed ? alive : child.Ref is not null)
            {
                var internalRef = (IInternalActorRef)child.Ref!;
                if (child != failed && child.PendingFailure is null)
                {
                    internalRef.Suspend();
                }

                // A sibling that crashed too is restarted now; its own failure report is then stale.
                child.PendingFailure = null;
                internalRef.Restart(cause);
                if (child == failed && cause is ActorInitializationException)
                {
                    // The last restart failed to start it: it counts as restarting until it answers.
                    child.RetryPending = true;
                    child.HandshakeId = ++_nextHandshake;
                    child.Ref!.Tell(new Identify(child.HandshakeId), Self);
                }
            }
            else if (!Recreate(child))
            {
                continue;
            }

            _runtime.Publish(new ChildRestarted(_path, _runtime.Now, child.Id, child.Ref!, failed.Id, verdict.CountInWindow, _spec.Intensity, _spec.Period));
        }
    }

    /// <summary>Starts a new incarnation without waiting; a start that throws is retried as a crash (counted).</summary>
    private bool Recreate(ChildRecord record)
    {
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
            Self.Tell(new RetryRestart(record, e));
            return false;
        }
    }

    private void GiveUp(ChildRecord record, RestartVerdict verdict, ExitReason reason)
    {
        var error = new RestartIntensityExceededException(_path, record.Id, verdict.CountInWindow, _spec.Intensity, _spec.Period, reason.Exception);
        _log.Error(error, "Supervisor {0} gave up", _path);
        _runtime.Publish(new SupervisorGaveUp(_path, _runtime.Now, record.Id, verdict.CountInWindow, _spec.Intensity, _spec.Period, error));
        if (record.Ref is not null)
        {
            // The crashed child is suspended: it is stopped at once, not asked.
            record.PendingFailure ??= new PendingFailure(error, null);
        }

        _stopReason = TreeStopReason.GaveUp;
        _stopError = error;
        BeginStop(() => FailToParent(error));
    }

    private void FailToParent(Exception error)
    {
        if (_root is null)
        {
            Self.Tell(new FailNow(error));
            return;
        }

        StopSelf(ExitReason.Failure(error.Message));
        if (_runtime.Options.OnRootGiveUp == RootGiveUp.TerminateActorSystem)
        {
            Context.System.Terminate();
        }
    }

    private void CheckAutoShutdown(ChildRecord exited)
    {
        var mode = (_spec as SupervisorSpec)?.AutoShutdown ?? AutoShutdown.Never;
        var shutDown = mode switch
        {
            AutoShutdown.AnySignificant => true,
            AutoShutdown.AllSignificant => _children.Where(c => c.Spec.Significant).All(c => c.Ref is null),
            _ => false,
        };
        if (!shutDown)
        {
            return;
        }

        _runtime.Publish(new SupervisorAutoShutdown(_path, _runtime.Now, exited.Id, mode));
        _stopReason = TreeStopReason.AutoShutdown;
        BeginStop(() => StopSelf(ExitReason.Shutdown));
    }

    /// <summary>Asks a child to stop as its shutdown spec says; the sequence waits for it.</summary>
    internal void RequestStop(ChildRecord record)
    {
        var child = record.Ref!;
        var shutdown = record.Spec.EffectiveShutdown;
        record.State = ChildState.Stopping;
        if (record.PendingFailure is not null || shutdown.Mode == ShutdownMode.BrutalKill)
        {
            Context.Stop(child);
        }
        else if (record.IsSuperviseSupervisor)
        {
            child.Tell(new ShutdownRequest(), Self);
        }
        else
        {
            // Graceful: the child handles what is already queued, then stops.
            child.Tell(PoisonPill.Instance, Self);
        }

        if (shutdown.Mode == ShutdownMode.Timeout)
        {
            record.StopTimer = _runtime.Schedule(Self, new StopTimedOut(child), shutdown.TimeoutValue);
        }

        _runtime.Publish(new ChildStopRequested(_path, _runtime.Now, record.Id, shutdown));
    }

    private void OnStopTimedOut(IActorRef child)
    {
        if (!_byRef.TryGetValue(child, out var record) || record.State != ChildState.Stopping)
        {
            return;
        }

        // Force it; a child blocked in a handler cannot be interrupted, so it is no longer waited for.
        record.StopTimer?.Dispose();
        record.StopTimer = null;
        Discard(record);
        _runtime.AbandonedChildren = true;
        record.State = ChildState.NotRunning;
        var timeout = record.Spec.EffectiveShutdown.TimeoutValue;
        _runtime.Publish(new ChildTerminated(_path, _runtime.Now, record.Id, ExitReason.Failure($"killed: did not stop within its shutdown timeout of {timeout}")));
        _stopping?.OnGone(record);
    }

    /// <summary>Stops the child's incarnation and stops tracking it; its name is free again once it is gone.</summary>
    private void Discard(ChildRecord record)
    {
        var child = record.Ref!;
        Forget(record);
        Context.Stop(child);
    }

    /// <summary>Stops tracking the child's incarnation, which is on its way out; its name stays taken until it is gone.</summary>
    private void Forget(ChildRecord record)
    {
        var child = record.Ref!;
        _byRef.Remove(child);
        _dying[child] = record.Id;
        _dyingNames.Add(record.Id);
        record.Ref = null;
        record.PendingFailure = null;
    }
}
