using System.Diagnostics;
using Supervise.Runtime;

namespace Supervise.Chaos;

/// <summary>Shared with the <see cref="FaultInjector"/> handle: the halt switch and the journal so far.</summary>
internal sealed class InjectorState(int journalCapacity = int.MaxValue, Action<FaultRecord>? sink = null)
{
    private readonly List<FaultRecord> _journal = [];
    private long _omitted;
    private readonly Counter _journaled = new();
    private readonly Counter _ticks = new();
    private volatile bool _halted;
    private volatile bool _ended;
    private volatile bool _injectionStopped;
    private volatile bool _burstPending;
    private long _nextDue;
    private long _unsettled;

    /// <summary>Completes once the run's clock has started and its first injection is scheduled.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Halted { get => _halted; set => _halted = value; }

    /// <summary>The run has ended and reported: no instance of the injector (a restarted one included) runs it again.</summary>
    public bool Ended { get => _ended; set => _ended = value; }

    /// <summary>No more faults are injected; the run goes on (<see cref="FaultInjector.StopInjecting"/>).</summary>
    public bool InjectionStopped { get => _injectionStopped; set => _injectionStopped = value; }

    /// <summary>Faults carried out whose target has not run again yet.</summary>
    public int Unsettled => Part(2);

    /// <summary>Of those, the ones not landed yet and not waiting for the clock; and a burst's next fault, while it waits for the tree to settle.</summary>
    public int InMotion => Part(1) + (BurstPending ? 1 : 0);

    /// <summary>Faults carried out that have not landed yet and do not wait for the clock.</summary>
    public int Landing => Part(1);

    /// <summary>In virtual time, the rest of a burst waits for the tree to settle.</summary>
    public bool BurstPending { get => _burstPending; set => _burstPending = value; }

    /// <summary>Of those, the ones waiting for the clock (a hang's time, a backoff delay).</summary>
    public int WaitingForClock => Part(0);

    /// <summary>Sets the three counts at once (21 bits each), so that a reader never sees one without the others.</summary>
    public void SetUnsettled(int unsettled, int inMotion, int waiting) =>
        Interlocked.Exchange(ref _unsettled, (Math.Min(unsettled, Mask) << 42) | (Math.Min(inMotion, Mask) << 21) | Math.Min(waiting, Mask));

    private const long Mask = (1 << 21) - 1;

    private int Part(int index) => (int)((Interlocked.Read(ref _unsettled) >> (21 * index)) & Mask);

    /// <summary>When the next injection is due, as a timestamp of the tree's <see cref="TimeProvider"/>.</summary>
    public long NextDue { get => Interlocked.Read(ref _nextDue); set => Interlocked.Exchange(ref _nextDue, value); }

    public int Ticks => _ticks.Value;

    public void Ticked() => _ticks.Increment();

    public Task WhenTicks(int count) => _ticks.WhenAtLeast(count);

    /// <summary>The run's span (<see cref="SuperviseTracing"/>); null with no listener.</summary>
    private Activity? _span;

    /// <summary>Events the span got (at most <see cref="MaxSpanEvents"/>), and the ones past that.</summary>
    private int _spanEvents;

    /// <summary>A span keeps its events in memory until it ends: a long run's faults beyond these are counted on it.</summary>
    public const int MaxSpanEvents = 1_000;

    /// <summary>How late the last injection time was served (see <see cref="ChaosReport.BehindSchedule"/>).</summary>
    public TimeSpan Lateness { get; set; }

    /// <summary>The run begins: its event is published and its span starts (not left current on the injector's thread).</summary>
    public void Begin(TreeRuntime runtime, string tree, int seed)
    {
        var current = Activity.Current;
        _span = SuperviseTracing.Source.StartActivity("supervise.chaos", ActivityKind.Internal, default(ActivityContext));
        Activity.Current = current;
        _span?.SetTag("supervise.tree", tree).SetTag("supervise.chaos.seed", seed);
        runtime.Publish(new ChaosStarted(tree, runtime.Now, seed));
    }

