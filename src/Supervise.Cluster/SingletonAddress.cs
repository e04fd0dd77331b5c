using Akka.Actor;
using Akka.Cluster;
using Akka.Event;
using AkkaCluster = Akka.Cluster.Cluster;

namespace Supervise.Cluster;

/// <summary>
/// What a supervised singleton's address has done on this node since it started (asked with
/// <see cref="SupervisedSingleton.GetStatsAsync"/>): nothing it was given is unaccounted for.
/// </summary>
/// <param name="Sent">Messages given to the address.</param>
/// <param name="Confirmed">Of those, the ones the singleton's node confirmed it received (handed to the child's address there).</param>
/// <param name="Redelivered">Sends again of messages whose node was lost before it confirmed them (a message may then arrive twice).</param>
/// <param name="Rejected">Messages answered <see cref="Unavailable"/> because the singleton was moving and its policy is Reject.</param>
/// <param name="Dropped">Messages dropped (each also reported as a <see cref="MessageDropped"/> event): past the hand-over buffer, or held when this node stopped.</param>
/// <param name="Waiting">Messages sent but not confirmed yet, or held while the singleton moves.</param>
/// <param name="Moves">Times the address found its singleton's node lost and held or rejected messages until the next instance answered.</param>
public sealed record SingletonAddressStats(long Sent, long Confirmed, long Redelivered, long Rejected, long Dropped, int Waiting, int Moves);

/// <summary>A message on its way to the singleton's host, to be confirmed to <paramref name="Address"/>.</summary>
internal sealed record SingletonDelivery(long Sequence, object Message, IActorRef Address);

/// <summary>The host received the delivery <paramref name="Sequence"/> from this address.</summary>
internal sealed record SingletonReceived(long Sequence);

/// <summary>Is an instance running? Answered <see cref="SingletonHere"/> by the host once its child runs.</summary>
internal sealed record SingletonProbe(IActorRef Address);

/// <summary>An instance runs: the sender is its host.</summary>
internal sealed record SingletonHere(string ChildId);

/// <summary>Asks an address for its <see cref="SingletonAddressStats"/>.</summary>
internal sealed record GetSingletonStats
{
    public static readonly GetSingletonStats Instance = new();
}

/// <summary>
/// The address callers hold for a supervised singleton, one per node, in front of Akka's singleton proxy.
/// Every message is sent on with a number, and the singleton's host confirms what it received. When the
/// node of the instance is lost (unreachable, leaving, downed or removed), what it had not confirmed and
/// what arrives next are held (Buffer, and by default) or answered <see cref="Unavailable"/> (Reject),
/// following the child's policy, until an instance on a live node answers a probe; then the held
/// messages go to it in order. What is dropped is counted and reported; nothing disappears silently.
/// </summary>
internal sealed class SingletonAddress : ReceiveActor, IWithTimers
{
    private readonly string _childId;
    private readonly IActorRef _proxy;
    private readonly GapPolicy _policy;
    private readonly TimeSpan _probeInterval;
    private readonly AkkaCluster _cluster;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LinkedList<Entry> _sent = new(); // in order, awaiting confirmation
    private readonly LinkedList<Entry> _held = new(); // in order, to send once an instance answers
    private long _sequence;
    private Address? _host; // the node of the instance that last answered; null while none is known
    private bool _moving = true; // no instance is known to run: hold (or reject) instead of sending
    private bool _foundOnce;
    private long _sentCount;
    private long _confirmed;
    private long _redelivered;
    private long _rejected;
    private long _dropped;
    private int _moves;

    public ITimerScheduler Timers { get; set; } = null!;

