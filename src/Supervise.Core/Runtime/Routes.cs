using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>Where a <see cref="ChildAddress"/> sends messages while its child is not reached directly.</summary>
internal abstract class Route
{
    public abstract void Deliver(ChildAddress address, object message, IActorRef sender);
}

/// <summary>Nobody can take the message: it is dropped and reported.</summary>
internal sealed class DropRoute(string why) : Route
{
    public string Why { get; } = why;

    public override void Deliver(ChildAddress address, object message, IActorRef sender) => address.ReportDropped(message, Why);
}

/// <summary>The sender is told at once that the child is unavailable.</summary>
internal sealed class RejectRoute(HealthState state, string why) : Route
{
    public HealthState State { get; } = state;

    public string Why { get; } = why;

    public override void Deliver(ChildAddress address, object message, IActorRef sender)
    {
        if (sender is null || sender.IsNobody() || ReferenceEquals(sender, ActorRefs.NoSender))
        {
            address.ReportDropped(message, $"rejected ({Why}), and it had no sender to tell");
            return;
        }

        address.ReportRejected();
        sender.Tell(new Unavailable(address.SupervisorPath, address.ChildId, State, Why), address);
    }
}

/// <summary>A stand-in answers.</summary>
internal sealed class FallbackRoute(IActorRef standIn) : Route
{
    public IActorRef StandIn { get; } = standIn;

    public override void Deliver(ChildAddress address, object message, IActorRef sender) => StandIn.Tell(message, sender);
}

/// <summary>Messages are held until the child runs again; a full buffer drops by its overflow rule, reported.</summary>
internal sealed class BufferRoute(BufferPolicy policy) : Route
{
    private readonly Queue<(object Message, IActorRef Sender)> _held = new();
    private bool _released;

    public int Count
    {
        get
        {
            lock (_held)
            {
                return _held.Count;
            }
        }
    }

    public override void Deliver(ChildAddress address, object message, IActorRef sender)
    {
        (object Message, IActorRef Sender)? evicted = null;
        lock (_held)
        {
            if (!_released)
            {
                if (_held.Count < policy.Capacity)
                {
                    _held.Enqueue((message, sender));
                    return;
                }

                if (policy.Overflow == BufferOverflow.DropOldest)
                {
                    evicted = _held.Dequeue();
                    _held.Enqueue((message, sender));
                }
                else
                {
                    evicted = (message, sender);
                }
            }
        }

        if (evicted is { } dropped)
        {
            address.ReportDropped(dropped.Message, $"the buffer of {policy.Capacity} messages was full ({policy.Overflow})");
            return;
        }

        // Released while this sender was on its way in: the address points elsewhere now.
        address.DeliverVia(address.RouteNow, message, sender);
    }

    /// <summary>Replays the held messages, in arrival order, through <paramref name="next"/>, and points the address there.</summary>
    public void Release(ChildAddress address, object next)
    {
        lock (_held)
        {
            while (_held.TryDequeue(out var held))
            {
                address.DeliverVia(next, held.Message, held.Sender);
            }

            address.SetRoute(next);
            _released = true;
        }
    }
}
