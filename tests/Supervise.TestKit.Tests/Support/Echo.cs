using Akka.Actor;

namespace Supervise.Testing.Tests;

/// <summary>The worker of the kit's own tests: answers every message with itself.</summary>
internal sealed class Echo : ReceiveActor
{
    public Echo() => ReceiveAny(m => Sender.Tell(m));

    public static Props Props { get; } = Akka.Actor.Props.Create<Echo>();
}
