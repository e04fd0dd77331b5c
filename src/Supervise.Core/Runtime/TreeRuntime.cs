using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>What every supervisor of one tree shares: options, the clock, and the event stream.</summary>
internal sealed class TreeRuntime
{
    private readonly long _origin;

    public TreeRuntime(ActorSystem system, TreeOptions options)
    {
        System = system;
        Options = options;
        _origin = options.TimeProvider.GetTimestamp();
    }

    public ActorSystem System { get; }

    public TreeOptions Options { get; }

    public TimeProvider Time => Options.TimeProvider;

    /// <summary>
    /// Set when a supervisor of this tree stopped waiting for a child past its shutdown timeout: that
    /// child's actor ends only when its handler returns, so the tree's actors may outlive its shutdown.
    /// </summary>
    public bool AbandonedChildren
    {
        get => Volatile.Read(ref _abandoned);
        set => Volatile.Write(ref _abandoned, value);
    }

    private bool _abandoned;

    /// <summary>Monotonic time since the tree started.</summary>
    public TimeSpan Elapsed => Time.GetElapsedTime(_origin);

    public DateTimeOffset Now => Time.GetUtcNow();

    public void Publish(SupervisionEvent e) => System.EventStream.Publish(e);

    /// <summary>Schedules <paramref name="message"/> to <paramref name="target"/> after <paramref name="delay"/> on the tree's clock.</summary>
    public ITimer Schedule(IActorRef target, object message, TimeSpan delay) =>
        Time.CreateTimer(_ => target.Tell(message, ActorRefs.NoSender), null, delay, Timeout.InfiniteTimeSpan);
}
