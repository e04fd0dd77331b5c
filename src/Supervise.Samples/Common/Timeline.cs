using System.Diagnostics;
using Akka.Actor;

namespace Supervise.Samples.Common;

/// <summary>What a timeline entry shows.</summary>
internal enum MomentKind
{
    /// <summary>The sample explains a step.</summary>
    Say,

    /// <summary>The fault injector struck.</summary>
    Fault,

    /// <summary>A child crashed or failed to start.</summary>
    Crash,

    /// <summary>A child was restarted.</summary>
    Restart,

    /// <summary>A supervisor gave up (escalation), or a policy stopped a child for good.</summary>
    GaveUp,

    /// <summary>A supervisor's or a child's health changed.</summary>
    Health,

    /// <summary>A message was dropped (reported, never silent).</summary>
    Dropped,

    /// <summary>A live upgrade began, changed a child, watched a step, or ended.</summary>
    Upgrade,

    /// <summary>
    /// A child stopped: always kept for the report, fed to the view only when the sample asks (<see cref="Timeline.ShowStopsFrom"/>:
    /// a busy switch's calls end all the time).
    /// </summary>
    Stopped,

    /// <summary>A child that had stopped was started again: its lane goes on (kept for the report, never fed).</summary>
    Started,
}

/// <summary>One moment of a run: when (from its start), what, where.</summary>
internal sealed record Moment(TimeSpan At, MomentKind Kind, string Path, string Detail, HealthState? Health = null);

/// <summary>Everything that happened in a run, in order, for the live view's feed and the report's timeline.</summary>
internal sealed class Timeline
{
    private readonly object _gate = new();
    private readonly List<Moment> _moments = [];
    private readonly List<IActorRef> _recorders = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private long _dropped;
    private readonly HashSet<string> _stopped = new(StringComparer.Ordinal);

    /// <summary>Called for each moment as it is added (the view's feed).</summary>
    public event Action<Moment>? Added;

    public TimeSpan Elapsed => _clock.Elapsed;

    private long _showStopsFrom = DateTimeOffset.MaxValue.UtcTicks;

    /// <summary>
    /// Shows children's stops that happen at <paramref name="from"/> or later (the tour, as its tree stops in order). Decided by
    /// each event's own time, not by when the recorder reads it: a stop of an earlier step read late stays out.
    /// </summary>
    public void ShowStopsFrom(DateTimeOffset from) => Interlocked.Exchange(ref _showStopsFrom, from.UtcTicks);

    /// <summary>Messages reported dropped (each one, even when the feed shows only a few).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    public IReadOnlyList<Moment> Moments
    {
        get
        {
            lock (_gate)
            {
                return _moments.ToList();
            }
        }
    }

    /// <summary>Adds a moment; a <paramref name="quiet"/> one is kept for the report, not passed to the feed.</summary>
    public void Add(MomentKind kind, string path, string detail, HealthState? health = null, bool quiet = false)
    {
        // Timed, kept and passed on under one lock: the list, the feed and the report see moments in time order.
        lock (_gate)
        {
            var moment = new Moment(_clock.Elapsed, kind, path, detail, health);
            _moments.Add(moment);
            if (!quiet)
            {
                Added?.Invoke(moment);
            }
        }
    }

    /// <summary>Records the supervision events of <paramref name="system"/> from now on.</summary>
    public void Record(ActorSystem system)
    {
        var recorder = system.ActorOf(Props.Create(() => new Recorder(this)));
        system.EventStream.Subscribe(recorder, typeof(SupervisionEvent)); // now: nothing published after this is missed
        lock (_gate)
        {
            _recorders.Add(recorder);
        }
    }

    /// <summary>
    /// Waits until every event published so far is in the timeline. Call it before the actor system ends, which would drop
    /// what a recorder still holds.
    /// </summary>
    public async Task FlushAsync()
    {
        List<IActorRef> recorders;
        lock (_gate)
        {
            recorders = [.. _recorders];
        }

        foreach (var recorder in recorders)
        {
            await recorder.HandledAllSentAsync();
        }
    }

