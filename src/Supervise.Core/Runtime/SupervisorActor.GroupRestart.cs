using Akka.Actor;
using Supervise.Supervision;

namespace Supervise.Runtime;

/// <summary>Carrying out a group restart's steps (the sequence itself is <see cref="GroupRestart"/>).</summary>
internal sealed partial class SupervisorActor
{
    private GroupRestart<ChildRecord>? _group;

    /// <summary>Holds a worker for a group restart: suspended (its mailbox keeps what it is sent) until restarted in place. Returns the instance held.</summary>
    object? IGroupRestartEffects<ChildRecord>.Hold(ChildRecord record)
    {
        var instance = AkkaCell.Instance(record.Ref!);
        record.MoveTo(ChildLifecycle.Held);
        ((IInternalActorRef)record.Ref!).Suspend();
        return instance;
    }

    /// <summary>Asks a nested supervisor of a group restart to stop its children in reverse order, by their shutdown specs.</summary>
    void IGroupRestartEffects<ChildRecord>.StopChildrenOf(ChildRecord record) => record.Ref!.Tell(new StopChildrenForRestart(_runtime.NextEpoch()), Self);

    void IGroupRestartEffects<ChildRecord>.RequestStop(ChildRecord child) => RequestStop(child);

    void IGroupRestartEffects<ChildRecord>.Remove(ChildRecord child) => RemoveChild(child);

    /// <summary>A start failure is never the held instance's; a crash is, if Akka has not recreated the child since it was held.</summary>
    bool IGroupRestartEffects<ChildRecord>.IsFailureOf(ChildRecord child, object held, Exception cause) =>
        cause is not ActorInitializationException && child.Ref is { } actor && AkkaCell.IsStaleFailure(actor, held);

    void IGroupRestartEffects<ChildRecord>.CoveredCrash(ChildRecord child, Exception cause) => CoveredCrash(child, cause);

    void IGroupRestartEffects<ChildRecord>.GroupRestartEnded(object group) => EndGroupRestart(group);

    /// <summary>Starts one child of a group restart again; true when its start must be confirmed before the next.</summary>
    bool IGroupRestartEffects<ChildRecord>.RestartInGroup(ChildRecord record, ChildRecord failed, Exception cause)
    {
        if (record.Ref is { } child)
        {
            if (record != failed && IsAlreadyTerminated(child))
            {
                // Its actor is already gone; its Terminated is on the way. Start it then, as part of this restart.
                record.MoveTo(ChildLifecycle.ReplacedWhenGone);
                return false;
            }

            if (record == failed && FailInjectedStart(record))
            {
                return false;
            }

            // A sibling that crashed too is restarted now: its own failure report is covered (OTP counts one restart).
            ((IInternalActorRef)child).Restart(cause);
            _runtime.Settle.AwaitHandled(child);
            record.MoveTo(ChildLifecycle.Starting);
            if (!record.IsSuperviseSupervisor)
            {
                SendHandshake(record);
            }
            else if (record.ConfirmLater)
            {
                // A child of it is blocked past its shutdown timeout, and Akka recreates it only once that one is gone:
                // the group does not wait for it (it reports its own health until it has started again).
                record.ConfirmLater = false;
                record.MoveTo(ChildLifecycle.Running);
                PublishRestarted(record, failed.Id);
                return false;
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
    void IGroupRestartEffects<ChildRecord>.ConfirmRestarted(ChildRecord record)
    {
        record.MoveTo(ChildLifecycle.Running);
        record.HasRun = true;
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
        ReleaseAllReserved(record); // its fault landed, and its restart is the group's, counted for the crash that began it
        ReportCrash(record, ReadInFlight(child, record, cause), covered: true);
        if (resume)
        {
            ((IInternalActorRef)child).Resume(cause);
        }
    }

    /// <summary>A child of a group restart failed to start, or crashed once started: its failure is handled after the group, counted.</summary>
    void IGroupRestartEffects<ChildRecord>.FailAfterGroup(ChildRecord record, Exception cause)
    {
        if (record.Ref is not { } child)
        {
            _core.QueueExit(record, ExitReason.Crash(cause));
            return;
        }

        _core.QueueCrash(record, AsInjected(record, cause, ReadInFlight(child, record, cause)));
    }

    private void EndGroupRestart(object group)
    {
        if (_group == group)
        {
            _group = null;
        }

        EndStartOperation(group);
        _core.Drain();
    }
}
