using Akka.Actor;

namespace Supervise.Samples.Tour;

/// <summary>A small worker: counts the jobs it handled, crashes on request.</summary>
internal sealed class Worker : ReceiveActor
{
    private int _handled;

    public Worker(string name)
    {
        Receive<Job>(job =>
        {
            _handled++;
            Sender.Tell($"{name} handled job {job.Number} ({_handled} since its last start)");
        });
        Receive<Fail>(fail => throw new InvalidOperationException($"{name}: {fail.Why}"));
    }

    public static Props Props(string name) => Akka.Actor.Props.Create(() => new Worker(name));
}

internal sealed record Job(int Number);

internal sealed record Fail(string Why);
