using Akka.Actor;
using Akka.Event;
using Supervise.Chaos;

namespace Supervise.Runtime;

/// <summary>
/// The message a crash takes with it: a child that throws was inside a handler, and that message is requeued or set aside by a
/// policy, or reported dropped (<see cref="MessageDropped"/>), never lost silently. That holds when the crash is decided, when it
/// never is (its child stopped first, or this supervisor gone), and when Akka holds its report back or drops it because this
/// supervisor itself failed and restarted (see <see cref="CrashHandover"/>).
/// </summary>
internal sealed partial class SupervisorActor
{
    private const string RestartedWhy = "the child crashed on it as its supervisor restarted";

    /// <summary>This incarnation has ended (its PreRestart ran): a child's failure that reaches it still is only reported.</summary>
    private bool _ended;

    /// <summary>Why a message a child crashed on as this incarnation ended is reported: it restarted, or it was stopped at once.</summary>
    private string _endedWhy = RestartedWhy;

    /// <summary>
    /// Stopped at once (<see cref="StopAtOnce"/>): its workers and stand-ins are suspended first, so that each handles at most
    /// the message it is inside now; once none is (<see cref="StopNowOnceStill"/>), what one crashed on is read while Akka still
    /// holds it, and only then does this supervisor stop, and Akka stop them. Stopped by Akka at once, a child that crashed just
    /// before would have its message cleared as it stopped, unreported. A failure Akka hands over meanwhile is reported as it comes.
    /// </summary>
    private void StopNow()
    {
        _endedWhy = "the child crashed on it as its supervisor was stopped";
        DropUndecided(_endedWhy, restarting: true); // its children are all still there
        _ended = true;
        // As in a restart: what is sent below from now on is held, answered or reported, never sent into a closing mailbox.
        ParkAddresses();
        foreach (var child in Context.GetChildren())
        {
            if (AkkaCell.IsSupervisor(child))
            {
                Context.Stop(child); // at once, as before: a nested supervisor reports what its own children crashed on
            }
            else
            {
                ((IInternalActorRef)child).Suspend();
            }
        }

        _stillRounds = 0;
        StopNowOnceStill();
    }

    /// <summary>Rounds waited so far for the suspended children to be still; -1 unless stopping at once.</summary>
    private int _stillRounds = -1;

    /// <summary>Cancels the looks still due once it has stopped (real time: a handler that runs long runs on the system's clock).</summary>
    private Cancelable? _stillTimer;

    /// <summary>Looks again after its own mailbox's turn, at once a few hundred times, then at each scheduler tick (a handler that runs long).</summary>
    private sealed record StopNowThen;


    /// <summary>
    /// Stopping at once, once its children are still: nothing else is done. A call is answered that it is unavailable, a
    /// health request with its snapshot, the fault injector that nothing is injected here; the rest goes to dead letters, as
    /// Akka would send it as it stops.
    /// </summary>
    private void WhileStoppingNow(object message)
    {
        switch (message)
        {
            case StopNowThen:
                StopNowOnceStill();
                break;
            case HandshakesAnswered:
                break; // no child starts any more
            case HealthRequest:
                Sender.Tell(Snapshot());
                break;
            case TargetsRequest:
                Sender.Tell(new List<FaultTarget>());
                break;
            case InjectFault fault:
                Sender.Tell(new FaultApplied(fault.Sequence, false, "its supervisor is being stopped"));
                break;
            case var call when IsCall(call):
                Sender.Tell(new Status.Failure(new SupervisorUnavailableException(_path, "it is being stopped")));
                break;
            default:
                Context.System.DeadLetters.Tell(new DeadLetter(message, Sender, Self));
                break;
        }
    }

