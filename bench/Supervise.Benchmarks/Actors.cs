using Akka.Actor;

namespace Supervise.Benchmarks;

internal sealed record Ping(int N);

internal sealed record Pong(int N);

internal sealed record CrashNow;

/// <summary>The worker every figure uses on both sides: answers pings, crashes on request.</summary>
internal sealed class Echo : ActorBase
{
    protected override bool Receive(object message)
    {
        switch (message)
        {
            case Ping ping:
                Sender.Tell(new Pong(ping.N));
                return true;
            case CrashNow:
                throw new InvalidOperationException("crash on request");
            default:
                return false;
        }
    }

    public static readonly Props Props = Props.Create<Echo>();
}

/// <summary>Counts the pongs it gets and completes when it has them all.</summary>
internal sealed class Collector : ActorBase
{
    private readonly int _expected;
    private readonly TaskCompletionSource _done;
    private int _count;

    public Collector(int expected, TaskCompletionSource done)
    {
        _expected = expected;
        _done = done;
    }

    protected override bool Receive(object message)
    {
        if (message is Pong && ++_count == _expected)
        {
            _done.TrySetResult();
        }

        return true;
    }
}

/// <summary>
/// Ping-pong: keeps <see cref="Window"/> pings in flight to a target until it has had <c>rounds</c> pongs.
/// With one ping in flight the figure measures whether the two actors happen to share a thread (it is
/// bimodal on two cores); a window measures the message path.
/// </summary>
internal sealed class Pinger : ActorBase
{
    public const int Window = 64;

    private readonly IActorRef _target;
    private readonly int _rounds;
    private readonly TaskCompletionSource _done;
    private int _sent;
    private int _received;

    public Pinger(IActorRef target, int rounds, TaskCompletionSource done)
    {
        _target = target;
        _rounds = rounds;
        _done = done;
    }

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case "go":
                while (_sent < Math.Min(Window, _rounds))
                {
                    _target.Tell(new Ping(_sent++));
                }

                return true;
            case Pong:
                if (++_received == _rounds)
                {
                    _done.TrySetResult();
                }
                else if (_sent < _rounds)
                {
                    _target.Tell(new Ping(_sent++));
                }

                return true;
            default:
                return false;
        }
    }
}

/// <summary>A raw Akka.NET parent: creates children on request, restarts or escalates by its strategy.</summary>
internal sealed class RawParent : ActorBase
{
    private readonly SupervisorStrategy _strategy;

    public RawParent(SupervisorStrategy strategy) => _strategy = strategy;

    protected override SupervisorStrategy SupervisorStrategy() => _strategy;

    protected override bool Receive(object message)
    {
        switch (message)
        {
            case CreateChildren create:
                for (var i = 0; i < create.Count; i++)
                {
                    Context.ActorOf(create.Props, create.Prefix + i);
                }

                Sender.Tell(Context.GetChildren().ToList());
                return true;
            default:
                return false;
        }
    }

    public static Props With(SupervisorStrategy strategy) => Props.Create(() => new RawParent(strategy));
}

internal sealed record CreateChildren(Props Props, int Count, string Prefix);

internal static class Systems
{
    public const string Config = """
        akka.loglevel = OFF
        akka.stdout-loglevel = OFF
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        """;

    /// <summary>
    /// Runs one measurement in a fresh actor system and waits until that system has fully terminated, so
    /// one measurement's actors are not still being torn down during the next.
    /// </summary>
    public static async Task<T> MeasureInAsync<T>(string name, Func<ActorSystem, Task<T>> measure)
    {
        var system = ActorSystem.Create(name, Config);
        try
        {
            return await measure(system);
        }
        finally
        {
            await system.Terminate();
        }
    }

    public static SupervisorStrategy RestartForever(bool allForOne = false) => allForOne
        ? new AllForOneStrategy(-1, -1, _ => Directive.Restart, loggingEnabled: false)
        : new OneForOneStrategy(-1, -1, _ => Directive.Restart, loggingEnabled: false);
}

/// <summary>Counts children that have run PreStart; completes when the expected number have.</summary>
internal sealed class Started(int expected)
{
    private int _count;

    public TaskCompletionSource All { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void One()
    {
        if (Interlocked.Increment(ref _count) == expected)
        {
            All.TrySetResult();
        }
    }
}

/// <summary>A child that counts its PreStart and does nothing else.</summary>
internal sealed class Counted(Started started) : ActorBase
{
    protected override void PreStart() => started.One();

    protected override bool Receive(object message) => false;
}
