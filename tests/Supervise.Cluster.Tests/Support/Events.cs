using Akka.Actor;

namespace Supervise.Cluster.Tests.Support;

public static class EventStreamExtensions
{
    /// <summary>Completes when an event of the node's event stream matches; subscribed before it returns.</summary>
    public static Task<T> WhenEventAsync<T>(this ActorSystem system, Func<T, bool> match)
        where T : class
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = system.ActorOf(Props.Create(() => new Watcher<T>(match, done)));
        system.EventStream.Subscribe(watcher, typeof(T));
        return done.Task;
    }

    private sealed class Watcher<T> : ReceiveActor
        where T : class
    {
        public Watcher(Func<T, bool> match, TaskCompletionSource<T> done) => Receive<T>(e =>
        {
            if (match(e))
            {
                done.TrySetResult(e);
                Context.Stop(Self);
            }
        });

        protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
    }
}