    private void StopNowOnceStill()
    {
        foreach (var child in Context.GetChildren())
        {
            if (!AkkaCell.IsSupervisor(child) && !AkkaCell.IsStill(child))
            {
                // No bound: Akka would wait for a handler blocked for real as well before this supervisor ends (its nested
                // supervisors are stopped already, and calls get an answer meanwhile).
                if (++_stillRounds < 200)
                {
                    Self.Tell(new StopNowThen());
                }
                else
                {
                    _stillTimer ??= new Cancelable(Context.System.Scheduler);
#pragma warning disable AK1004 // cancelled in PostStop: one timer, for a supervisor's last moments only (no IWithTimers on every supervisor)
                    Context.System.Scheduler.ScheduleTellOnce(TimeSpan.FromMilliseconds(1), Self, new StopNowThen(), Self, _stillTimer);
#pragma warning restore AK1004
                }

                return;
            }
        }

        foreach (var child in Context.GetChildren())
        {
            if (AkkaCell.IsSupervisor(child))
            {
                continue;
            }

            // What the first look noted is done with: this look, with Akka still holding each failed child's message, decides.
            _handover.TakeFailed(child);
            var seen = _byRef.TryGetValue(child, out var record) ? record.SeenFailureOf : _seenFailures.GetValueOrDefault(child);
            if (!_reportedAtTheEnd.Contains(child) && AkkaCell.UnseenFailure(child, seen) is { } lost)
            {
                _reportedAtTheEnd.Add(child);
                _events.Publish(new MessageDropped(_path, _runtime.Now, IdOf(child), lost, _endedWhy));
            }
        }

        Context.Stop(Self);
    }

    /// <summary>
    /// Stops every child, then looks once more at what each is handling. Between the first look and its stop a child may have
    /// taken another message (a supervisor of a thousand children stops them one after another); once it is told to stop (a
    /// system message, handled before any next message), the one it handles now is its last, and the one it may crash on.
    /// </summary>
    private void StopChildrenAndLookAgain()
    {
        var children = Context.GetChildren().ToList();
        foreach (var child in children)
        {
            Context.Stop(child);
        }

        foreach (var child in children)
        {
            // Not a failure this supervisor saw (and reported) already, nor one reported at the first look.
            var seen = _byRef.TryGetValue(child, out var record) ? record.SeenFailureOf : _seenFailures.GetValueOrDefault(child);
            if (!AkkaCell.IsSupervisor(child) && !_reportedAtTheEnd.Contains(child) && (seen == 0 || AkkaCell.FailedInstanceId(child) != seen))
            {
                _handover.LeaveIfHandling(child, IdOf(child));
            }
        }
    }

    /// <summary>The children whose message was reported as this incarnation ended: a failure Akka hands over after is not reported again.</summary>
    private readonly HashSet<IActorRef> _reportedAtTheEnd = new(ChildRefComparer.Instance);

    /// <summary>A failure that decides nothing (the child is on its way out): the message it failed on, if any, is reported dropped.</summary>
    private void DropInFlightOf(ChildRecord record, IActorRef child, string why)
    {
        if (!record.IsSuperviseSupervisor)
        {
            DropInFlight(child, record.Id, why);
        }
    }

    private void DropInFlight(IActorRef child, string id, string why)
    {
        if (AkkaCell.InFlight(child) is var (message, _))
        {
            _events.Publish(new MessageDropped(_path, _runtime.Now, id, message, why));
        }
    }

    /// <summary>The message the crashed child was handling, kept by Akka until the child restarts.</summary>
    private static PendingFailure ReadInFlight(IActorRef child, ChildRecord record, Exception cause)
    {
        return !record.IsSuperviseSupervisor && AkkaCell.InFlight(child) is var (message, sender)
            ? new PendingFailure(cause, message, sender)
            : new PendingFailure(cause, null);
    }

    /// <summary>The message a crashed child was handling: requeued or set aside by a policy, else dropped and reported.</summary>
    private void HandleInFlight(ChildRecord record, PendingFailure failure)
    {
        if (failure.InFlight is not { } message || (record.Policies.RequeueAfter > 0 && KeepInFlight(record, failure, message)))
        {
            return;
        }

        ReportDropped(record, message, "it was being handled when the child crashed");
    }

    /// <summary>
    /// A crash that waited in line leaves without its decision (its child is stopped, or restarted with its group): the
    /// message it was handling is reported dropped. Not requeued: the child may be restarting on its own thread already, or
    /// its mailbox about to close.
    /// </summary>
    private void HandleUndecided(ChildRecord record, PendingFailure failure)
    {
        if (!record.IsSuperviseSupervisor && failure.InFlight is { } message)
        {
            ReportDropped(record, message, "the child crashed on it and was stopped or restarted before its crash was decided");
        }
    }

