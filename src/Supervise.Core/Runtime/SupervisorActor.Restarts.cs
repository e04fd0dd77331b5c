using Akka.Actor;
using Akka.Event;
using Supervise.Supervision;

namespace Supervise.Runtime;

/// <summary>Restarting a blast radius: one child in place, or a group in OTP's order (see <see cref="GroupRestart"/>).</summary>
internal sealed partial class SupervisorActor
{
    private GroupRestart? _group;

    private void RestartBlastRadius(ChildRecord failed, ExitReason reason, bool alive)
    {
        var cause = reason.Exception ?? new ChildExitedException(ChildPath(failed), reason);
        if (_spec is not SupervisorSpec { Strategy: not Strategy.OneForOne } spec)
        {
            // One-for-one and dynamic: only the failed child, and no list to build.
            RestartOne(failed, cause, alive);
            return;
        }

        var facts = new SiblingFacts[_children.Count];
        for (var i = 0; i < facts.Length; i++)
        {
            var c = _children[i];
            facts[i] = new SiblingFacts(c.Spec.Restart, c.Isolated || c.Circuit == CircuitState.Open);
        }

        var plan = GroupRestartPlan.Plan(spec.Strategy, _children.IndexOf(failed), facts);
        if (plan.Restart.Count == 1 && plan.Remove.Count == 0)
        {
            RestartOne(failed, cause, alive);
            return;
        }

        var group = new GroupRestart(this, failed, cause, plan.Restart.Select(i => _children[i]).ToList(), plan.Remove.Select(i => _children[i]).ToList(), _children);
        _group = group;
        _starting = group;
        group.Begin();
    }

    /// <summary>Restarts one child: in place if its actor lives, else as a new incarnation.</summary>
    private void RestartOne(ChildRecord child, Exception cause, bool alive)
    {
        if (alive && FailInjectedStart(child))
        {
            return;
        }

        if (alive)
        {
            child.PendingFailure = null;
            AkkaCell.Restart(child.Ref!, cause);
            // Akka recreates it when it handles the restart, later: a settling tree waits for that (a
            // nested supervisor then counts its own start sequence).
            _runtime.AwaitHandled(child.Ref!);
            if (cause is ActorInitializationException)
            {
                // The last restart failed to start it: it counts as restarting until it answers.
                child.RetryPending = true;
                SendHandshake(child);
            }
        }
        else if (!Recreate(child, child.Id))
        {
            return;
        }

        PublishRestarted(child, child.Id);
    }

    internal static bool HasChild(ChildRecord record) => !record.Removed;

    /// <summary>Holds a worker for a group restart: suspended (its mailbox keeps what it is sent) until restarted in place.</summary>
    internal static void Hold(ChildRecord record)
    {
        record.Held = true;
        record.HeldInstance = AkkaCell.Instance(record.Ref!);
        AkkaCell.Suspend(record.Ref!);
    }

    /// <summary>Asks a nested supervisor of a group restart to stop its children in reverse order, by their shutdown specs.</summary>
    internal void StopChildrenOf(ChildRecord record) => record.Ref!.Tell(new StopChildrenForRestart(), Self);

    /// <summary>Starts one child of a group restart again; true when its start must be confirmed before the next.</summary>
    internal bool RestartForGroup(ChildRecord record, ChildRecord failed, Exception cause)
    {
        if (record.Ref is { } child)
        {
            if (record != failed && IsAlreadyTerminated(child))
            {
                // Its actor is already gone; its Terminated is on the way. Start it then, as part of this restart.
                record.Held = false;
                record.RecreateWhenGone = true;
                return false;
            }

            if (record == failed && FailInjectedStart(record))
            {
                return false;
            }

            // A sibling that crashed too is restarted now: its own failure report is covered (OTP counts one restart).
            record.PendingFailure = null;
            record.Held = false;
            AkkaCell.Restart(child, cause);
            _runtime.AwaitHandled(child);
            record.State = ChildState.Starting;
            if (!record.IsSuperviseSupervisor)
            {
                SendHandshake(record);
            }
        }
        else if (!Recreate(record, failed.Id, handshake: true))
        {
            return false;
        }

        PublishRestarted(record, failed.Id);
        return true;
    }

    /// <summary>A child of a group restart answered: it runs again, and the next one may start.</summary>
    internal void ConfirmRestarted(ChildRecord record)
    {
        record.State = ChildState.Running;
        record.HasRun = true;
        record.HeldInstance = null;
        record.InGroupRestart = false;
        PointAddress(record);
    }

    /// <summary>
    /// A child held for a group restart reports a crash of its old instance: the restart covers it (OTP flushes such an
    /// exit), so it is not counted. Its message in flight is handled as for any crash; Akka's suspension for the
    /// failure is lifted (the hold keeps it suspended until its restart) unless a restart is on its way anyway.
    /// </summary>
    internal void CoveredCrash(ChildRecord record, Exception cause, bool resume = true)
    {
        var child = record.Ref!;
        var failure = ReadInFlight(child, record, cause);
        record.LastFailure = cause;
        _log.Warning("Child {0} crashed while its group restart was under way (covered by it): {1}", ChildPath(record), ChildStartException.Describe(cause));
        _runtime.Publish(new ChildCrashed(_path, _runtime.Now, record.Id, child, cause));
        if (failure.InFlight is { } message && !KeepInFlight(record, failure, message))
        {
            _runtime.Publish(new MessageDropped(_path, _runtime.Now, record.Id, message, "it was being handled when the child crashed"));
        }

        if (resume)
        {
            AkkaCell.Resume(child, cause);
        }
    }

    /// <summary>A child of a group restart failed to start, or crashed once started: its failure is handled after the group, counted.</summary>
    internal void FailAfterGroup(ChildRecord record, Exception cause)
    {
        record.HeldInstance = null;
        record.InGroupRestart = false;
        if (record.Ref is not { } child)
        {
            record.State = ChildState.NotRunning;
            var exit = new PendingExit(record, ExitReason.Crash(cause), record.Generation);
            record.QueuedExit = exit;
            _pending.Enqueue(exit);
            return;
        }

        record.State = ChildState.Running;
        record.PendingFailure = AsInjected(record, cause, ReadInFlight(child, record, cause));
        _pending.Enqueue(record);
    }

    internal void EndGroupRestart(GroupRestart group)
    {
        if (_group == group)
        {
            _group = null;
        }

        EndStartOperation(group);
        Drain();
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
    /// Starts a new incarnation (with a handshake, it counts as started only when it answers). If its name is still
    /// taken by an incarnation on its way out, it starts once that one is gone; a start that throws is retried as a
    /// crash (counted).
    /// </summary>
    private bool Recreate(ChildRecord record, string triggeredBy, bool handshake = false)
    {
        if (_dyingNames.Contains(record.Id))
        {
            record.RetryPending = true;
            _waitingForNames.Add(new DeferredRecreate(record, record.Generation, triggeredBy));
            return false;
        }

        try
        {
            Spawn(record, handshake);
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
