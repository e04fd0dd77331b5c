using Akka.Actor;

namespace Supervise.Samples.Common;

internal static class Flush
{
    /// <summary>
    /// Completes once <paramref name="actor"/> has handled everything sent to it before this call (a mailbox is in order: its
    /// answer to an Identify comes after them). A stop, or the end of its actor system, would drop what it still holds.
    /// </summary>
    public static Task HandledAllSentAsync(this IActorRef actor) => actor.Ask<ActorIdentity>(new Identify(null), TimeSpan.FromSeconds(10));
}
