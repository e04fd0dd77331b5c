using Akka.Actor;
using Supervise.Supervision;

namespace Supervise.Runtime;

/// <summary>
/// What a settling tree in virtual time asks each supervisor (see <see cref="SettleBarrier"/>): whether nothing but the
/// clock can move it now. A stop that waits for a child held by an injected hang waits for the clock (the hang's end,
/// or the shutdown timeout), and is not work in motion, though it counts among the tree's work in progress.
/// </summary>
internal sealed partial class SupervisorActor
{
    /// <summary>The messages this incarnation has handled, progress queries not counted: two answers alike mean it did nothing between them.</summary>
    private long _handled;

    private void AnswerProgress()
    {
        var supervisors = new List<IActorRef>();
        // Stopping at once, it looks again at its children on the system's clock until they are still: not the tree's clock.
        var clockBound = _stillRounds < 0 && !AkkaCell.HasMail(Self) && !AwaitsAnEnd();
        foreach (var record in _children)
        {
            if (record.Ref is not { } child)
            {
                continue;
            }

            if (record.IsSuperviseSupervisor)
            {
                supervisors.Add(child);
            }

            clockBound &= !AkkaCell.IsTerminated(child) && record.Lifecycle switch
            {
                // A nested supervisor answers for itself; a worker confirms its start without the clock.
                // A worker held by an injected hang answers its start's handshake only once the clock moves.
                ChildLifecycle.Starting or ChildLifecycle.RetryingInPlace => record.IsSuperviseSupervisor || _runtime.Holds.IsSuspended(child),
                // Asked to stop gracefully, it stops when it handles the request: a held child only once the clock moves.
                ChildLifecycle.Stopping => record.StopsGracefully && (record.IsSuperviseSupervisor || _runtime.Holds.IsSuspended(child)),
                _ => true,
            };
        }

        Sender.Tell(new ProgressAnswer(_handled, clockBound, [.. supervisors]));
    }

    /// <summary>
    /// Whether an incarnation it no longer tracks is still ending: Akka stops it without the clock (a hung one too), and a
    /// restart may wait for its name. Not one whose end waits for a handler only its own code ends: it was abandoned inside
    /// one, or (a nested supervisor) an actor below it is inside one (Akka ends an actor after its children).
    /// </summary>
    private bool AwaitsAnEnd()
    {
        foreach (var child in _dying.Keys)
        {
            if (!(_abandoned.Contains(child) && AkkaCell.InHandler(child)) && !AkkaCell.HandlingBelow(child))
            {
                return true;
            }
        }

        return false;
    }
}
