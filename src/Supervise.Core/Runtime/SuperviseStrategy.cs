using Akka.Actor;
using Akka.Actor.Internal;
using Akka.Util;

namespace Supervise.Runtime;

/// <summary>
/// Bridges Akka.NET's failure handling to the supervisor: every child failure is handed to the
/// supervisor actor, which decides by OTP's rules (Akka's own retry counting is never used).
/// </summary>
internal sealed class SuperviseStrategy : SupervisorStrategy
{
    private readonly Action<IActorRef, Exception> _onFailure;
    private readonly Action<IActorRef> _onTerminated;

    public SuperviseStrategy(Action<IActorRef, Exception> onFailure, Action<IActorRef> onTerminated)
    {
        _onFailure = onFailure;
        _onTerminated = onTerminated;
    }

    public override IDecider Decider { get; } = Akka.Actor.Decider.From(Directive.Restart);

    protected override Directive Handle(IActorRef child, Exception exception) => Directive.Restart;

    public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause, ChildRestartStats stats, IReadOnlyCollection<ChildRestartStats> children) =>
        _onFailure(child, cause);

    /// <summary>
    /// Akka calls this while handling the child's death notification, a system message that overtakes
    /// user messages; the supervisor is told by a message to itself, which keeps it behind whatever the
    /// child sent before it stopped (its announced exit reason), as death watch's Terminated would.
    /// </summary>
    public override void HandleChildTerminated(IActorContext actorContext, IActorRef child, IEnumerable<IInternalActorRef> children)
    {
        // A supervisor that is itself terminating handles no more messages: the notice would be a dead letter.
        if (actorContext is ActorCell { ChildrenContainer.IsTerminating: true })
        {
            return;
        }

        _onTerminated(child);
    }

    public override ISurrogate ToSurrogate(ActorSystem system) =>
        throw new NotSupportedException("A Supervise strategy belongs to its local supervisor and is never serialized.");
}
