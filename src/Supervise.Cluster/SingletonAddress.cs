using System.Diagnostics;
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
/// <param name="Confirmed">Of those, the ones the singleton's node confirmed: taken by the child there (or by its policy: held, answered by a stand-in, rejected, or dropped and reported).</param>
/// <param name="Redelivered">Sends again of messages whose node was lost before it confirmed them (a message may then arrive twice).</param>
/// <param name="Rejected">Messages answered <see cref="Unavailable"/> because the singleton was moving and its policy is Reject.</param>
/// <param name="Dropped">Messages dropped (each also reported as a <see cref="MessageDropped"/> event): past the hand-over buffer, or held when this node stopped.</param>
/// <param name="Waiting">Messages sent but not confirmed yet, or held while the singleton moves.</param>
/// <param name="Moves">Times the address found its singleton's node lost and held or rejected messages until the next instance answered.</param>
public sealed record SingletonAddressStats(long Sent, long Confirmed, long Redelivered, long Rejected, long Dropped, int Waiting, int Moves);

/// <summary>A message on its way to the singleton's host, to be confirmed to <paramref name="Address"/>.</summary>
internal sealed record SingletonDelivery(long Sequence, object Message, IActorRef Address);

/// <summary>How far a delivery got on the singleton's node.</summary>
internal enum Receipt : byte
{
    /// <summary>The child took it (or its policy did: held, answered by a stand-in, or rejected): confirmed.</summary>
    Taken = 0,

    /// <summary>The host gave it to the child's mailbox; the child has not taken it yet. Not sent again while the host lives.</summary>
    Accepted = 1,

    /// <summary>It went with the child's mailbox (the child stopped first): to be sent again after the confirm timeout.</summary>
    NotTaken = 2,
}

/// <summary>What the host did with the delivery <paramref name="Sequence"/> from this address (<see cref="Receipt"/>).</summary>
internal sealed record SingletonReceived(long Sequence, Receipt Stage = Receipt.Taken);

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
/// The address callers hold for a supervised singleton, one per node. It finds the instance through Akka's
/// singleton proxy (a probe the instance's host answers), then sends to that host directly and watches it.
/// Every message is sent with a number, and the host confirms each one. When the host's node is lost
/// (unreachable, leaving, downed or removed) or the host stops, what it had not confirmed and what arrives
/// next are held (Buffer, and by default) or answered <see cref="Unavailable"/> (Reject), following the
/// child's policy, until an instance on a live node answers a probe; then the held messages go to it in
/// order. A message not confirmed within the confirm timeout is sent again, and after three sends it is
/// dropped. Every drop is counted and reported; nothing disappears silently.
/// </summary>
internal sealed class SingletonAddress : ReceiveActor, IWithTimers
{
    /// <summary>Sends of one message before it is given up as undeliverable.</summary>
    internal const int MaxSends = 3;

    private readonly string _childId;
    private readonly string _path; // where its events say they come from
    private readonly TimeProvider _clock;
    private readonly IActorRef _proxy;
    private readonly GapPolicy _policy;
    private readonly TimeSpan _probeInterval;
    private readonly TimeSpan _confirmTimeout;
    private readonly AkkaCluster _cluster;
    private readonly ILoggingAdapter _log = Context.GetLogger();
    private readonly LinkedList<Entry> _sent = new(); // in order, awaiting confirmation
    private readonly LinkedList<Entry> _held = new(); // in order, to send once an instance answers
    private readonly HashSet<Address> _up = []; // members Up, as this address's own events say
    private readonly HashSet<Address> _unreachable = [];
    private long _sequence;
    private IActorRef? _host; // the instance's host that last answered; null while none is known
    private Address? _hostNode;
    private bool _moving = true; // no instance is known to run: hold (or reject) instead of sending
    private bool _foundOnce;
    private long _sentCount;
    private long _confirmed;
    private long _redelivered;
    private long _rejected;
    private long _dropped;
    private int _moves;