    /// <summary>
    /// This incarnation ends with crashes it never decided, whose messages are reported: a crash waiting in line and, when
    /// <paramref name="restarting"/> (its children still there), a failure Akka holds back because this supervisor has failed, and
    /// drops once it is recreated; a child inside a handler now is left to the next incarnation, which finds whether it crashed
    /// there (<see cref="CrashHandover"/>). Fallback stand-ins and children on their way out count too. A supervisor stopped for good
    /// cannot read the latter two: Akka clears a child's message as it stops it (see docs/concepts/supervision.md).
    /// </summary>
    private void DropUndecided(string why, bool restarting)
    {
        foreach (var record in _children)
        {
            if (record.IsSuperviseSupervisor)
            {
                continue;
            }

            if (record.TakeFailure() is { InFlight: { } message })
            {
                ReportDropped(record, message, why);
                if (record.Ref is { } failed)
                {
                    _reportedAtTheEnd.Add(failed);
                }
            }
            else if (restarting && record.Ref is { } child)
            {
                LeaveChild(child, record.Id, record.SeenFailureOf, record);
            }
        }

        if (!restarting)
        {
            return;
        }

        foreach (var (standIn, record) in _standIns)
        {
            LeaveChild(standIn, record.Id, _seenFailures.GetValueOrDefault(standIn), record: null);
        }

        foreach (var (child, id) in _dying)
        {
            if (!AkkaCell.IsSupervisor(child))
            {
                LeaveChild(child, id, _seenFailures.GetValueOrDefault(child), record: null);
            }
        }
    }

    /// <summary>
    /// A child failed after this incarnation ended (its PreRestart ran; Akka, stopping the children, still hands their failures to
    /// it): nothing is decided, as the child is on its way out, but the message it failed on is reported, once. The child may have
    /// cleared it already, stopping on its own thread: then the next incarnation reports it (<see cref="CrashHandover"/>).
    /// </summary>
    private void FailedAfterTheEnd(IActorRef child)
    {
        if (AkkaCell.IsSupervisor(child) || !_reportedAtTheEnd.Add(child))
        {
            return;
        }

        // The message it failed on, which Akka holds until it stops it; else (cleared, stopping) the one it was seen handling at the
        // last look after it was told to stop, its last.
        var noted = _handover.TakeFailed(child);
        var (id, message) = AkkaCell.InFlight(child) is var (failedOn, _) ? (IdOf(child), failedOn) : noted ?? default;
        if (message is not null)
        {
            _events.Publish(new MessageDropped(_path, _runtime.Now, id, message, _endedWhy));
        }
    }

    private string IdOf(IActorRef child) =>
        _byRef.TryGetValue(child, out var record) ? record.Id
        : _standIns.TryGetValue(child, out var of) ? of.Id
        : _dying.GetValueOrDefault(child) ?? child.Path.Name;

    /// <summary>As this incarnation restarts: a failure of <paramref name="child"/> it never saw is reported now; a message the child is inside a handler for is left to the next one.</summary>
    private void LeaveChild(IActorRef child, string id, int seenFailureOf, ChildRecord? record)
    {
        if (AkkaCell.UnseenFailure(child, seenFailureOf) is not { } lost)
        {
            if (seenFailureOf == 0 || AkkaCell.FailedInstanceId(child) != seenFailureOf)
            {
                _handover.LeaveIfHandling(child, id); // not a failure it saw (and reported) already
            }

            return;
        }

        // Akka hands this failure to the ended incarnation next (it held it back while this supervisor had failed): not again then.
        _reportedAtTheEnd.Add(child);
        if (record is not null)
        {
            ReportDropped(record, lost, _endedWhy);
        }
        else
        {
            _events.Publish(new MessageDropped(_path, _runtime.Now, id, lost, _endedWhy));
        }
    }

    /// <summary>
    /// A failure of a child without a record of its own (a stand-in, or one on its way out) was seen and its message reported: the
    /// instance that failed, so that a restart of this supervisor before the child's own restart or stop does not report it again.
    /// </summary>
    private void SawFailureOf(IActorRef child)
    {
        if (AkkaCell.FailedInstanceId(child) is var seen and not 0)
        {
            _seenFailures[child] = seen;
        }
    }

    /// <summary>The message a crashed child was handling is reported dropped (an injected poison is gone with it).</summary>
    private void ReportDropped(ChildRecord record, object message, string why)
    {
        if (message is InjectedPoison)
        {
            record.Injected = null; // the poison is gone with it
        }

        _events.Publish(new MessageDropped(_path, _runtime.Now, record.Id, message, why));
    }
}
