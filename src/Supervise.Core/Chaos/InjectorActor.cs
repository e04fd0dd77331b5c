using System.Runtime.CompilerServices;
using Akka.Actor;
using Akka.Event;
using Supervise.Runtime;

// An actor's async handlers must continue on the actor's own context: no ConfigureAwait(false) here.
#pragma warning disable CA2007

namespace Supervise.Chaos;

/// <summary>
/// Runs one chaos experiment on a tree: on each scheduled tick it gathers the running targets, has the
/// <see cref="TargetChooser"/> choose one (and a fault kind) with its seeded random source, asks the target's
/// supervisor to carry the fault out, journals it, and feeds the supervision events to the
/// <see cref="FaultLedger"/>, which sees what came of it and makes the report.
/// </summary>
internal sealed partial class InjectorActor : ReceiveActor
{
    private readonly ChaosOptions _options;
    private readonly IActorRef _root;
    private readonly string _treeName;
    private readonly TreeRuntime _runtime;
    private readonly TargetChooser _chooser;
    private readonly FaultLedger _ledger;
    private readonly Random _gaps;
    private readonly int _seed;
    private readonly TaskCompletionSource<ChaosReport> _done;
    private readonly InjectorState _state;
    private readonly TargetCatalog _catalog;
    private FaultSchedule _schedule;
    private TimeSpan _start;
    private ITimer? _timer;
    private long _sequence;
    private int _replayIndex;
    private bool _rootStopped;
    private TimeSpan? _rootNotRunningSince;
    private ITimer? _abortTimer;
    private TimeSpan _nextAt;
    private bool _ended;

    /// <summary>How long a burst waits for the tree to settle between two of its faults before it goes on regardless.</summary>
    private static readonly TimeSpan SettleBound = TimeSpan.FromSeconds(5);

    private readonly ILoggingAdapter _log = Context.GetLogger();
    private long _ticksScheduled;
    private long _dueTick;
    private bool _postStopped;

    /// <summary>Faults of the current injection time's burst not carried out yet.</summary>
    private int _burstLeft;

    /// <summary>In virtual time, between two faults of a burst: the wait for the tree to settle, cancelled if the run ends.</summary>
    private StrongBox<bool>? _settling;

    public InjectorActor(ChaosOptions options, IActorRef root, string treeName, TreeRuntime runtime, int seed, RunLink link)
    {
        // After its run (a restart after a failure makes a new instance): nothing to run, and Akka stops it.
        var (done, state) = link.Value ?? throw new InvalidOperationException($"The chaos run on tree '{treeName}' is over.");
        _link = link;
        _options = options;
        _root = root;
        _treeName = treeName;
        _runtime = runtime;
        _seed = seed;
        _done = done;
        _state = state;
        _schedule = options.Schedule;
        try
        {
            // Choices and gaps draw from separate streams: a tick that chooses nothing does not move the schedule.
            _chooser = new TargetChooser(options.Targets, seed);
            _ledger = new FaultLedger(runtime.Settle.AwaitHandled, options.JournalCapacity);
            _catalog = new TargetCatalog(options, root, treeName, runtime, _ledger, _stopped.Token);
            _gaps = new Random(unchecked(seed * 31 + 17));
        }
        catch (Exception e)
        {
            // Whoever awaits the start hears why (Akka stops an actor that cannot be made, and only logs it).
            state.Started.TrySetException(RunLink.CouldNotStart(treeName, e));
            throw;
        }

        ReceiveAsync<Tick>(tick => tick.Id == _dueTick, _ =>
        {
            _dueTick = 0; // handled: a second message for it (see ScheduleNext) is ignored
            return OnTickAsync();
        });
        Receive<Tick>(_ => { });
        ReceiveAsync<BurstNext>(next => OnBurstNextAsync(next));
        Receive<AbortCheck>(_ => CheckAbort());
        Receive<FaultOver>(over =>
        {
            FaultLedger.HangOver(over.Fault);
            UpdateUnsettled();
        });
        Receive<NodeFaultOver>(NodeOver);
        Receive<SupervisionEvent>(Observe);
        Receive<Terminated>(t => t.ActorRef.Equals(_root), _ =>
        {
            _rootStopped = true;
            End("the tree stopped");
        });
        Receive<HaltChaos>(h => End(h.Reason));
        Receive<ChangeSchedule>(c =>
        {
            _schedule = c.Schedule;
            if (_state.BurstPending)
            {
                return; // the next injection time is set when the burst is over, by the new schedule
            }

            _timer?.Dispose();
            _nextAt = Now;
            ScheduleNext();
        });
    }

