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

    /// <summary>
    /// The stable addresses handed out, by child path: kept here, not in a supervisor, so that they outlive
    /// a supervisor restarted by its parent.
    /// </summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, ChildAddress> Addresses { get; } = new(StringComparer.Ordinal);

    /// <summary>Whether any address was ever handed out: until then, starting a child need not look for one.</summary>
    public bool HasAddresses { get => Volatile.Read(ref _hasAddresses); set => Volatile.Write(ref _hasAddresses, value); }

    private bool _hasAddresses;

    /// <summary>The addresses whose paths start with <paramref name="prefix"/> (none before any address was handed out).</summary>
    public IEnumerable<KeyValuePair<string, ChildAddress>> AddressesUnder(string prefix) =>
        HasAddresses ? Addresses.Where(a => a.Key.StartsWith(prefix, StringComparison.Ordinal)) : [];

    public TreeOptions Options { get; }

    public TimeProvider Time => Options.TimeProvider;

    /// <summary>
    /// Children that a supervisor of this tree stopped waiting for past their shutdown timeout and that have
    /// not terminated yet: blocked in a handler, their actors outlive the shutdown that gave up on them.
    /// </summary>
    public int AbandonedChildren => Volatile.Read(ref _abandoned);

    private int _abandoned;

    public void Abandoned() => Interlocked.Increment(ref _abandoned);

    public void AbandonedGone() => Interlocked.Decrement(ref _abandoned);

    /// <summary>Monotonic time since the tree started.</summary>
    public TimeSpan Elapsed => Time.GetElapsedTime(_origin);

    public DateTimeOffset Now => Time.GetUtcNow();

    public void Publish(SupervisionEvent e) => System.EventStream.Publish(e);

    /// <summary>Schedules <paramref name="message"/> to <paramref name="target"/> after <paramref name="delay"/> on the tree's clock.</summary>
    public ITimer Schedule(IActorRef target, object message, TimeSpan delay) =>
        Time.CreateTimer(_ => target.Tell(message, ActorRefs.NoSender), null, delay, Timeout.InfiniteTimeSpan);
}