    public SingletonAddress(string childId, IActorRef proxy, GapPolicy policy, TimeSpan probeInterval, TimeSpan confirmTimeout, TimeProvider? clock = null)
    {
        _childId = childId;
        _path = "singleton/" + childId;
        _clock = clock ?? TimeProvider.System;
        _proxy = proxy;
        _policy = policy;
        _probeInterval = probeInterval;
        _confirmTimeout = confirmTimeout;
        _cluster = AkkaCluster.Get(Context.System);

        Receive<SingletonReceived>(r =>
        {
            switch (r.Stage)
            {
                case Receipt.Taken:
                    Confirm(r.Sequence);
                    break;
                default:
                    // In the child's mailbox: no resend while its host lives (a backlog is not a loss); gone with it: resent in time.
                    Mark(r.Sequence, accepted: r.Stage == Receipt.Accepted);
                    break;
            }
        });
        Receive<SingletonHere>(_ => Found(Sender));
        Receive<Tick>(_ => OnTick());
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_host))
            {
                Lost("stopped");
            }
        });
        Receive<ClusterEvent.UnreachableMember>(e =>
        {
            _unreachable.Add(e.Member.Address);
            LostIfHost(e.Member.Address, "unreachable");
        });
        Receive<ClusterEvent.ReachableMember>(e => _unreachable.Remove(e.Member.Address));
        Receive<ClusterEvent.IMemberEvent>(e =>
        {
            if (e.Member.Status is MemberStatus.Up or MemberStatus.WeaklyUp)
            {
                _up.Add(e.Member.Address);
            }
            else if (e.Member.Status != MemberStatus.Joining)
            {
                _up.Remove(e.Member.Address);
                LostIfHost(e.Member.Address, e.Member.Status.ToString().ToLowerInvariant());
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

    public ITimerScheduler Timers { get; set; } = null!;

    protected override void PreStart()
    {
        _cluster.Subscribe(Self, ClusterEvent.SubscriptionInitialStateMode.InitialStateAsEvents, typeof(ClusterEvent.IMemberEvent), typeof(ClusterEvent.IReachabilityEvent));
        Self.Tell(Tick.Instance); // the first probe at once
        Timers.StartPeriodicTimer(Tick.Instance, Tick.Instance, _probeInterval);
    }

    protected override void PostStop()
    {
        _cluster.Unsubscribe(Self);
        // This node stops: what was held cannot be sent any more, and what was sent may or may not have arrived; each is reported.
        foreach (var entry in _sent)
        {
            Drop(entry, "this node stopped before the singleton confirmed it (it may have arrived)");
        }

        foreach (var entry in _held)
        {
            Drop(entry, "this node stopped while the singleton was moving");
        }
    }

    /// <summary>While moving: probe for the next instance. Otherwise: send again what was not confirmed in time, or give it up.</summary>
    private void OnTick()
    {
        if (_moving)
        {
            _proxy.Tell(new SingletonProbe(Self));
            return;
        }

        for (var node = _sent.First; node is not null;)
        {
            var next = node.Next;
            var entry = node.Value;
            if (!entry.Accepted && _clock.GetElapsedTime(entry.SentAt) >= _confirmTimeout)
            {
                _sent.Remove(node);
                if (entry.Sends >= MaxSends)
                {
                    Drop(entry, $"not confirmed by the singleton after {MaxSends} sends");
                }
                else
                {
                    _redelivered++;
                    Send(entry with { Again = true });
                }
            }

            node = next;
        }
    }

    private void Send(Entry entry)
    {
        var sent = entry with { SentAt = _clock.GetTimestamp(), Sends = entry.Sends + 1, Accepted = false };
        _sent.AddLast(sent);
        _host!.Tell(new SingletonDelivery(sent.Sequence, sent.Message, Self), sent.Sender);
    }

    /// <summary>Its host received it (usually the first awaiting; a held one was sent before its node was lost, and confirmed late).</summary>
    private void Confirm(long sequence)
    {
        if (Remove(_sent, sequence) || Remove(_held, sequence))
        {
            _confirmed++;
        }
    }

    /// <summary>Notes whether the host holds a delivery in the child's mailbox (then it is not sent again while the host lives).</summary>
    private void Mark(long sequence, bool accepted)
    {
        for (var node = _sent.First; node is not null; node = node.Next)
        {
            if (node.Value.Sequence == sequence)
            {
                node.Value = node.Value with { Accepted = accepted };
                return;
            }
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

    private void LostIfHost(Address node, string how)
    {
        if (node.Equals(_hostNode))
        {
            Lost(how);
        }
    }

    /// <summary>The instance's host may be gone: stop sending there, and keep what it did not confirm.</summary>
    private void Lost(string how)
    {
        if (_moving)
        {
            return;
        }

        _moving = true;
        _moves++;
        Context.Unwatch(_host);
        _log.Warning(
            "The host of supervised singleton {0} on {1} is {2}: {3} unconfirmed message(s) {4} until the next instance answers",
            _childId, _hostNode, how, _sent.Count, _policy.Rejects ? "are rejected, and new ones too," : "are held, with new ones,");
        _host = null;
        var unconfirmed = _sent.ToList();
        _sent.Clear();
        foreach (var entry in unconfirmed)
        {
            Hold(entry with { Again = true });
        }

        Self.Tell(Tick.Instance); // probe at once
    }

    private void Hold(Entry entry)
    {
        if (_policy.Rejects && _foundOnce)
        {
            _rejected++;
            if (!entry.Sender.IsNobody())
            {
                entry.Sender.Tell(new Unavailable(_path, _childId, HealthState.Restarting, "the supervised singleton is moving to another node"));
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
        Context.System.EventStream.Publish(new MessageDropped(_path, _clock.GetUtcNow(), _childId, entry.Message, why));
    }

    /// <summary>An instance answered: if its node is live (by this address's own events), the held messages go to it, in order.</summary>
    private void Found(IActorRef host)
    {
        var node = host.Path.Address.HasLocalScope ? _cluster.SelfAddress : host.Path.Address;
        if (!_moving || !_up.Contains(node) || _unreachable.Contains(node))
        {
            return; // already sending to it, or a late answer from a node that is lost: keep waiting for the next instance
        }

        _moving = false;
        _foundOnce = true;
        _host = host;
        _hostNode = node;
        Context.Watch(host);
        _log.Info("Supervised singleton {0} answers on {1}; sending the {2} held message(s)", _childId, node, _held.Count);
        var held = _held.ToList();
        _held.Clear();
        foreach (var entry in held)
        {
            _redelivered += entry.Again ? 1 : 0;
            Send(entry);
        }
    }

    /// <param name="Sequence">Its number, from this address.</param>
    /// <param name="Message">What the caller sent.</param>
    /// <param name="Sender">The caller, to whom the child answers.</param>
    /// <param name="Again">It was sent to a host that was lost before confirming it: sending it now may deliver it twice.</param>
    /// <param name="SentAt">When it was last sent (a timestamp of the address's clock).</param>
    /// <param name="Sends">How many times it has been sent.</param>
    /// <param name="Accepted">Its host put it in the child's mailbox: not sent again while that host lives.</param>
    private sealed record Entry(long Sequence, object Message, IActorRef Sender, bool Again = false, long SentAt = 0, int Sends = 0, bool Accepted = false);

    private sealed class Tick
    {
        public static readonly Tick Instance = new();
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
