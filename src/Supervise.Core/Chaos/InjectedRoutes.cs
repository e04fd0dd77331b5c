using Akka.Actor;
using Supervise.Runtime;

namespace Supervise.Chaos;

/// <summary>A fault the injector armed on an address: it acts on the next messages, then the route before comes back.</summary>
internal abstract class InjectedRoute(object previous) : Route
{
    /// <summary>The route before the fault, restored when it is over (unless the supervisor moved the address since).</summary>
    public object Previous { get; } = previous;
}

/// <summary>The fault injector's Drop: the next messages are lost (counted and reported).</summary>
internal sealed class DropNextRoute(int count, string why, object previous) : InjectedRoute(previous)
{
    private int _left = count;

    public override void Deliver(ChildAddress address, object message, IActorRef sender)
    {
        if (Interlocked.Decrement(ref _left) >= 0)
        {
            address.ReportDropped(message, why);
            return;
        }

        address.EndInjected(this);
        address.DeliverVia(address.RouteNow, message, sender);
    }
}

/// <summary>
/// The fault injector's Delay: the next message reaches the child, which is then suspended for the delay,
/// so that message (and any behind it) is handled that much later.
/// </summary>
internal sealed class DelayNextRoute(TimeSpan delay, TreeRuntime runtime, object previous) : InjectedRoute(previous)
{
    private int _taken;

    public override void Deliver(ChildAddress address, object message, IActorRef sender)
    {
        if (Interlocked.Exchange(ref _taken, 1) == 0)
        {
            address.EndInjected(this);
            if (Previous is IActorRef child)
            {
                runtime.Holds.SuspendFor(child, delay);
            }
        }

        // The route before, not the address's route now: a sender racing the first would find this one still there.
        address.DeliverVia(Previous, message, sender);
    }
}
