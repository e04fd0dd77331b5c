using System.Collections.Concurrent;
using Akka.Actor;
using Supervise.Runtime;

namespace Supervise.Chaos;

/// <summary>
/// Children an injected hang or delay holds (suspended: they handle no message) until the tree's clock says it is over,
/// or until the faults are lifted (the run ends, or the tree is asked to stop).
/// </summary>
internal sealed class InjectedHolds(TreeRuntime runtime)
{
    /// <summary>Children suspended by injected hangs and delays, by token, with the timer that resumes each.</summary>
    private readonly ConcurrentDictionary<object, (IActorRef Child, ITimer Timer)> _suspended = new(ReferenceEqualityComparer.Instance);

    private volatile IActorRef[] _held = [];

    /// <summary>Whether <paramref name="actor"/>, or an actor above it, is held by an injected hang or delay.</summary>
    public bool IsSuspended(IActorRef actor)
    {
        var held = _held;
        if (held.Length == 0)
        {
            return false;
        }

        // Up the actor's path (no string built: a chaos run asks this for every target on every tick). A held
        // actor that has terminated holds nothing: a new incarnation under its name runs.
        for (var path = actor.Path; path is ChildActorPath; path = path.Parent)
        {
            foreach (var h in held)
            {
                if (h.Path.Equals(path) && !AkkaCell.IsTerminated(h))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Suspends <paramref name="child"/> (it handles no message) for <paramref name="duration"/> on the tree's clock: an injected hang or delay.</summary>
    public void SuspendFor(IActorRef child, TimeSpan duration)
    {
        var token = new object();
        ((IInternalActorRef)child).Suspend();
        // Recorded before the timer is set (a timer due at once fires while it is being set), and kept
        // referenced here until it fires: one nobody holds may be collected before it does.
        var timer = runtime.Time.CreateTimer(t => Resume(t!), token, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        lock (_suspended)
        {
            _suspended[token] = (child, timer);
            UpdateHeld();
        }

        timer.Change(duration, Timeout.InfiniteTimeSpan);
    }

    /// <summary>
    /// Lifts every injected fault still in effect in the tree: hung and delayed children resume, pending
    /// drops and delays on addresses are cancelled. When a chaos run ends, and when the tree is asked to stop.
    /// </summary>
    public void LiftAll()
    {
        foreach (var token in _suspended.Keys)
        {
            Resume(token);
        }

        foreach (var (_, address) in runtime.Addresses.Under(""))
        {
            address.LiftInjected();
        }
    }

    /// <summary>The paths of the children held now, as a snapshot read without locking.</summary>
    private void UpdateHeld() => _held = _suspended.Values.Select(s => s.Child).ToArray();

    /// <summary>Resumes a child suspended by <see cref="SuspendFor"/>, once: whichever of its timer and a lift comes first.</summary>
    private void Resume(object token)
    {
        (IActorRef Child, ITimer Timer) suspended;
        lock (_suspended)
        {
            if (!_suspended.TryRemove(token, out suspended))
            {
                return;
            }

            UpdateHeld();
        }

        suspended.Timer.Dispose();
        // A child gone meanwhile is left alone: the system message would be a dead letter.
        if (suspended.Child is not ActorRefWithCell { Underlying: ActorCell { IsTerminated: true } })
        {
            ((IInternalActorRef)suspended.Child).Resume(null);
        }

        // What it was sent meanwhile is handled now: a settling tree waits for that.
        runtime.Settle.AwaitHandled(suspended.Child);
    }
}
