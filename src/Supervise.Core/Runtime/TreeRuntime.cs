using Akka.Actor;
using Supervise.Chaos;

namespace Supervise.Runtime;

/// <summary>
/// What every supervisor of one tree shares, each part in its own type: the options, the clock and its timers, and
/// the event stream (here); the counts watchers read (<see cref="TreeCounts"/>); the stable addresses
/// (<see cref="AddressBook"/>); the settle barrier of virtual time (<see cref="SettleBarrier"/>); and the children an
/// injected fault holds (<see cref="InjectedHolds"/>).
/// </summary>
internal sealed class TreeRuntime
{
    private readonly long _origin;
    private long _epoch;

    public TreeRuntime(ActorSystem system, TreeOptions options)
    {
        System = system;
        Options = options;
        _origin = options.TimeProvider.GetTimestamp();
        Settle = new SettleBarrier(this);
        Holds = new InjectedHolds(this);
    }

    public ActorSystem System { get; }

    public TreeOptions Options { get; }

    public TimeProvider Time => Options.TimeProvider;

    /// <summary>Whether the clock moves on its own (the system's): nothing waits for a virtual-time driver then.</summary>
    public bool RealTime => ReferenceEquals(Time, TimeProvider.System);

    /// <summary>Monotonic time since the tree started.</summary>
    public TimeSpan Elapsed => Time.GetElapsedTime(_origin);

    public DateTimeOffset Now => Time.GetUtcNow();

    public TreeCounts Counts { get; } = new();

    /// <summary>The root supervisor's actor, once it is made.</summary>
    public IActorRef? Root { get; set; }

    public AddressBook Addresses { get; } = new();

    public SettleBarrier Settle { get; }

    public InjectedHolds Holds { get; }

    /// <summary>A number larger than every one given before (orders a supervisor incarnation's start against requests sent to it).</summary>
    public long NextEpoch() => Interlocked.Increment(ref _epoch);

    public void Publish(SupervisionEvent e) => System.EventStream.Publish(e);

    /// <summary>Schedules <paramref name="message"/> to <paramref name="target"/> after <paramref name="delay"/> on the tree's clock.</summary>
    public ITimer Schedule(IActorRef target, object message, TimeSpan delay) =>
        Time.CreateTimer(
            _ =>
            {
                Settle.AwaitHandled(target);
                target.Tell(message, ActorRefs.NoSender);
            },
            null,
            delay,
            Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Asks <paramref name="target"/>, and returns <see langword="null"/> at once if it stops first (a message
    /// to a stopped actor is never answered: a plain Ask would wait for its whole timeout), or if no answer
    /// comes within the call timeout.
    /// </summary>
    public async Task<T?> AskUnlessGoneAsync<T>(IActorRef target, object message, CancellationToken stop = default)
        where T : class
    {
        // Linked to the asker's life: an asker that stops does not stay reachable (with all it holds) through an ask
        // waiting for its timeout.
        using var cancel = CancellationTokenSource.CreateLinkedTokenSource(stop);
        var ask = target.Ask<T>(message, Options.CallTimeout, cancel.Token);
        var gone = target.WatchAsync(cancel.Token);
        await Task.WhenAny(ask, gone).ConfigureAwait(false);
        await cancel.CancelAsync().ConfigureAwait(false);
        try
        {
            return await ask.ConfigureAwait(false);
        }
        catch (Exception e) when (e is AskTimeoutException or TaskCanceledException or OperationCanceledException)
        {
            return null;
        }
    }
}
