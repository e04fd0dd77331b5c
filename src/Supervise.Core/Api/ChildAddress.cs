using Akka.Actor;
using Supervise.Chaos;
using Supervise.Runtime;

namespace Supervise;

/// <summary>
/// A child's address that outlives its incarnations: it reaches the current one after every restart, and
/// while the child is not running it does what the child's policies say (<see cref="RejectPolicy"/>,
/// <see cref="BufferPolicy"/>, <see cref="FallbackPolicy"/>; by default the message is dropped and reported).
/// Get one from <see cref="SupervisorHandle.GetChildAsync"/>.
/// </summary>
/// <remarks>
/// It is an <see cref="IActorRef"/>: <c>Tell</c>, <c>Ask</c> and <c>Forward</c> work as with the child's own
/// reference, and on the healthy path it adds one field read to each message. It is local to its actor
/// system and cannot be watched: watch the child's <see cref="Current"/> incarnation, or subscribe to
/// <see cref="HealthChanged"/>.
/// </remarks>
public sealed class ChildAddress : MinimalActorRef
{
    private readonly TreeRuntime _runtime;
    private readonly Lock _rerouting = new();
    private object _route;
    private readonly BufferPolicy? _buffer;
    private bool _released;
    private long _dropped;
    private long _rejected;

    internal ChildAddress(IActorRefProvider provider, ActorPath path, string supervisorPath, string childId, TreeRuntime runtime, object route, bool rejects, BufferPolicy? buffer)
    {
        Rejects = rejects;
        _buffer = buffer;
        Provider = provider;
        Path = path;
        SupervisorPath = supervisorPath;
        ChildId = childId;
        _runtime = runtime;
        _route = route;
    }

    /// <summary>The child's place in the tree, as <c>supervisor/child</c>.</summary>
    public override ActorPath Path { get; }

    /// <inheritdoc/>
    public override IActorRefProvider Provider { get; }

    /// <summary>The path of the child's supervisor in the tree, for example <c>app/db</c>.</summary>
    public string SupervisorPath { get; }

    /// <summary>The child's id.</summary>
    public string ChildId { get; }

    /// <summary>The incarnation messages go to now; <see langword="null"/> while the child is not running.</summary>
    public IActorRef? Current => (Volatile.Read(ref _route) is InjectedRoute fault ? fault.Previous : Volatile.Read(ref _route)) as IActorRef;

    /// <summary>Messages sent here that were dropped (and reported as <see cref="MessageDropped"/>): sent while the child was down, or beyond a buffer's capacity.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Messages answered with <see cref="Unavailable"/>.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Messages held by a <see cref="BufferPolicy"/> right now.</summary>
    public int Buffered => Volatile.Read(ref _route) is BufferRoute buffer ? buffer.Count : 0;

    /// <summary>
    /// Asks the child and waits for a reply of type <typeparamref name="T"/>; an <see cref="Unavailable"/>
    /// reply (the child is rejecting) throws <see cref="ChildUnavailableException"/>.
    /// </summary>
    /// <param name="message">The question.</param>
    /// <param name="timeout">How long to wait. Default: the tree's <see cref="TreeOptions.CallTimeout"/>.</param>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is zero or less, or longer than 49 days.</exception>
    public async Task<T> AskAsync<T>(object message, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var reply = await this.Ask<object>(message, timeout is { } t ? PolicyChecks.CallTimeout(t, nameof(timeout)) : _runtime.Options.CallTimeout, cancellationToken).ConfigureAwait(false);
        return reply switch
        {
            T answer => answer,
            Unavailable unavailable => throw new ChildUnavailableException(unavailable),
            Status.Failure failure => throw failure.Cause,
            _ => throw new InvalidCastException($"Child '{SupervisorPath}/{ChildId}' answered {reply?.GetType().Name ?? "null"}, expected {typeof(T).Name}."),
        };
    }

    /// <inheritdoc/>
    protected override void TellInternal(object message, IActorRef sender)
    {
        var route = Volatile.Read(ref _route);
        if (route is IActorRef target)
        {
            target.Tell(message, sender);
            return;
        }

        ((Route)route).Deliver(this, message, sender);
    }

