using System.Collections.Concurrent;
using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>What every supervisor of one tree shares: options, the clock, and the event stream.</summary>
internal sealed class TreeRuntime
{
    private readonly long _origin;

    /// <summary>Children suspended by injected hangs and delays, by token, with the timer that resumes each.</summary>
    private readonly ConcurrentDictionary<object, (IActorRef Child, ITimer Timer)> _suspended = new(ReferenceEqualityComparer.Instance);

    private volatile IActorRef[] _held = [];

    /// <summary>
    /// On a clock other than the system's: the actors a timer has told something since the last
    /// <see cref="CatchUpAsync"/> (or that <see cref="AwaitHandled"/> named), each with the version of its
    /// latest entry, so that a catch-up removes only what it waited for.
    /// </summary>
    private readonly ConcurrentDictionary<IActorRef, long> _fired = new();

    private long _firedVersion;

    /// <summary>Supervisors whose stop is done, waiting for Akka to finish it: they handle no more messages.</summary>
    private readonly ConcurrentDictionary<IActorRef, byte> _departing = new();

    private bool _hasAddresses;
    private int _abandoned;
    private readonly int[] _byHealth = new int[4];
    private int _inProgress;
    private int _pendingInjections;
    private int _faultsLanding;

    public TreeRuntime(ActorSystem system, TreeOptions options)
    {
        System = system;
        Options = options;
        _origin = options.TimeProvider.GetTimestamp();
    }

    public ActorSystem System { get; }

    /// <summary>
    /// The stable addresses handed out, by child path: kept here, not in a supervisor, so that they outlive
    /// a supervisor restarted by its parent.
    /// </summary>
    public ConcurrentDictionary<string, ChildAddress> Addresses { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether any address was ever handed out: until then, starting a child need not look for one.</summary>
    public bool HasAddresses { get => Volatile.Read(ref _hasAddresses); set => Volatile.Write(ref _hasAddresses, value); }

    public TreeOptions Options { get; }

    public TimeProvider Time => Options.TimeProvider;

    /// <summary>
    /// Children that a supervisor of this tree stopped waiting for past their shutdown timeout and that have
    /// not terminated yet: blocked in a handler, their actors outlive the shutdown that gave up on them.
    /// </summary>
    public int AbandonedChildren => Volatile.Read(ref _abandoned);

    /// <summary>Children anywhere in the tree whose health is Restarting (a backoff wait included), kept by their supervisors.</summary>
    public int ChildrenRestarting => Volatile.Read(ref _byHealth[(int)HealthState.Restarting]);

    /// <summary>Children anywhere in the tree (nested supervisors included) whose last published health is <paramref name="state"/>, kept by their supervisors.</summary>
    public int ChildrenIn(HealthState state) => Volatile.Read(ref _byHealth[(int)state]);

    /// <summary>Restarts the tree is carrying out now (backoff waits not included), and supervisors in a start or stop sequence.</summary>
    public int InProgress => Volatile.Read(ref _inProgress);

    /// <summary>The root supervisor's health as it last published it (Restarting until it has started its children).</summary>
    public HealthState RootHealth { get => (HealthState)Volatile.Read(ref _rootHealth); set => Volatile.Write(ref _rootHealth, (int)value); }

    private int _rootHealth = (int)HealthState.Restarting;

    /// <summary>Chaos runs on the tree whose next fault waits for the tree to settle (the rest of a burst, in virtual time).</summary>
    public int PendingInjections => Volatile.Read(ref _pendingInjections);

    public void PendingInjectionsChanged(int delta) => Interlocked.Add(ref _pendingInjections, delta);

    /// <summary>Injected faults carried out that have not landed yet (not counting those waiting for the clock), over the chaos runs on the tree.</summary>
    public int FaultsLanding => Volatile.Read(ref _faultsLanding);

    public void FaultsLandingChanged(int delta)
    {
        if (delta != 0)
        {
            Interlocked.Add(ref _faultsLanding, delta);
        }
    }

    /// <summary>Actors that follow the tree's events (a chaos run's injector): a settling tree waits for them to catch up.</summary>
    public ConcurrentDictionary<IActorRef, byte> Observers { get; } = new();

    /// <summary>Whether the clock moves on its own (the system's): nothing waits for a virtual-time driver then.</summary>
    public bool RealTime => ReferenceEquals(Time, TimeProvider.System);

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
                if (!IsSuspended(actor) && !_departing.ContainsKey(actor))
                {
                    return true;
                }
            }