    /// <summary>
    /// The props keep the run's report and journal only through a link the actor empties when it stops: Akka keeps a
    /// stopped actor's props as long as anything refers to it, and a finished run's journal must go with its handle.
    /// </summary>
    public static Props Props(ChaosOptions options, IActorRef root, string treeName, TreeRuntime runtime, int seed, TaskCompletionSource<ChaosReport> done, InjectorState state)
    {
        var link = new RunLink((done, state));
        return Akka.Actor.Props.Create(() => new InjectorActor(options, root, treeName, runtime, seed, link));
    }

    private readonly RunLink _link;

    private TimeSpan Now => _runtime.Elapsed - _start;

    protected override void PreStart()
    {
        try
        {
            _start = _runtime.Elapsed;
            _runtime.Settle.Observers.TryAdd(Self, 0);
            Context.System.EventStream.Subscribe(Self, typeof(SupervisionEvent));
            Context.Watch(_root);
            ScheduleNext();
        }
        catch (Exception e)
        {
            _state.Started.TrySetException(RunLink.CouldNotStart(_treeName, e));
            throw;
        }

        _state.Begin(_runtime, _treeName, _seed);
        _state.Started.TrySetResult();
    }

    /// <summary>
    /// An exception in the injector (a bug, or a fault's exception factory that throws) ends the run, reported with it. Akka
    /// would restart the actor, and a new instance would inject again after the report said the run was over.
    /// </summary>
    protected override void PreRestart(Exception reason, object message)
    {
        _log.Error(reason, "Chaos on {0}: the injector failed; the run ends", _treeName);
        End($"the injector failed: {reason.GetType().Name}: {reason.Message}");
        base.PreRestart(reason, message);
    }

    /// <summary>Not a new run: the new instance stops at once (see <see cref="PreRestart"/>).</summary>
    protected override void PostRestart(Exception reason) => Context.Stop(Self);

    protected override void PostStop()
    {
        _runtime.Settle.Observers.TryRemove(Self, out _);
        _timer?.Dispose();
        _abortTimer?.Dispose();
        Context.System.EventStream.Unsubscribe(Self);
        _postStopped = true;
        End("the injector stopped");
        _link.Value = null;
        _stopped.Cancel();
    }

    private void ScheduleNext()
    {
        if (_ended)
        {
            return;
        }

        if (_options.Replay is { } replay && !_state.InjectionStopped && !BudgetSpent)
        {
            if (EndedWhenDone())
            {
                return;
            }

            // The journal done but node faults still in effect: follow them until the cluster has recovered (each tick expires what is over).
            _nextAt = _replayIndex < replay.Faults.Count ? replay.Faults[_replayIndex].At : Now + _schedule.Interval;
        }
        else if (_options.Replay is not null)
        {
            // No more faults from the journal: ticks only follow the faults in effect until the run ends.
            _nextAt = Now + _schedule.Interval;
        }
        else
        {
            // Times are absolute from the start of the run: time spent handling a tick does not shift the next.
            var gap = _schedule.Random
                ? TimeSpan.FromTicks((long)Math.Min(-Math.Log(1 - _gaps.NextDouble()) * _schedule.Interval.Ticks, PolicyChecks.MaxTimer.Ticks))
                : _schedule.Interval;
            _nextAt += gap;
        }

        if (_options.Duration is { } duration && _nextAt > duration)
        {
            _nextAt = duration;
        }

        var wait = _nextAt - Now;
        wait = wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        _state.NextDue = _runtime.Time.GetTimestamp() + (long)(wait.Ticks * (_runtime.Time.TimestampFrequency / (double)TimeSpan.TicksPerSecond));
        var tick = new Tick(_dueTick = ++_ticksScheduled);
        _timer?.Dispose();
        _timer = _runtime.Schedule(Self, tick, wait);
        if (wait > TimeSpan.Zero && Now >= _nextAt)
        {
            // A virtual clock moved past the injection time while the timer was set (it counts from then): due now; a second message is ignored.
            Self.Tell(tick);
        }
    }

