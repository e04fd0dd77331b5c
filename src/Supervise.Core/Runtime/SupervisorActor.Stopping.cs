using Akka.Actor;
using Akka.Event;
using Supervise.Supervision;

namespace Supervise.Runtime;

/// <summary>Stopping children, giving up, and auto-shutdown.</summary>
internal sealed partial class SupervisorActor
{
    /// <summary>Stops every running child in reverse start order (all at once when dynamic), then <paramref name="then"/>.</summary>
    private void BeginStop(Action then)
    {
        _core.BeginStopping();
        FailPendingCalls("it is shutting down");
        _group?.Abort();
        _group = null;
        _starting = null;
        var order = Enumerable.Reverse(_children).ToList();
        _stopping = new StopSequence<ChildRecord>(this, order, concurrent: IsDynamic, then);
        _stopping.Begin();
    }

    void IStopEffects<ChildRecord>.RequestStop(ChildRecord child) => RequestStop(child);

    /// <summary>Asks a child to stop as its shutdown spec says; the sequence waits for it.</summary>
    internal void RequestStop(ChildRecord record)
    {
        var child = record.Ref!;
        var shutdown = record.Spec.EffectiveShutdown;
        // Suspended (by its crash, or held by a group restart), it cannot handle a stop request: stopped at once.
        var suspended = record.Lifecycle is ChildLifecycle.Crashed or ChildLifecycle.Held;
        record.MoveTo(ChildLifecycle.Stopping);
        // Its address stops sending to it before it is asked to stop: it handles what it already has, and what comes
        // after is reported dropped (or rejected, or buffered) here, never sent into a mailbox about to close. An address
        // a supervisor above parked (it is restarting) keeps holding or answering as parked.
        record.Address?.RerouteUnlessParked(RouteFor(record, ChildHealthOf(record)));
        // A timeout of zero leaves no time to stop gracefully (OTP: exit(shutdown), then kill after 0 ms).
        record.StopsGracefully = !(suspended || shutdown.Mode == ShutdownMode.BrutalKill || shutdown is { Mode: ShutdownMode.Timeout, TimeoutValue.Ticks: 0 });
        if (!record.StopsGracefully)
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

        if (shutdown is { Mode: ShutdownMode.Timeout, TimeoutValue.Ticks: > 0 })
        {
            record.StopTimer = _runtime.Schedule(Self, new StopTimedOut(child), shutdown.TimeoutValue);
        }

        _events.Publish(new ChildStopRequested(_path, _runtime.Now, record.Id, shutdown));
    }

    private void OnStopTimedOut(IActorRef child)
    {
        if (!_byRef.TryGetValue(child, out var record) || record.Lifecycle != ChildLifecycle.Stopping)
        {
            return;
        }

        // Force it; a child blocked in a handler cannot be interrupted, so it is no longer waited for.
        Discard(record);
        _abandoned.Add(child);
        _runtime.Counts.Abandoned();
        record.MoveTo(ChildLifecycle.NotRunning);
        var timeout = record.Spec.EffectiveShutdown.TimeoutValue;
        _events.Publish(new ChildTerminated(_path, _runtime.Now, record.Id, ExitReason.Failure($"killed: did not stop within its shutdown timeout of {timeout}")));
        _stopping?.OnGone(record);
        _group?.OnGone(record);
    }

    /// <summary>Stops the child's incarnation and stops tracking it; its name is free again once it is gone.</summary>
    private void Discard(ChildRecord record)
    {
        var child = record.Ref!;
        Forget(record);
        Context.Stop(child);
        if (record.IsSuperviseSupervisor)
        {
            // Its own stop may have pointed the addresses below it at "being stopped": it is gone now, and they say so.
            AddressesBelowAreDown(record);
        }
    }

    /// <summary>Stops tracking the child's incarnation, which is on its way out; its name stays taken until it is gone. The caller moves it to a state without one.</summary>
    private void Forget(ChildRecord record)
    {
        var child = record.Ref!;
        _byRef.Remove(child);
        _dying[child] = record.Id;
        _dyingNames.Add(record.Id);
        if (record.SeenFailureOf is var seen and not 0)
        {
            _seenFailures[child] = seen; // its failure was seen, and its message reported: not again as this supervisor ends
        }

        record.Ref = null;
    }

    private void GiveUp(ChildRecord record, RestartVerdict verdict, ExitReason reason)
    {
        var error = new RestartIntensityExceededException(_path, record.Id, verdict.CountInWindow, _spec.Intensity, _spec.Period, reason.Exception)
        {
            TraceContext = CrashSpan?.Context ?? default, // its parent's crash span links to this one
        };
        _log.Error(error, "Supervisor {0} gave up", _path);
        _events.Publish(new SupervisorGaveUp(_path, _runtime.Now, record.Id, verdict.CountInWindow, _spec.Intensity, _spec.Period, error));
        if (record.Ref is not null)
        {
            // The crashed child stays suspended: it is stopped at once, not asked.
            record.Crash(record.PendingFailure ?? new PendingFailure(error, null));
        }

        _stopReason = TreeStopReason.GaveUp;
        _stopError = error;
        BeginStop(() => FailToParent(error));
    }

    private void FailToParent(Exception error)
    {
        if (_root is null)
        {
            Self.Tell(new FailNow(error, this));
            return;
        }

        StopSelf(ExitReason.Failure(error.Message));
        if (_runtime.Options.OnRootGiveUp == RootGiveUp.TerminateActorSystem)
        {
            Context.System.Terminate();
        }
    }

    /// <summary>A significant child stopped for good and the core decided the supervisor shuts down (OTP's <c>auto_shutdown</c>).</summary>
    private void ShutDownAutomatically(ChildRecord exited, AutoShutdown mode)
    {
        _events.Publish(new SupervisorAutoShutdown(_path, _runtime.Now, exited.Id, mode));
        _stopReason = TreeStopReason.AutoShutdown;
        BeginStop(() => StopSelf(ExitReason.Shutdown));
    }

    /// <summary>
    /// The root supervisor threw (a bug). Its parent would restart it, and with it the whole tree; a
    /// tree whose root is broken is stopped in order instead, and reports why.
    /// </summary>
    private void OnRootFailure(Exception error)
    {
        _log.Error(error, "Supervisor {0} failed; stopping the tree", _path);
        _stopReason = TreeStopReason.Failed;
        _stopError = error;
        if (_core.Phase == SupervisorPhase.Stopping)
        {
            ReportTreeStopped();
            Depart();
            return;
        }

        BeginStop(() => StopSelf(ExitReason.Crash(error)));
    }

    private void ReportTreeStopped()
    {
        if (_root is null || _root.Stopped.Task.IsCompleted)
        {
            return;
        }

        _root.Started.TrySetException(new SupervisorUnavailableException(_path, "the tree stopped before it finished starting"));
        _events.Publish(new TreeShutdown(_path, _runtime.Now, _stopReason, _stopError));
        _root.Stopped.TrySetResult(new TreeOutcome(_stopReason, _stopError));
    }
}
