using Akka.Actor;

namespace Supervise.Hosting.Tests.Support;

/// <summary>Answers "ping" with "pong", crashes on "boom", stops on "stop".</summary>
public sealed class Worker : ReceiveActor
{
    public Worker()
    {
        Receive<string>(m => m == "ping", _ => Sender.Tell("pong"));
        Receive<string>(m => m == "boom", _ => throw new InvalidOperationException("boom"));
        Receive<string>(m => m == "stop", _ => Context.Stop(Self));
    }

    public static Props Props { get; } = Akka.Actor.Props.Create<Worker>();
}