    private async Task OnTickAsync()
    {
        if (_ended)
        {
            return;
        }

        ExpireActive();
        if (_options.Duration is { } duration && (Now >= duration || _nextAt >= duration))
        {
            // The tick set for the run's end ends it, even if its timer came a little early.
            End("its duration was over");
            return;
        }

        if (EndedWhenDone())
        {
            return;
        }

        if (BudgetSpent || _state.InjectionStopped || JournalDone)
        {
            // No more faults: the ones in effect are followed until the run ends.
        }
        else if (_options.Replay is { } replay)
        {
            // A burst is replayed as it ran: the journal's entries of one instant, one after another.
            var at = replay.Faults[_replayIndex].At;
            _burstLeft = replay.Faults.Skip(_replayIndex).TakeWhile(f => f.At == at).Count();
            if (await InjectBurstAsync())
            {
                return;
            }
        }
        else if (InWindow())
        {
            _burstLeft = _schedule.Burst;
            if (await InjectBurstAsync())
            {
                return; // the rest of the burst comes once the tree has settled
            }
        }

        ScheduleNext();
        _state.Ticked();
    }

    private async Task OnBurstNextAsync(BurstNext next)
    {
        if (_ended || !ReferenceEquals(next.Settling, _settling))
        {
            return;
        }

        _settling = null;
        if (!next.Settled)
        {
            _log.Warning(
                "Chaos on {0}: the tree did not settle within {1} s after a fault of a burst; the burst goes on, and this run may not repeat exactly",
                _treeName,
                SettleBound.TotalSeconds);
        }

        if (!await InjectBurstAsync())
        {
            ScheduleNext();
            _state.Ticked();
        }
    }

