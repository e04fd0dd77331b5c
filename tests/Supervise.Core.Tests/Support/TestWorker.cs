using Akka.Actor;
using Akka.Event;

namespace Supervise.Tests.Support;

/// <summary>A worker reported its start (PreStart of a new incarnation).</summary>
public sealed record Up(string Id, IActorRef Ref, int Incarnation);

/// <summary>A worker's incarnation ended (PostStop, also called by the default PreRestart).</summary>
public sealed record Down(string Id, int Incarnation);

/// <summary>A worker is now blocked inside a handler, waiting on a <see cref="Block"/> gate.</summary>
public sealed record Blocked(string Id);

/// <summary>A worker handled a message.</summary>
public sealed record Got(string Id, object Message);

public sealed record Crash(string Why);

public sealed record StopSelf;

public sealed record ExitWith(ExitReason Reason);

public sealed record Echo(object Payload);

public sealed record Block(ManualResetEventSlim Gate);

/// <summary>Blocks the worker inside a handler until the gate opens, then crashes it.</summary>
public sealed record BlockThenCrash(ManualResetEventSlim Gate);

public sealed class TestCrashException(string why) : Exception(why);

/// <summary>Crashes the worker the first <paramref name="failures"/> times it is handled, then is handled normally.</summary>
public sealed class Flaky(string name, int failures)
{
    private int _remaining = failures;

    public string Name { get; } = name;

    public bool FailsNow() => Interlocked.Decrement(ref _remaining) >= 0;

    public override string ToString() => $"Flaky({Name})";
}

/// <summary>Shared, thread-safe knobs for a test worker: start failures and incarnation counting.</summary>
public sealed class WorkerScript
{
    private int _incarnations;

    /// <summary>Given the incarnation number (1 for the first), whether the constructor throws.</summary>
    public Func<int, bool> FailConstructor { get; init; } = _ => false;

    /// <summary>Given the incarnation number, whether PreStart throws.</summary>
    public Func<int, bool> FailPreStart { get; init; } = _ => false;

    public int Incarnations => Volatile.Read(ref _incarnations);

    internal int Next() => Interlocked.Increment(ref _incarnations);
}

/// <summary>A scriptable worker that reports its lifecycle and every message to a probe.</summary>
public sealed class TestWorker : UntypedActor
{
    private readonly string _id;
    private readonly IActorRef _probe;
    private readonly WorkerScript _script;
    private readonly int _incarnation;

    public TestWorker(string id, IActorRef probe, WorkerScript script)
    {
        _id = id;
        _probe = probe;
        _script = script;
        _incarnation = script.Next();
        if (script.FailConstructor(_incarnation))
        {
            throw new TestCrashException($"{id} constructor fails (incarnation {_incarnation})");
        }
    }

    public static Props Props(string id, IActorRef probe, WorkerScript? script = null) =>
        Akka.Actor.Props.Create(() => new TestWorker(id, probe, script ?? new WorkerScript()));

    protected override void PreStart()
    {
        if (_script.FailPreStart(_incarnation))
        {
            throw new TestCrashException($"{_id} PreStart fails (incarnation {_incarnation})");
        }

        _probe.Tell(new Up(_id, Self, _incarnation));
    }

    protected override void PostStop() => _probe.Tell(new Down(_id, _incarnation));

    /// <summary>Waits for the test to open <paramref name="gate"/>; a gate never opened is said in the test's output, not passed over in silence.</summary>
    private void GateOpened(ManualResetEventSlim gate)
    {
        if (!gate.Wait(TimeSpan.FromSeconds(30)))
        {
            Context.GetLogger().Error("{0}: its gate was not opened within 30 s; it goes on (a test waited for something that needed the gate open?)", _id);
        }
    }

    protected override void OnReceive(object message)
    {
        switch (message)
        {
            case Crash crash:
                throw new TestCrashException(crash.Why);
            case Flaky flaky when flaky.FailsNow():
                throw new TestCrashException($"{flaky.Name} fails");
            case StopSelf:
                Context.Stop(Self);
                break;
            case ExitWith exit:
                Supervised.Exit(Context, exit.Reason);
                break;
            case Block block:
                _probe.Tell(new Blocked(_id));
                GateOpened(block.Gate);
                _probe.Tell(new Got(_id, message));
                break;
            case BlockThenCrash blockThenCrash:
                _probe.Tell(new Blocked(_id));
                GateOpened(blockThenCrash.Gate);
                throw new TestCrashException($"{_id} crashes after its gate opened");
            case Echo echo:
                _probe.Tell(new Got(_id, echo.Payload));
                Sender.Tell(echo.Payload);
                break;
            default:
                _probe.Tell(new Got(_id, message));
                break;
        }
    }
}