    /// <summary>Whether its child's policies reject callers while it is unavailable (<see cref="RejectPolicy"/>).</summary>
    internal bool Rejects { get; }

    /// <summary>
    /// Points the address somewhere else (its supervisors only). A buffer it leaves is replayed through the
    /// new route first. Once <see cref="Release"/>d, it no longer moves.
    /// </summary>
    internal void Reroute(object next)
    {
        lock (_rerouting)
        {
            if (!_released)
            {
                Move(next);
            }
        }
    }

    /// <summary>The child left the tree for good: from now on callers are told (or the message is reported) with <paramref name="why"/>.</summary>
    internal void Release(string why)
    {
        lock (_rerouting)
        {
            if (!_released)
            {
                Move(Unavailable(HealthState.Down, why));
                _released = true;
            }
        }
    }

    /// <summary>
    /// Points the address at <paramref name="next"/> unless a supervisor above parked it (<see cref="Park"/>): what it holds
    /// or says then stands until the child runs again. Used when a child is asked to stop.
    /// </summary>
    internal void RerouteUnlessParked(object next)
    {
        lock (_rerouting)
        {
            if (!_released && !_parked)
            {
                Move(next);
            }
        }
    }

    /// <summary>A supervisor above the child is restarting: hold (under Buffer), reject, or drop and report until it is back.</summary>
    internal void Park()
    {
        lock (_rerouting)
        {
            if (!_released)
            {
                _parked = true;
                Move(_buffer is { } buffer
                    ? Volatile.Read(ref _route) as BufferRoute ?? new BufferRoute(buffer)
                    : Unavailable(HealthState.Restarting, "a supervisor above it is restarting"));
            }
        }
    }

    /// <summary>The fault injector arms <paramref name="fault"/> (a drop or a delay) on the messages sent here next.</summary>
    internal void Inject(InjectedRoute fault)
    {
        lock (_rerouting)
        {
            if (!_released && ReferenceEquals(Volatile.Read(ref _route), fault.Previous))
            {
                Volatile.Write(ref _route, fault);
            }
        }
    }

    /// <summary>An injected fault is over: the route before it comes back, unless the supervisor moved the address since.</summary>
    internal void EndInjected(InjectedRoute fault)
    {
        lock (_rerouting)
        {
            if (ReferenceEquals(Volatile.Read(ref _route), fault))
            {
                Volatile.Write(ref _route, fault.Previous);
            }
        }
    }

    /// <summary>Cancels an injected fault still armed here (the chaos run ended, or the tree is stopping).</summary>
    internal void LiftInjected()
    {
        if (Volatile.Read(ref _route) is InjectedRoute fault)
        {
            EndInjected(fault);
        }
    }

    /// <summary>The route of a child that cannot answer: rejected under Reject, else dropped and reported.</summary>
    internal object Unavailable(HealthState state, string why) => Rejects ? new RejectRoute(state, why) : new DropRoute(why);

    /// <summary>Parked by a supervisor above, until the child runs again (a route to its actor).</summary>
    private bool _parked;

    private void Move(object next)
    {
        if (next is IActorRef)
        {
            _parked = false;
        }

        var previous = Volatile.Read(ref _route);
        if (ReferenceEquals(previous, next))
        {
            return;
        }

        if (previous is BufferRoute buffer)
        {
            buffer.Release(this, next);
        }
        else
        {
            Volatile.Write(ref _route, next);
        }
    }

    internal object RouteNow => Volatile.Read(ref _route);

    internal void SetRoute(object next) => Volatile.Write(ref _route, next);

    internal void DeliverVia(object route, object message, IActorRef sender)
    {
        if (route is IActorRef target)
        {
            target.Tell(message, sender);
        }
        else
        {
            ((Route)route).Deliver(this, message, sender);
        }
    }

    internal void ReportDropped(object message, string why)
    {
        Interlocked.Increment(ref _dropped);
        _runtime.Publish(new MessageDropped(SupervisorPath, _runtime.Now, ChildId, message, why));
    }

    internal void ReportRejected() => Interlocked.Increment(ref _rejected);
}