    internal void Observe(SupervisionEvent e)
    {
        switch (e)
        {
            case FaultInjected f:
                Add(MomentKind.Fault, f.Fault.Target, f.Fault.Kind.ToString());
                break;
            case ChildCrashed c:
                Add(MomentKind.Crash, c.ChildPath, c.Cause.Message);
                break;
            case ChildStartFailed s:
                Add(MomentKind.Crash, s.ChildPath, "start failed: " + s.Cause.Message);
                break;
            case ChildRestarted r:
                Add(MomentKind.Restart, r.ChildPath, $"restart {r.RestartsInWindow} of {r.Intensity} in {r.Period.TotalSeconds:0} s");
                break;
            case SupervisorGaveUp g:
                Add(MomentKind.GaveUp, g.SupervisorPath, "gave up: " + g.Reason.Message);
                break;
            case ChildIsolated i:
                Add(MomentKind.GaveUp, i.ChildPath, "isolated");
                break;
            case CircuitChanged c:
                Add(MomentKind.GaveUp, c.ChildPath, $"circuit {c.State}");
                break;
            case ChildTerminated t:
                // Kept for the report (a stopped child's lane ends there, not Down to the end); fed only when asked.
                Add(MomentKind.Stopped, t.ChildPath, "stopped: " + t.Reason, quiet: t.Timestamp.UtcTicks < Interlocked.Read(ref _showStopsFrom));
                lock (_stopped)
                {
                    _stopped.Add(t.ChildPath);
                }

                break;
            case ChildStarted s:
                // Only a child seen stopping is noted again: a busy switch starts a call for every one it connects.
                bool again;
                lock (_stopped)
                {
                    again = _stopped.Remove(s.ChildPath);
                }

                if (again)
                {
                    Add(MomentKind.Started, s.ChildPath, "started", quiet: true);
                }

                break;
            case HealthChanged { ChildId: null } h when h.SupervisorPath.Contains('/', StringComparison.Ordinal):
                // A nested supervisor's own change is its parent's view of it again (the same path), and can come late: an
                // instance that gave up says Down as it ends, after its parent has started the next one. The parent's view is kept.
                break;
            case HealthChanged h:
                // Every change is kept: the report draws each lane's health from them (a child back to Running included).
                // The feed shows supervisors' changes and children going Down or coming back from it: every call of a busy
                // switch changing state would drown the rest.
                Add(
                    MomentKind.Health,
                    h.ChildId is null ? h.SupervisorPath : h.SupervisorPath + "/" + h.ChildId,
                    $"{h.Previous} -> {h.Current}",
                    h.Current,
                    quiet: h.ChildId is not null && h.Current != HealthState.Down && h.Previous != HealthState.Down);
                break;
            case MessageDropped d:
                Interlocked.Increment(ref _dropped);
                Add(MomentKind.Dropped, d.ChildPath, d.Why);
                break;
            case UpgradeStarted u:
                Add(MomentKind.Upgrade, u.SupervisorPath, $"upgrade started: {u.Plan.Steps.Count} steps");
                break;
            case ChildUpgraded u:
                Add(MomentKind.Upgrade, u.ChildPath, u.Change);
                break;
            case UpgradeStepWatched w:
                Add(MomentKind.Upgrade, w.SupervisorPath, $"watched {string.Join(", ", w.Children)}: {w.Failure ?? "passed"}");
                break;
            case UpgradeEnded u:
                Add(MomentKind.Upgrade, u.SupervisorPath, "upgrade " + u.Result switch
                {
                    UpgradeResult.Completed => "completed",
                    UpgradeResult.RolledBack r => "rolled back after " + r.Failure,
                    UpgradeResult.Stopped s => "stopped after " + s.Failure,
                    _ => "refused",
                });
                break;
        }
    }

    private sealed class Recorder : ReceiveActor
    {
        public Recorder(Timeline timeline) => Receive<SupervisionEvent>(timeline.Observe);
    }
}
