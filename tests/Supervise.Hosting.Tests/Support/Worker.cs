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

/// <summary>Completes when an event of the actor system's event stream matches.</summary>
public static class EventStreamExtensions
{
    public static Task<T> WhenEventAsync<T>(this ActorSystem system, Func<T, bool>? match = null)
        where T : class
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = system.ActorOf(Akka.Actor.Props.Create(() => new Watcher<T>(match ?? (_ => true), done)));
        system.EventStream.Subscribe(watcher, typeof(T)); // now, not when the actor starts: nothing published after this call is missed
        return done.Task.WaitAsync(TimeSpan.FromSeconds(10)).ContinueWith(
            t =>
            {
                watcher.Tell(PoisonPill.Instance);
                return t.Result;
            },
            TaskScheduler.Default);
    }

    private sealed class Watcher<T> : ReceiveActor
        where T : class
    {
        public Watcher(Func<T, bool> match, TaskCompletionSource<T> done)
        {
            Receive<T>(e =>
            {
                if (match(e))
                {
                    done.TrySetResult(e);
                }
            });
        }

        protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
    }
}