            return false;
        }
    }

    /// <summary>Monotonic time since the tree started.</summary>
    public TimeSpan Elapsed => Time.GetElapsedTime(_origin);

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>The addresses whose paths start with <paramref name="prefix"/> (none before any address was handed out).</summary>
    public IEnumerable<KeyValuePair<string, ChildAddress>> AddressesUnder(string prefix) =>
        HasAddresses ? Addresses.Where(a => a.Key.StartsWith(prefix, StringComparison.Ordinal)) : [];

    public void Abandoned() => Interlocked.Increment(ref _abandoned);

    /// <summary>A number larger than every one given before (orders a supervisor incarnation's start against requests sent to it).</summary>
    public long NextEpoch() => Interlocked.Increment(ref _epoch);

    private long _epoch;

    public void AbandonedGone() => Interlocked.Decrement(ref _abandoned);

    public void HealthCountChanged(HealthState state, int delta)
    {
        if (delta != 0)
        {
            Interlocked.Add(ref _byHealth[(int)state], delta);
        }
    }

    public void InProgressChanged(int delta) => Interlocked.Add(ref _inProgress, delta);

    public void Publish(SupervisionEvent e) => System.EventStream.Publish(e);

    /// <summary>Schedules <paramref name="message"/> to <paramref name="target"/> after <paramref name="delay"/> on the tree's clock.</summary>
    public ITimer Schedule(IActorRef target, object message, TimeSpan delay) =>
        Time.CreateTimer(
            _ =>
            {
                AwaitHandled(target);
                target.Tell(message, ActorRefs.NoSender);
            },
            null,
            delay,
            Timeout.InfiniteTimeSpan);

    /// <summary>Makes the next <see cref="CatchUpAsync"/> wait until <paramref name="actor"/> has handled what it was sent so far.</summary>
    public void AwaitHandled(IActorRef actor)
    {
        if (!RealTime)
        {
            _fired[actor] = Interlocked.Increment(ref _firedVersion);
        }
    }

    /// <summary>
    /// Waits until every actor a timer told something has handled it, and every observer has handled the
    /// events published before: an Identify sent after comes back (an actor's mailbox is in order). An
    /// actor held by an injected hang or delay is not waited for (it would not answer until the clock
    /// moves); it stays named for a catch-up after it resumes. Safe to run from several callers at once:
    /// an entry is removed only by a catch-up that waited for it and saw no newer one.
    /// </summary>
    public async Task CatchUpAsync()
    {
        while (true)
        {
            foreach (var departing in _departing.Keys)
            {
                _fired.TryRemove(departing, out _); // it handles nothing more: nothing to wait for
            }

            var targets = _fired.Where(f => !IsSuspended(f.Key)).ToList();
            await Task.WhenAll(targets.Select(t => IdentifyAsync(t.Key))).ConfigureAwait(false);
            foreach (var target in targets)
            {
                _fired.TryRemove(target);
            }

            await Task.WhenAll(Observers.Keys.Select(IdentifyAsync)).ConfigureAwait(false);
            if (!HasFiredTimers)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Waits until the tree has done all it can at this instant: <paramref name="ready"/> holds (looked at
    /// first: a fault that lands names its supervisor for the catch-up), every fired timer and observer has
    /// caught up (<see cref="CatchUpAsync"/>), and nothing is in progress. <see langword="false"/> if that
    /// did not happen within <paramref name="limit"/> (real time); <see langword="true"/> also once
    /// <paramref name="stopped"/> holds.
    /// </summary>
    public async Task<bool> SettleAsync(Func<bool> ready, Func<bool> stopped, TimeSpan limit, CancellationToken cancellationToken)
    {
        var waited = global::System.Diagnostics.Stopwatch.StartNew();
        for (var i = 0; !stopped(); i++)
        {
            var readyBefore = ready();
            var left = limit - waited.Elapsed;
            try
            {
                await CatchUpAsync().WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return false;
            }

            if (readyBefore && InProgress == 0 && !HasFiredTimers)
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

    public void Departing(IActorRef supervisor) => _departing.TryAdd(supervisor, 0);

    public void Departed(IActorRef supervisor) => _departing.TryRemove(supervisor, out _);

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
                if (h.Path.Equals(path) && h is not ActorRefWithCell { Underlying: ActorCell { IsTerminated: true } })
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>The paths of the children held now, as a snapshot read without locking.</summary>
    private void UpdateHeld() => _held = _suspended.Values.Select(s => s.Child).ToArray();

    /// <summary>Suspends <paramref name="child"/> (it handles no message) for <paramref name="duration"/> on the tree's clock: an injected hang or delay.</summary>
    public void SuspendFor(IActorRef child, TimeSpan duration)
    {
        var token = new object();
        ((IInternalActorRef)child).Suspend();
        // Recorded before the timer is set (a timer due at once fires while it is being set), and kept
        // referenced here until it fires: one nobody holds may be collected before it does.
        var timer = Time.CreateTimer(t => ResumeInjected(t!), token, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
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
    public void LiftInjected()
    {
        foreach (var token in _suspended.Keys)
        {
            ResumeInjected(token);
        }

        foreach (var (_, address) in AddressesUnder(""))
        {
            address.LiftInjected();
        }
    }

    /// <summary>Resumes a child suspended by <see cref="SuspendFor"/>, once: whichever of its timer and a lift comes first.</summary>
    private void ResumeInjected(object token)
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
        AwaitHandled(suspended.Child);
    }

    /// <summary>Stopped, or stuck: nothing more to wait for there.</summary>
    private Task IdentifyAsync(IActorRef target) => AskUnlessGoneAsync<ActorIdentity>(target, new Identify(null));

    /// <summary>
    /// Asks <paramref name="target"/>, and returns <see langword="null"/> at once if it stops first (a message
    /// to a stopped actor is never answered: a plain Ask would wait for its whole timeout), or if no answer
    /// comes within the call timeout.
    /// </summary>
    public async Task<T?> AskUnlessGoneAsync<T>(IActorRef target, object message)
        where T : class
    {
        using var cancel = new CancellationTokenSource();
        var ask = target.Ask<T>(message, Options.CallTimeout, cancel.Token);
        var gone = target.WatchAsync(cancel.Token);
        await Task.WhenAny(ask, gone).ConfigureAwait(false);
        await cancel.CancelAsync().ConfigureAwait(false);
        try
        {
            return await ask.ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or OperationCanceledException)
        {
            return null;
        }
    }
}
