using Akka.Actor;
using Supervise.Runtime;

namespace Supervise;

/// <summary>What a supervised child can call about its own lifecycle.</summary>
public static class Supervised
{
    /// <summary>
    /// Stops the calling child with an exit reason its supervisor acts on: a Transient child is restarted
    /// only if <paramref name="reason"/> is abnormal. A plain <c>Context.Stop(Self)</c> is a normal exit.
    /// </summary>
    /// <param name="context">The child's own context.</param>
    /// <param name="reason">Why it exits.</param>
    public static void Exit(IActorContext context, ExitReason reason)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(reason);
        context.Parent.Tell(new ChildExiting(reason), context.Self);
        context.Stop(context.Self);
    }
}
