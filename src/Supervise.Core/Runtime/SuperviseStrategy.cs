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

    public SuperviseStrategy(Action<IActorRef, Exception> onFailure)
    {
        _onFailure = onFailure;
    }

    public override IDecider Decider { get; } = Akka.Actor.Decider.From(Directive.Restart);

    protected override Directive Handle(IActorRef child, Exception exception) => Directive.Restart;

    public override void ProcessFailure(IActorContext context, bool restart, IActorRef child, Exception cause, ChildRestartStats stats, IReadOnlyCollection<ChildRestartStats> children) =>
        _onFailure(child, cause);

    public override void HandleChildTerminated(IActorContext actorContext, IActorRef child, IEnumerable<IInternalActorRef> children)
    {
        // Terminations arrive as Terminated messages through death watch.
    }

    public override ISurrogate ToSurrogate(ActorSystem system) =>
        throw new NotSupportedException("A Supervise strategy belongs to its local supervisor and is never serialized.");
}
