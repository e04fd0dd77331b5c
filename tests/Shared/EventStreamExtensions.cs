using Akka.Actor;

namespace Supervise.Tests.Common;

/// <summary>Waits for an event of an actor system's event stream (shared by the test projects that are not on Akka.TestKit).</summary>
public static class EventStreamExtensions
{
    /// <summary>
    /// Completes with the first event that matches, published after this call (it subscribes before it
    /// returns), within 30 s.
    /// </summary>
    public static Task<T> WhenEventAsync<T>(this ActorSystem system, Func<T, bool>? match = null)
        where T : class
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var watcher = system.ActorOf(Props.Create(() => new Watcher<T>(match ?? (_ => true), done)));
        system.EventStream.Subscribe(watcher, typeof(T)); // now, not when the actor starts: nothing published after this call is missed
        return done.Task.WaitAsync(TimeSpan.FromSeconds(30));
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