    /// <summary>The run ends: its report is published, and its span ends with the report's figures.</summary>
    public void End(TreeRuntime runtime, string tree, ChaosReport report)
    {
        if (Interlocked.Exchange(ref _span, null) is { } span)
        {
            span.SetTag("supervise.chaos.faults", report.CarriedOut).SetTag("supervise.chaos.skipped", report.Skipped)
                .SetTag("supervise.chaos.end", report.EndReason).SetTag("supervise.chaos.root_survived", report.RootSurvived)
                .SetTag("supervise.chaos.events_omitted", Math.Max(0, _spanEvents - MaxSpanEvents));
            span.Stop();
        }

        runtime.Publish(new ChaosEnded(tree, runtime.Now, report));
    }

    /// <summary>Journals <paramref name="record"/>: kept while under the capacity, else counted; given to the sink either way. The run's span gets the first <see cref="MaxSpanEvents"/> as events.</summary>
    public void Add(FaultRecord record)
    {
        lock (_journal)
        {
            if (_journal.Count < journalCapacity)
            {
                _journal.Add(record);
            }
            else
            {
                _omitted++;
            }

            if (_span is { IsAllDataRequested: true } && ++_spanEvents <= MaxSpanEvents)
            {
                _span.AddEvent(new ActivityEvent("fault", tags: new ActivityTagsCollection
                {
                    ["supervise.fault.sequence"] = record.Sequence,
                    ["supervise.fault.kind"] = record.Kind.ToString(),
                    ["supervise.fault.target"] = record.Target,
                    ["supervise.fault.skipped"] = record.Skipped,
                }));
            }
        }

        _journaled.Increment();
        if (sink is not null)
        {
            try
            {
                sink(record);
            }
            catch (Exception e)
            {
                throw new InvalidOperationException($"The chaos run's JournalSink threw {e.GetType().Name} for fault {record.Sequence}: {e.Message}", e);
            }
        }
    }

    /// <summary>The journal so far: the records kept, and how many were not.</summary>
    public FaultJournal Journal(int seed)
    {
        lock (_journal)
        {
            return new FaultJournal(seed, _journal.ToList()) { Omitted = _omitted };
        }
    }

    public Task WhenCount(int count) => _journaled.WhenAtLeast(count);

    public List<FaultRecord> Snapshot()
    {
        lock (_journal)
        {
            return _journal.ToList();
        }
    }

    /// <summary>A count others can wait on reaching a value.</summary>
    private sealed class Counter
    {
        private readonly List<(int Count, TaskCompletionSource Done)> _waiting = [];
        private int _value;

        public int Value => Volatile.Read(ref _value);

        public void Increment()
        {
            lock (_waiting)
            {
                _value++;
                foreach (var waiting in _waiting.Where(w => w.Count <= _value).ToList())
                {
                    _waiting.Remove(waiting);
                    waiting.Done.TrySetResult();
                }
            }
        }

        public Task WhenAtLeast(int count)
        {
            lock (_waiting)
            {
                if (_value >= count)
                {
                    return Task.CompletedTask;
                }

                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiting.Add((count, done));
                return done.Task;
            }
        }
    }
}

internal sealed record HaltChaos(string Reason);

internal sealed record ChangeSchedule(FaultSchedule Schedule);

/// <summary>What an injector's props hand to the actor: its run's report and shared state, emptied once the run has ended (see <see cref="InjectorActor.Props"/>).</summary>
internal sealed class RunLink((TaskCompletionSource<ChaosReport> Done, InjectorState State)? value)
{
    public (TaskCompletionSource<ChaosReport> Done, InjectorState State)? Value { get; set; } = value;

    /// <summary>The error a start awaits when the injector could not be made or started.</summary>
    public static InvalidOperationException CouldNotStart(string treeName, Exception cause) =>
        new($"The fault injector of tree '{treeName}' could not start: {cause.GetType().Name}: {cause.Message}", cause);
}
