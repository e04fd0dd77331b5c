using System.Collections.Concurrent;
using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>
/// How a tree in virtual time knows it has done all it can at this instant: every actor a timer told something has
/// handled it, every observer (a chaos run) has caught up with the events, and nothing is in progress. What a test or a
/// chaos run waits on before it moves the clock, so that what happens does not depend on the machine's speed.
/// </summary>
internal sealed class SettleBarrier(TreeRuntime runtime)
{
    /// <summary>
    /// On a clock other than the system's: the actors a timer has told something since the last
    /// <see cref="CatchUpAsync"/> (or that <see cref="AwaitHandled"/> named), each with the version of its
    /// latest entry, so that a catch-up removes only what it waited for.
    /// </summary>
    private readonly ConcurrentDictionary<IActorRef, long> _fired = new();

    /// <summary>Supervisors whose stop is done, waiting for Akka to finish it: they handle no more messages.</summary>
    private readonly ConcurrentDictionary<IActorRef, byte> _departing = new();

    private long _firedVersion;

    /// <summary>Actors that follow the tree's events (a chaos run's injector): a settling tree waits for them to catch up.</summary>
    public ConcurrentDictionary<IActorRef, byte> Observers { get; } = new();

    /// <summary>
    /// Whether a timer has told an actor something not yet known to be handled. An actor held by an injected
    /// hang or delay does not count: it handles nothing until the clock moves.
    /// </summary>
    public bool HasFiredTimers
    {
        get
        {
            if (_fired.IsEmpty)
            {
                return false;
            }

            // Enumerated, not through Keys (which locks and copies): read in every pass of a settle loop.
            foreach (var (actor, _) in _fired)
            {
                if (!Asleep(actor) && !_departing.ContainsKey(actor))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>
    /// Whether <paramref name="actor"/> handles nothing now: held by an injected hang or delay (until the clock moves), or
    /// suspended, itself or an actor above it, until a supervisor that has put it off (and is idle now) decides on its crash
    /// or ends a group restart holding it (that supervisor's own progress is looked at: see <see cref="ClockBoundAsync"/>).
    /// </summary>
    private bool Asleep(IActorRef actor)
    {
        if (runtime.Holds.IsSuspended(actor))
        {
            return true;
        }

        if (_putOff.IsEmpty)
        {
            return false;
        }

        for (IActorRef? above = actor; above is not null; above = AkkaCell.ParentOf(above))
        {
            if (_putOff.ContainsKey(above))
            {
                if (AkkaCell.IsTerminated(above))
                {
                    _putOff.TryRemove(above, out _); // gone: nothing is put off for it any more
                }
                else if (AkkaCell.ParentOf(above) is { } supervisor && AkkaCell.IsIdle(supervisor))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>
    /// Children whose supervisor has put off acting on them (a crash whose decision waits, a child a group restart holds),
    /// in virtual time: suspended by Akka.NET, they handle nothing until it acts.
    /// </summary>
    private readonly ConcurrentDictionary<IActorRef, byte> _putOff = new();

    /// <summary>A supervisor has put off acting on <paramref name="child"/> (or acts on it now, when not <paramref name="on"/>).</summary>
    public void PutOff(IActorRef child, bool on)
    {
        if (on)
        {
            _putOff.TryAdd(child, 0);
        }
        else
        {
            _putOff.TryRemove(child, out _);
        }
    }

    /// <summary>Makes the next <see cref="CatchUpAsync"/> wait until <paramref name="actor"/> has handled what it was sent so far.</summary>
    public void AwaitHandled(IActorRef actor)
    {
        if (!runtime.RealTime)
        {
            _fired[actor] = Interlocked.Increment(ref _firedVersion);
        }
    }

    public void Departing(IActorRef supervisor) => _departing.TryAdd(supervisor, 0);

    public void Departed(IActorRef supervisor) => _departing.TryRemove(supervisor, out _);

    /// <summary>
    /// Waits until every actor a timer told something has handled it, and every observer has handled the
    /// events published before: an Identify sent after comes back (an actor's mailbox is in order). An
    /// actor held by an injected hang or delay is not waited for (it would not answer until the clock
    /// moves); it stays named for a catch-up after it resumes. Safe to run from several callers at once:
    /// an entry is removed only by a catch-up that waited for it and saw no newer one. An observer that
    /// waits itself (<paramref name="self"/>) is not asked: what it is told after this catch-up comes after
    /// every event published before, in its mailbox's order, so it has caught up when it handles that.
    /// </summary>
    public async Task CatchUpAsync(IActorRef? self = null)
    {
        while (true)
        {
            foreach (var departing in _departing.Keys)
            {
                _fired.TryRemove(departing, out _); // it handles nothing more: nothing to wait for
            }

            var targets = _fired.Where(f => !Asleep(f.Key)).ToList();
            await Task.WhenAll(targets.Select(t => IdentifyAsync(t.Key))).ConfigureAwait(false);
            foreach (var target in targets)
            {
                _fired.TryRemove(target);
            }

            await Task.WhenAll(Observers.Keys.Where(o => !o.Equals(self)).Select(IdentifyAsync)).ConfigureAwait(false);
            if (!HasFiredTimers)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Waits until the tree has done all it can at this instant: <paramref name="ready"/> holds (looked at
    /// first: a fault that lands names its supervisor for the catch-up), every fired timer and observer has
    /// caught up (<see cref="CatchUpAsync"/>), and nothing moves until the clock does (<see cref="ClockBoundAsync"/>:
    /// work in progress that waits for the clock, a stop held by an injected hang, does not hold the settle). <see langword="false"/> if that
    /// did not happen within <paramref name="limit"/> (real time); <see langword="true"/> also once
    /// <paramref name="stopped"/> holds. An observer that waits gives itself as <paramref name="self"/> (see <see cref="CatchUpAsync"/>).
    /// </summary>
    public async Task<bool> SettleAsync(Func<bool> ready, Func<bool> stopped, TimeSpan limit, CancellationToken cancellationToken, IActorRef? self = null)
    {
        var waited = global::System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; !stopped(); i++)
        {
            var readyBefore = ready();
            var left = limit - waited.Elapsed;
            try
            {
                await CatchUpAsync(self).WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return false;
            }

            if (readyBefore && !HasFiredTimers && await ClockBoundAsync().ConfigureAwait(false))
            {
                return true;
            }

            if (waited.Elapsed >= limit)
            {
                return false;
            }

            // Usually the tree settles within microseconds: look again at once a few times, then every millisecond.
            if (i < 20)
            {
                await Task.Yield();
            }
            else
            {
                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            }
        }

        return true;
    }

    /// <summary>
    /// Whether nothing in the tree moves until the clock does: every supervisor has nothing to handle, and what it still
    /// waits for waits for the clock (a stop or a start waiting for a child an injected hang holds). Each supervisor is
    /// asked twice, and must say so both times having handled nothing between, with nothing else changed meanwhile: a
    /// message on its way between two of them shows as one handled, or as one waiting.
    /// </summary>
    private async Task<bool> ClockBoundAsync()
    {
        var inProgress = runtime.Counts.InProgress;
        var first = await WalkAsync().ConfigureAwait(false);
        if (first is null)
        {
            return false;
        }

        var second = await WalkAsync().ConfigureAwait(false);
        return second is not null
            && second.Count == first.Count
            && second.All(s => first.TryGetValue(s.Key, out var handled) && handled == s.Value)
            && runtime.Counts.InProgress == inProgress
            && !HasFiredTimers;
    }

    /// <summary>Each supervisor not asleep, level by level from the root, with the messages it has handled; null as soon as one can move without the clock.</summary>
    private async Task<Dictionary<IActorRef, long>?> WalkAsync()
    {
        var handled = new Dictionary<IActorRef, long>();
        var level = runtime.Root is { } root ? new List<IActorRef> { root } : [];
        while (level.Count > 0)
        {
            // One asleep waits for the clock (a hang), or for its parent's decision on its crash: the parent answers for that.
            var answers = await Task.WhenAll(level.Where(s => !Asleep(s)).Select(s => AskProgressAsync(s))).ConfigureAwait(false);
            level = [];
            foreach (var (supervisor, answer) in answers)
            {
                if (answer is not { ClockBound: true })
                {
                    return null; // gone meanwhile, or moving
                }

                handled[supervisor] = answer.Handled;
                level.AddRange(answer.Supervisors);
            }
        }

        return handled;
    }

    private async Task<(IActorRef, ProgressAnswer?)> AskProgressAsync(IActorRef supervisor) =>
        (supervisor, await runtime.AskUnlessGoneAsync<ProgressAnswer>(supervisor, ProgressQuery.Instance).ConfigureAwait(false));

    /// <summary>Stopped, or stuck: nothing more to wait for there.</summary>
    private Task IdentifyAsync(IActorRef target) => runtime.AskUnlessGoneAsync<ActorIdentity>(target, new Identify(null));
}