    public SingletonAddress(string childId, IActorRef proxy, GapPolicy policy, TimeSpan probeInterval)
    {
        _childId = childId;
        _proxy = proxy;
        _policy = policy;
        _probeInterval = probeInterval;
        _cluster = AkkaCluster.Get(Context.System);

        Receive<SingletonReceived>(r => Confirm(r.Sequence));
        Receive<SingletonHere>(_ => Found(NodeOf(Sender)));
        Receive<Probe>(_ => _proxy.Tell(new SingletonProbe(Self)));
        Receive<ClusterEvent.UnreachableMember>(e => Lost(e.Member.Address, "unreachable"));
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            if (e.Member.Status is not (MemberStatus.Up or MemberStatus.Joining or MemberStatus.WeaklyUp))
            {
                Lost(e.Member.Address, e.Member.Status.ToString().ToLowerInvariant());
            }
        });
        Receive<ClusterEvent.IClusterDomainEvent>(_ => { });
        Receive<GetSingletonStats>(_ => Sender.Tell(new SingletonAddressStats(_sentCount, _confirmed, _redelivered, _rejected, _dropped, _sent.Count + _held.Count, _moves)));
        ReceiveAny(m =>
        {
            _sentCount++;
            var entry = new Entry(++_sequence, m, Sender);
            if (_moving)
            {
                Hold(entry);
            }
            else
            {
                Send(entry);
            }
        });
    }

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        StartProbing();
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        // This node stops: what was held or not confirmed cannot be sent any more; each is reported.
        foreach (var entry in _sent.Concat(_held))
        {
            Drop(entry, "this node stopped before the singleton confirmed it");
        }
    }

    private void Send(Entry entry)
    {
        _sent.AddLast(entry);
        _proxy.Tell(new SingletonDelivery(entry.Sequence, entry.Message, Self), entry.Sender);
    }

    /// <summary>Its host received it (usually the first awaiting; a held one was sent before its node was lost, and confirmed late).</summary>
    private void Confirm(long sequence)
    {
        if (Remove(_sent, sequence) || Remove(_held, sequence))
        {
            _confirmed++;
        }
    }

    private static bool Remove(LinkedList<Entry> entries, long sequence)
    {
        for (var node = entries.First; node is not null; node = node.Next)
        {
            if (node.Value.Sequence == sequence)
            {
                entries.Remove(node);
                return true;
            }
        }

        return false;
    }

    /// <summary>The node of the instance may be gone: stop sending there, and keep what it did not confirm.</summary>
    private void Lost(Address node, string how)
    {
        if (_moving || !node.Equals(_host))
        {
            return;
        }

        _moving = true;
        _moves++;
        _log.Warning(
            "The node of supervised singleton {0} ({1}) is {2}: {3} unconfirmed message(s) {4} until the next instance answers",
            _childId, node, how, _sent.Count, _policy.Rejects ? "are rejected, and new ones too," : "are held, with new ones,");
        var unconfirmed = _sent.ToList();
        _sent.Clear();
        foreach (var entry in unconfirmed)
        {
            Hold(entry with { Again = true });
        }

        StartProbing();
    }

    private void Hold(Entry entry)
    {
        if (_policy.Rejects && _foundOnce)
        {
            _rejected++;
            if (!entry.Sender.IsNobody())
            {
                entry.Sender.Tell(new Unavailable("singleton/" + _childId, _childId, HealthState.Restarting, "the supervised singleton is moving to another node"));
            }

            return;
        }

        if (_held.Count < _policy.Capacity)
        {
            _held.AddLast(entry);
            return;
        }

        if (_policy.DropOldest && _held.First is { } oldest)
        {
            _held.RemoveFirst();
            _held.AddLast(entry);
            Drop(oldest.Value, $"the hand-over buffer was full ({_policy.Capacity} messages)");
        }
        else
        {
            Drop(entry, $"the hand-over buffer was full ({_policy.Capacity} messages)");
        }
    }

    private void Drop(Entry entry, string why)
    {
        _dropped++;
        Context.System.EventStream.Publish(new MessageDropped("singleton/" + _childId, DateTimeOffset.UtcNow, _childId, entry.Message, why));
    }

    /// <summary>An instance answered: if its node is live, the held messages go to it, in order.</summary>
    private void Found(Address node)
    {
        if (!_moving || !Live(node))
        {
            return; // an answer from the lost node, late: keep waiting for the next instance
        }

        Timers.Cancel(Probe.Instance);
        _moving = false;
        _foundOnce = true;
        _host = node;
        _log.Info("Supervised singleton {0} answers on {1}; sending the {2} held message(s)", _childId, node, _held.Count);
        var held = _held.ToList();
        _held.Clear();
        foreach (var entry in held)
        {
            _redelivered += entry.Again ? 1 : 0;
            Send(entry);
        }
    }

    private bool Live(Address node)
    {
        var state = _cluster.State;
        return state.Members.Any(m => m.Address.Equals(node) && m.Status == MemberStatus.Up)
            && !state.Unreachable.Any(m => m.Address.Equals(node));
    }

    private Address NodeOf(IActorRef actor) => actor.Path.Address.HasLocalScope ? _cluster.SelfAddress : actor.Path.Address;

    private void StartProbing()
    {
        Self.Tell(Probe.Instance);
        Timers.StartPeriodicTimer(Probe.Instance, Probe.Instance, _probeInterval);
    }

    /// <param name="Sequence">Its number, from this address.</param>
    /// <param name="Message">What the caller sent.</param>
    /// <param name="Sender">The caller, to whom the child answers.</param>
    /// <param name="Again">It was sent to a node that was lost before confirming it: sending it now may deliver it twice.</param>
    private sealed record Entry(long Sequence, object Message, IActorRef Sender, bool Again = false);

    private sealed class Probe
    {
        public static readonly Probe Instance = new();
    }
}

/// <summary>What a singleton's address does with messages while the singleton moves, from the child's policy.</summary>
/// <param name="Rejects">Answer <see cref="Unavailable"/> (the child's policy is Reject).</param>
/// <param name="Capacity">Otherwise hold up to this many (the child's Buffer capacity, else <see cref="SingletonOptions.BufferSize"/>).</param>
/// <param name="DropOldest">A full buffer drops its oldest message rather than the arriving one.</param>
internal sealed record GapPolicy(bool Rejects, int Capacity, bool DropOldest)
{
    public static GapPolicy For(ChildSpec child, int bufferSize)
    {
        var whileDown = child.Policies?.FirstOrDefault(p => p.Concern == PolicyConcern.WhileDown);
        return whileDown switch
        {
            RejectPolicy => new GapPolicy(true, bufferSize, false),
            BufferPolicy buffer => new GapPolicy(false, buffer.Capacity, buffer.Overflow == BufferOverflow.DropOldest),
            _ => new GapPolicy(false, bufferSize, false),
        };
    }
}