    private void WaitToSettle()
    {
        var settling = _settling = new StrongBox<bool>();
        var self = Self;
        var state = _state;
        // Bounded: a fault that cannot land at this instant does not stall the run (the burst goes on, at the cost of exactness).
        // Not waiting on itself: the BurstNext it is told comes after every event published before.
        _runtime.Settle.SettleAsync(() => state.Landing == 0, () => Volatile.Read(ref settling.Value), SettleBound, CancellationToken.None, self)
            .ContinueWith(
                settled =>
                {
                    if (!Volatile.Read(ref settling.Value))
                    {
                        self.Tell(new BurstNext(settling, settled.IsCompletedSuccessfully && settled.Result));
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
    }

    /// <summary>A burst waits to go on: the tree, and a driver of virtual time, wait for it as for a fault in motion.</summary>
    private bool InWindow() =>
        _schedule.Windows.Count == 0 || _schedule.Windows.Any(w => Now >= w.From && Now < w.To);

    /// <summary>Whether a replay has injected its whole journal.</summary>
    private bool JournalDone => _options.Replay is { } replay && _replayIndex >= replay.Faults.Count;

    /// <summary>
    /// Ends the run if nothing more can happen in it: its <see cref="ChaosOptions.MaxFaults"/> are carried
    /// out and over, or its journal is replayed and no node fault is still in effect.
    /// </summary>
    private bool EndedWhenDone()
    {
        if (BudgetSpent && _ledger.Active.Count == 0)
        {
            End($"its {_options.MaxFaults} faults were carried out (MaxFaults)");
        }
        else if (JournalDone && !_ledger.NodeFaultsInEffect)
        {
            End("the journal was replayed");
        }

        return _ended;
    }

    /// <summary>The nodes <see cref="ChaosOptions.Nodes"/> says may be faulted now; none if it cannot say.</summary>
    private IReadOnlyList<string> NodeTargets()
    {
        try
        {
            return _options.Nodes!.Targets;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _log.Warning(e, "The chaos run's nodes could not say which may be faulted: {0}", e.Message);
            return [];
        }
    }

    private bool InTree(SupervisionEvent e) =>
        e.SupervisorPath == _treeName || e.SupervisorPath.StartsWith(_treeName + "/", StringComparison.Ordinal);

    private void Observe(SupervisionEvent e)
    {
        if (!InTree(e))
        {
            return;
        }

        _catalog.Forget(e.SupervisorPath);
        ObserveEvent(e);
        UpdateUnsettled();
    }

    private void ObserveEvent(SupervisionEvent e)
    {
        _ledger.Observe(e);
        switch (e)
        {
            case TreeShutdown shutdown when shutdown.SupervisorPath == _treeName:
                _rootStopped = true;
                End($"the tree stopped ({shutdown.Reason})");
                break;
            case HealthChanged { ChildId: null } health when health.SupervisorPath == _treeName:
                if (health.Current == HealthState.Running)
                {
                    _rootNotRunningSince = null;
                    _abortTimer?.Dispose();
                }
                else if (_rootNotRunningSince is null && _options.AbortWhenRootNotRunningFor is { } limit && !_ended)
                {
                    _rootNotRunningSince = Now;
                    _abortTimer = _runtime.Schedule(Self, AbortCheck.Instance, limit);
                }

                break;
        }
    }

    /// <summary>Publishes the ledger's counts of faults not settled yet, for a virtual-time driver and the tree's settle.</summary>
    private void UpdateUnsettled()
    {
        var (unsettled, landing, waiting) = _ledger.Unsettled();
        landing = _ended ? 0 : landing;
        _state.SetUnsettled(unsettled, landing, waiting);

        // The tree's settle waits for these too (WhenSettledAsync), not only a driver that asks the injector.
        _runtime.Counts.FaultsLandingChanged(landing - _reportedLanding);
        _reportedLanding = landing;
    }

    /// <summary>What this run last added to the tree's count of faults not landed yet.</summary>
    private int _reportedLanding;

    private void CheckAbort()
    {
        if (_options.AbortWhenRootNotRunningFor is { } limit && _rootNotRunningSince is { } since && Now - since >= limit)
        {
            End($"aborted: the root was not Running for {limit.TotalSeconds:0.###} s");
        }
    }

    private void ExpireActive()
    {
        CheckAbort();
        _ledger.Expire(Now, _options.RecoveryTimeout);
        UpdateUnsettled();
    }

    private void End(string reason)
    {
        if (_ended || _state.Ended)
        {
            _ended = true;
            return;
        }

        _ended = true;
        _state.Ended = true;
        UpdateUnsettled(); // nothing of this run is landing any more
        _timer?.Dispose();
        _abortTimer?.Dispose();
        if (_settling is { } settling)
        {
            Volatile.Write(ref settling.Value, true);
        }

        BurstPending(false);
        // Faults still in effect end with the run: hung children resume, armed drops and delays are cancelled.
        _runtime.Holds.LiftAll();
        var report = _ledger.Report(_seed, Now, reason, !_rootStopped, _state.Journal(_seed)) with { BehindSchedule = BehindSchedule() };
        // Not to itself: it stops right after, and the event would be a dead letter.
        Context.System.EventStream.Unsubscribe(Self);
        _state.End(_runtime, _treeName, report);
        _done.TrySetResult(report);
        _link.Value = null; // the report and journal are the handle's from now on
        if (!_postStopped)
        {
            // After the events already in its mailbox (its own last FaultSkipped, say): they are handled, not dead letters.
            Self.Tell(PoisonPill.Instance);
        }
    }
}
