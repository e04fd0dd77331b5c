using System.Collections.Concurrent;
using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>What every supervisor of one tree shares: options, the clock, and the event stream.</summary>
internal sealed class TreeRuntime
{
    private readonly long _origin;

    /// <summary>Children suspended by injected hangs and delays, by token, with the timer that resumes each.</summary>
    private readonly ConcurrentDictionary<object, (IActorRef Child, ITimer Timer)> _suspended = new(ReferenceEqualityComparer.Instance);

    /// <summary>On a clock other than the system's: the actors a timer has told something since the last <see cref="CatchUpAsync"/> (or that <see cref="AwaitHandled"/> named).</summary>
    private readonly ConcurrentDictionary<IActorRef, byte> _fired = new();

    private bool _hasAddresses;
    private int _abandoned;
    private int _restarting;
    private int _inProgress;

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
    public int ChildrenRestarting => Volatile.Read(ref _restarting);

    /// <summary>Restarts the tree is carrying out now (backoff waits not included), and supervisors in a start or stop sequence.</summary>
    public int InProgress => Volatile.Read(ref _inProgress);

    /// <summary>Actors that follow the tree's events (a chaos run's injector): a settling tree waits for them to catch up.</summary>
    public ConcurrentDictionary<IActorRef, byte> Observers { get; } = new();

    /// <summary>Whether a timer has told an actor something not yet known to be handled.</summary>
    public bool HasFiredTimers => !_fired.IsEmpty;

    /// <summary>Monotonic time since the tree started.</summary>
    public TimeSpan Elapsed => Time.GetElapsedTime(_origin);

    public DateTimeOffset Now => Time.GetUtcNow();

    /// <summary>The addresses whose paths start with <paramref name="prefix"/> (none before any address was handed out).</summary>
    public IEnumerable<KeyValuePair<string, ChildAddress>> AddressesUnder(string prefix) =>
        HasAddresses ? Addresses.Where(a => a.Key.StartsWith(prefix, StringComparison.Ordinal)) : [];

    public void Abandoned() => Interlocked.Increment(ref _abandoned);

    public void AbandonedGone() => Interlocked.Decrement(ref _abandoned);

    public void RestartingChanged(int delta) => Interlocked.Add(ref _restarting, delta);

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
        if (!ReferenceEquals(Time, TimeProvider.System))
        {
            _fired.TryAdd(actor, 0);
        }
    }

    /// <summary>
    /// Waits until every actor a timer told something has handled it, and every observer has handled the
    /// events published before: an Identify sent after comes back (an actor's mailbox is in order). A
    /// virtual-time driver calls this after moving the clock.
    /// </summary>
    public async Task CatchUpAsync()
    {
        do
        {
            var targets = _fired.Keys.ToList();
            foreach (var target in targets)
            {
                _fired.TryRemove(target, out _);
            }

            await Task.WhenAll(targets.Select(IdentifyAsync)).ConfigureAwait(false);
            await Task.WhenAll(Observers.Keys.Select(IdentifyAsync)).ConfigureAwait(false);
        }
        while (!_fired.IsEmpty);
    }

    /// <summary>Suspends <paramref name="child"/> (it handles no message) for <paramref name="duration"/> on the tree's clock: an injected hang or delay.</summary>
    public void SuspendFor(IActorRef child, TimeSpan duration)
    {
        var token = new object();
        ((IInternalActorRef)child).Suspend();
        // Recorded before the timer is set (a timer due at once fires while it is being set), and kept
        // referenced here until it fires: one nobody holds may be collected before it does.
        var timer = Time.CreateTimer(t => ResumeInjected(t!), token, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _suspended[token] = (child, timer);
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
        if (_suspended.TryRemove(token, out var suspended))
        {
            suspended.Timer.Dispose();
            // A child gone meanwhile: the system message goes nowhere (dead letters of system messages are not reported).
            ((IInternalActorRef)suspended.Child).Resume(null);
        }
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
