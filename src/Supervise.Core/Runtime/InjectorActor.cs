using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Akka.Actor;
using Akka.Event;

// An actor's async handlers must continue on the actor's own context: no ConfigureAwait(false) here.
#pragma warning disable CA2007

namespace Supervise.Runtime;

/// <summary>
/// Runs one chaos experiment on a tree: on each scheduled tick it gathers the running targets, chooses
/// one (and a fault kind) with its seeded random source, asks the target's supervisor to carry the fault
/// out, journals it, and follows the supervision events to see what came of it.
/// </summary>
internal sealed class InjectorActor : ReceiveActor
{
    private readonly ChaosOptions _options;
    private readonly IActorRef _root;
    private readonly string _treeName;
    private readonly TreeRuntime _runtime;
    private readonly Random _random;
    private readonly Random _gaps;
    private readonly int _seed;
    private readonly TaskCompletionSource<ChaosReport> _done;
    private readonly InjectorState _state;
    private readonly List<Active> _active = [];
    private readonly Dictionary<string, (IActorRef Supervisor, List<FaultTarget> Children)> _known = new(StringComparer.Ordinal);
    private readonly List<FaultOutcome> _outcomes = [];
    private readonly Dictionary<FaultKind, int> _byKind = [];
    private readonly Dictionary<string, int> _byTarget = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lostByChild = new(StringComparer.Ordinal);
    private readonly Regex[] _include;
    private readonly Regex[] _exclude;
    private readonly (Regex Pattern, double Rate)[] _rates;
    private FaultSchedule _schedule;
    private TimeSpan _start;
    private ITimer? _timer;
    private long _sequence;
    private int _replayIndex;
    private int _skipped;
    private int _restarts;
    private int _escalations;
    private long _lost;
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

    public InjectorActor(ChaosOptions options, IActorRef root, string treeName, TreeRuntime runtime, int seed, TaskCompletionSource<ChaosReport> done, InjectorState state)
    {
        _options = options;
        _root = root;
        _treeName = treeName;
        _runtime = runtime;
        _seed = seed;
        // Choices and gaps draw from separate streams: a tick that chooses nothing does not move the schedule.
        _random = new Random(seed);
        _gaps = new Random(unchecked(seed * 31 + 17));
        _done = done;
        _state = state;
        _schedule = options.Schedule;
        _include = options.Targets.Include.Select(Glob).ToArray();
        _exclude = options.Targets.Exclude.Select(Glob).ToArray();
        _rates = options.Targets.Rates.Select(r => (Glob(r.Pattern), r.Rate)).ToArray();

        ReceiveAsync<Tick>(tick => tick.Id == _dueTick, _ =>
        {
            _dueTick = 0; // handled: a second message for it (see ScheduleNext) is ignored
            return OnTickAsync();
        });
        Receive<Tick>(_ => { });
        ReceiveAsync<BurstNext>(next => OnBurstNextAsync(next));
        Receive<AbortCheck>(_ => CheckAbort());
        Receive<FaultOver>(over => HangOver(over.Fault));
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

    public static Props Props(ChaosOptions options, IActorRef root, string treeName, TreeRuntime runtime, int seed, TaskCompletionSource<ChaosReport> done, InjectorState state) =>
        Akka.Actor.Props.Create(() => new InjectorActor(options, root, treeName, runtime, seed, done, state));

    private TimeSpan Now => _runtime.Elapsed - _start;

    protected override void PreStart()
    {
        _start = _runtime.Elapsed;
        _runtime.Observers.TryAdd(Self, 0);
        Context.System.EventStream.Subscribe(Self, typeof(SupervisionEvent));
        Context.Watch(_root);
        ScheduleNext();
        _runtime.Publish(new ChaosStarted(_treeName, _runtime.Now, _seed));
        _state.Started.TrySetResult();
    }

    protected override void PostStop()
    {
        _runtime.Observers.TryRemove(Self, out _);
        _timer?.Dispose();
        _abortTimer?.Dispose();
        Context.System.EventStream.Unsubscribe(Self);
        _postStopped = true;
        End("the injector stopped");
    }

    /// <summary>A path pattern: <c>**</c> any number of segments, <c>*</c> within one segment.</summary>
    private static Regex Glob(string pattern) => new(
        "^" + Regex.Escape(pattern).Replace(@"\*\*", "\u0001", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal).Replace("\u0001", ".*", StringComparison.Ordinal) + "$",
        RegexOptions.CultureInvariant);

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
            // A virtual clock moved past the injection time while the timer was being set (it counts from
            // when it is set): it is due now. If the timer fires too, the second message is ignored.
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
        if (_options.Duration is { } duration && Now >= duration)
        {
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

    /// <summary>
    /// Carries out the burst's faults left. Every injection time journals Burst entries, carried out or
    /// skipped, so a test in virtual time can wait for them (FaultInjector.WhenJournaledAsync). In virtual
    /// time the faults of a burst come one after another at the same instant, each once the tree has done
    /// all it can about the one before (its fault landed, nothing in progress, every timer and this actor
    /// caught up): what the next one finds then does not depend on the threads, so a seed repeats exactly.
    /// Returns <see langword="true"/> while it waits for that; the injection time is over when it returns
    /// <see langword="false"/>.
    /// </summary>
    private async Task<bool> InjectBurstAsync()
    {
        if (_burstLeft > 1 && !_runtime.RealTime)
        {
            // Before the first fault is journaled: a driver that sees it must not find the tree settled mid-burst.
            BurstPending(true);
        }

        while (_burstLeft > 0 && !_state.Halted && !_state.InjectionStopped && !BudgetSpent)
        {
            _burstLeft--;
            await InjectOneAsync();
            if (_burstLeft > 0 && !_runtime.RealTime && !_ended)
            {
                WaitToSettle();
                return true;
            }
        }

        _burstLeft = 0;
        BurstPending(false);
        return false;
    }

    private void WaitToSettle()
    {
        var settling = _settling = new StrongBox<bool>();
        var self = Self;
        var state = _state;
        // Bounded: a fault that cannot land at this instant does not stall the run (the burst goes on, at the cost of exactness).
        _runtime.SettleAsync(() => state.Landing == 0, () => Volatile.Read(ref settling.Value), SettleBound, CancellationToken.None)
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
    private void BurstPending(bool pending)
    {
        if (_state.BurstPending != pending)
        {
            _state.BurstPending = pending;
            _runtime.PendingInjectionsChanged(pending ? 1 : -1);
        }
    }

    private async Task InjectOneAsync()
    {
        if (_options.Replay is { } replay)
        {
            var record = replay.Faults[_replayIndex++];
            if (record.Skipped is not null)
            {
                // Journaled again as it was (its parameters included), as skipped for the same reason.
                Skipped(record with { Sequence = ++_sequence, At = Now });
            }
            else if (record.Kind.IsNodeFault())
            {
                if (NodeTargets().Contains(record.Target, StringComparer.Ordinal))
                {
                    InjectNode(record.Target, record.Kind);
                }
                else
                {
                    Skipped(record with { Sequence = ++_sequence, At = Now, Skipped = "the node may not be faulted now (it is gone, or a fault would leave too few nodes)" });
                }
            }
            else
            {
                var journaled = (await GatherAsync()).FirstOrDefault(t => t.Path == record.Target);
                await InjectAsync(journaled, record.Target, record.Kind, new FaultChoice(record.Kind) { Duration = record.Duration, Count = record.Count });
            }

            return;
        }

        var choice = Pick(_options.Faults, f => f.Weight);
        if (_active.Count >= _options.MaxConcurrentFaults)
        {
            Skip(choice.Kind, "", $"{_options.MaxConcurrentFaults} earlier fault(s) have not recovered yet (MaxConcurrentFaults)");
            return;
        }

        if (choice.Kind.IsNodeFault())
        {
            var may = NodeTargets();
            var nodes = may.Where(n => !_active.Any(a => a.Record.Target == n && a.Record.Kind.IsNodeFault())).ToList();
            if (nodes.Count == 0)
            {
                Skip(choice.Kind, "", may.Count == 0
                    ? "no node may be faulted now (a fault would leave too few nodes)"
                    : "every node that may be faulted is under a fault already");
                return;
            }

            InjectNode(Pick(nodes, _ => 1), choice.Kind);
            return;
        }

        var targets = (await GatherAsync()).Where(t => Eligible(t) && Handles(choice.Kind, t)).ToList();
        if (targets.Count == 0)
        {
            Skip(choice.Kind, "", "no target is running");
            return;
        }

        var target = Pick(targets, t => RateOf(t.Path));
        await InjectAsync(target, target.Path, choice.Kind, choice);
    }

    /// <summary>
    /// A crash, poison or failing restart is thrown inside the child while it handles a message: a child held
    /// by an injected delay or hang handles none until the clock moves, so it is not chosen for those.
    /// </summary>
    private bool Handles(FaultKind kind, FaultTarget t) =>
        kind is not (FaultKind.Crash or FaultKind.Poison or FaultKind.FailingRestart) || !_runtime.IsSuspended(t.Running!);

    /// <summary>Whether <see cref="ChaosOptions.MaxFaults"/> faults have been carried out: no more are injected.</summary>
    private bool BudgetSpent => _options.MaxFaults is { } max && _byKind.Values.Sum() >= max;

    private void Skip(FaultKind kind, string target, string why) =>
        Skipped(new FaultRecord(++_sequence, Now, target, kind, TimeSpan.Zero, 0, why));

    private void Skipped(FaultRecord record)
    {
        _state.Add(record);
        _skipped++;
        _runtime.Publish(new FaultSkipped(_treeName, _runtime.Now, record));
    }

    private bool InWindow() =>
        _schedule.Windows.Count == 0 || _schedule.Windows.Any(w => Now >= w.From && Now < w.To);

    private bool Eligible(FaultTarget t) =>
        t.Running is not null
        && (t.Kind == ChildKind.Worker || _options.Targets.IncludeSupervisors || t.ChildId == "")
        && _include.Any(r => r.IsMatch(t.Path))
        && !_exclude.Any(r => r.IsMatch(t.Path))
        && (_options.Targets.Tags.Count == 0 || t.Tags.Any(_options.Targets.Tags.Contains))
        && RateOf(t.Path) > 0
        && !_active.Any(a => a.Target.Path == t.Path)
        && !_runtime.IsSuspended(t.Supervisor)
        && !Hung(t.Path);

    /// <summary>
    /// Whether <paramref name="path"/> is a supervisor hung by a fault, or under one (Akka suspends its whole
    /// subtree): nothing there answers until the hang is over, so nothing there is asked or hit.
    /// </summary>
    private bool Hung(string path) => _active.Any(a =>
        a.Until is not null && a.RecoveredAfter is null && a.Target.Kind == ChildKind.Supervisor
        && (path == a.Target.Path || path.StartsWith(a.Target.Path + "/", StringComparison.Ordinal)));

    private double RateOf(string path)
    {
        foreach (var (pattern, rate) in _rates)
        {
            if (pattern.IsMatch(path))
            {
                return rate;
            }
        }

        return 1;
    }

    private T Pick<T>(IReadOnlyList<T> items, Func<T, double> weight)
    {
        var total = items.Sum(weight);
        var x = _random.NextDouble() * total;
        foreach (var item in items)
        {
            x -= weight(item);
            if (x < 0)
            {
                return item;
            }
        }

        return items[^1];
    }

    /// <summary>Every child in the tree, in start order, depth first; the root itself first if it may be hit.</summary>
    private async Task<List<FaultTarget>> GatherAsync()
    {
        var all = new List<FaultTarget>();
        if (_options.Targets.IncludeRoot)
        {
            all.Add(new FaultTarget(_treeName, _root, "", ChildKind.Supervisor, [], _root, null, []));
        }

        await GatherAsync(_root, _treeName, all);
        return all;
    }

    /// <summary>
    /// The targets under one supervisor, depth first. A supervisor's own list is asked for only when
    /// something happened under it since the last time (any of its events, or a fault injected there): with
    /// a thousand children, a tick asks one or two supervisors instead of every one.
    /// </summary>
    private async Task GatherAsync(IActorRef supervisor, string path, List<FaultTarget> into)
    {
        List<FaultTarget> children;
        if (_known.TryGetValue(path, out var known) && known.Supervisor.Equals(supervisor))
        {
            children = known.Children;
        }
        else if (Hung(path) || _runtime.IsSuspended(supervisor))
        {
            return; // suspended: it would not answer
        }
        else
        {
            if (await _runtime.AskUnlessGoneAsync<List<FaultTarget>>(supervisor, new TargetsRequest()) is not { } answer)
            {
                return; // stopped, or stopping: no targets there
            }

            children = answer;

            _known[path] = (supervisor, children);
        }

        foreach (var child in children)
        {
            into.Add(child);
            if (child.Kind == ChildKind.Supervisor && child.Running is { } nested)
            {
                await GatherAsync(nested, child.Path, into);
            }
        }
    }

    private async Task InjectAsync(FaultTarget? target, string path, FaultKind kind, FaultChoice choice)
    {
        var sequence = ++_sequence;
        var error = choice.Exception?.Invoke(path) ?? new InjectedFaultException($"Injected {kind} (fault {sequence}, seed {_seed}) in {path}");
        var record = new FaultRecord(sequence, Now, path, kind, kind is FaultKind.Delay or FaultKind.Hang ? choice.Duration : TimeSpan.Zero, kind == FaultKind.Drop ? choice.Count : 0, null)
        {
            Exception = kind is FaultKind.Crash or FaultKind.Poison or FaultKind.FailingRestart ? error.GetType().FullName : null,
        };
        // Before the supervisor is asked: every event the fault causes is stamped at or after this; an event
        // stamped before it was about an earlier incarnation, only handled late by this actor.
        var sentAt = _runtime.Now;
        string? why;
        if (target is null)
        {
            why = "no such target is running";
        }
        else if (target.ChildId == "")
        {
            // The root itself: a simulated bug; the tree stops in order.
            target.Supervisor.Tell(new SimulatedBug($"fault {sequence}"));
            why = null;
        }
        else
        {
            _known.Remove(target.SupervisorPath);
            var applied = await _runtime.AskUnlessGoneAsync<FaultApplied>(
                target.Supervisor, new InjectFault(sequence, target.ChildId, kind, error, choice.Duration, choice.Count, _options.StayBelowIntensity));
            why = applied is null ? "its supervisor stopped, or did not answer" : applied.Applied ? null : applied.Why;
        }

        record = record with { Skipped = why };
        if (why is not null)
        {
            Skipped(record);
            return;
        }

        _state.Add(record);

        _byKind[kind] = _byKind.GetValueOrDefault(kind) + 1;
        _byTarget[path] = _byTarget.GetValueOrDefault(path) + 1;
        _runtime.Publish(new FaultInjected(target!.SupervisorPath, _runtime.Now, target.ChildId, record));
        var active = new Active(record, target, Now, error) { At = sentAt };
        if (kind is FaultKind.Delay or FaultKind.Drop)
        {
            // Armed on the child's address for its next messages; nothing to wait for.
            Finish(active, kind == FaultKind.Drop ? TimeSpan.Zero : choice.Duration);
        }
        else
        {
            if (kind == FaultKind.Hang)
            {
                // Over when its time is: until then it holds its place, and its target is not hit again.
                active.Until = Now + choice.Duration;
                active.WaitingForClock = true;
                active.Timer = _runtime.Schedule(Self, new FaultOver(active), choice.Duration);
            }

            _active.Add(active);
        }

        UpdateUnsettled();
    }

    /// <summary>
    /// A whole node's fault: journaled and counted here, carried out by <see cref="ChaosOptions.Nodes"/>, and
    /// over when the nodes left agree on the cluster again. Nothing in this tree is its blast radius.
    /// </summary>
    private void InjectNode(string node, FaultKind kind)
    {
        var record = new FaultRecord(++_sequence, Now, node, kind, TimeSpan.Zero, 0, null);
        _state.Add(record);
        _byKind[kind] = _byKind.GetValueOrDefault(kind) + 1;
        _byTarget[node] = _byTarget.GetValueOrDefault(node) + 1;
        _runtime.Publish(new FaultInjected(_treeName, _runtime.Now, "node:" + node, record));
        var target = new FaultTarget("", ActorRefs.Nobody, node, ChildKind.Worker, [], null, null, []);
        var active = new Active(record, target, Now, new InjectedFaultException($"Injected {kind} (fault {record.Sequence}, seed {_seed}) on node {node}"))
        {
            At = _runtime.Now,
            Landed = true, // its effect is outside this tree: nothing here to see land
        };
        _active.Add(active);
        UpdateUnsettled();
        Task<TimeSpan?> carried;
        try
        {
            carried = _options.Nodes!.InjectAsync(kind, node, _options.RecoveryTimeout);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            carried = Task.FromException<TimeSpan?>(e); // a node fault that could not be carried out is over, not recovered
        }

        carried.PipeTo(
            Self,
            success: recovered => new NodeFaultOver(active, recovered, null),
            failure: e => new NodeFaultOver(active, null, e));
    }

    private void NodeOver(NodeFaultOver over)
    {
        if (over.Error is { } error)
        {
            _log.Warning(error, "Node fault {0} ({1} on {2}) failed: {3}", over.Fault.Record.Sequence, over.Fault.Record.Kind, over.Fault.Record.Target, error.Message);
        }

        if (_ended || !_active.Remove(over.Fault))
        {
            return; // the run ended first, or the fault timed out
        }

        Finish(over.Fault, over.RecoveredAfter);
        UpdateUnsettled();
        EndedWhenDone();
    }

    /// <summary>Whether a replay has injected its whole journal.</summary>
    private bool JournalDone => _options.Replay is { } replay && _replayIndex >= replay.Faults.Count;

    /// <summary>
    /// Ends the run if nothing more can happen in it: its <see cref="ChaosOptions.MaxFaults"/> are carried
    /// out and over, or its journal is replayed and no node fault is still in effect.
    /// </summary>
    private bool EndedWhenDone()
    {
        if (BudgetSpent && _active.Count == 0)
        {
            End($"its {_options.MaxFaults} faults were carried out (MaxFaults)");
        }
        else if (JournalDone && !NodeFaultsInEffect)
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

    /// <summary>Whether a node fault is still in effect: the cluster has not agreed again since.</summary>
    private bool NodeFaultsInEffect => _active.Any(a => a.Record.Kind.IsNodeFault());

    private bool InTree(SupervisionEvent e) =>
        e.SupervisorPath == _treeName || e.SupervisorPath.StartsWith(_treeName + "/", StringComparison.Ordinal);

    private void Observe(SupervisionEvent e)
    {
        if (!InTree(e))
        {
            return;
        }

        _known.Remove(e.SupervisorPath);
        ObserveEvent(e);
        UpdateUnsettled();
    }

    private void ObserveEvent(SupervisionEvent e)
    {
        switch (e)
        {
            case ChildCrashed crashed:
                foreach (var a in Targeting(crashed.SupervisorPath, crashed.ChildId).Where(a => ReferenceEquals(a.Error, crashed.Cause)))
                {
                    Land(a);
                }

                break;
            case ChildTerminated terminated:
                // A kill or stop has landed; any other fault on it will not now (its incarnation is gone: stopped
                // for a sibling's restart, or removed as a temporary child): it is over, recovered or not.
                foreach (var a in Targeting(terminated.SupervisorPath, terminated.ChildId).Where(a => !a.Landed && terminated.Timestamp >= a.At))
                {
                    Land(a);
                }

                break;
            case ChildRestartDelayed delayed:
                foreach (var a in Targeting(delayed.SupervisorPath, delayed.ChildId).Where(a => a.Landed))
                {
                    a.WaitingForClock = true;
                }

                break;
            case ChildRestarted restarted:
                _restarts++;
                foreach (var a in Targeting(restarted.SupervisorPath, restarted.TriggeredBy).Where(a => a.Landed))
                {
                    a.Restarted.Add(restarted.ChildId);
                }

                Recovered(restarted.SupervisorPath, restarted.ChildId, restarted.Timestamp);
                break;
            case ChildStarted started:
                Recovered(started.SupervisorPath, started.ChildId, started.Timestamp);
                break;
            case SupervisorGaveUp gaveUp:
                _escalations++;
                foreach (var a in _active.Where(a => a.Landed && a.Target.SupervisorPath == gaveUp.SupervisorPath))
                {
                    a.Escalated = true;
                }

                break;
            case ChildIsolated isolated:
                Contained(isolated.SupervisorPath, isolated.ChildId);
                break;
            case CircuitChanged { State: CircuitState.Open } open:
                Contained(open.SupervisorPath, open.ChildId);
                break;
            case MessageDropped { Message: not InjectedPoison } dropped:
                _lost++;
                var path = dropped.SupervisorPath + "/" + dropped.ChildId;
                _lostByChild[path] = _lostByChild.GetValueOrDefault(path) + 1;
                break;
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

    /// <summary>
    /// Its effect was seen. What follows (a restart, or nothing for a child that is gone) is its supervisor's
    /// to do, and the tree counts it (<see cref="TreeRuntime.InProgress"/>) once the supervisor has handled
    /// the failure: a settling tree waits for that supervisor too.
    /// </summary>
    private void Land(Active a)
    {
        a.Landed = true;
        _runtime.AwaitHandled(a.Target.Supervisor);
    }

    /// <summary>
    /// Faults whose target has not run again yet, and of those the ones in motion (not landed yet, and not
    /// waiting for the clock): a virtual-time driver lets those land before it moves the clock.
    /// </summary>
    private void UpdateUnsettled()
    {
        var landing = _ended ? 0 : _active.Count(a => a.RecoveredAfter is null && !a.Landed && !a.WaitingForClock);
        _state.SetUnsettled(
            _active.Count(a => a.RecoveredAfter is null),
            landing,
            _active.Count(a => a.RecoveredAfter is null && a.WaitingForClock));

        // The tree's settle waits for these too (WhenSettledAsync), not only a driver that asks the injector.
        _runtime.FaultsLandingChanged(landing - _reportedLanding);
        _reportedLanding = landing;
    }

    /// <summary>What this run last added to the tree's count of faults not landed yet.</summary>
    private int _reportedLanding;

    /// <summary>A hang is over (its supervisor's timer resumed the child at the same time).</summary>
    private void HangOver(Active a)
    {
        if (a.RecoveredAfter is null)
        {
            a.RecoveredAfter = a.Until - a.Since;
            a.WaitingForClock = false;
        }

        UpdateUnsettled();
    }

    private IEnumerable<Active> Targeting(string supervisorPath, string childId) =>
        _active.Where(a => a.Target.SupervisorPath == supervisorPath && a.Target.ChildId == childId);

    private void CheckAbort()
    {
        if (_options.AbortWhenRootNotRunningFor is { } limit && _rootNotRunningSince is { } since && Now - since >= limit)
        {
            End($"aborted: the root was not Running for {limit.TotalSeconds:0.###} s");
        }
    }

    /// <summary>
    /// The target runs again. The fault stays open until the next tick, so that the restarts of the rest of
    /// its blast radius, published right after, are still counted for it. A fault not seen landing is over
    /// too: its target was restarted or started anew by something else first (a supervisor above it
    /// restarted), and the incarnation it was meant for is gone.
    /// </summary>
    private void Recovered(string supervisorPath, string childId, DateTimeOffset at)
    {
        foreach (var a in Targeting(supervisorPath, childId).Where(a => a.RecoveredAfter is null && a.Until is null && at >= a.At))
        {
            a.Landed = true;
            // From the event's time, not this actor's: the clock may have moved on before it got here.
            var after = at - a.At;
            a.RecoveredAfter = after < TimeSpan.Zero ? TimeSpan.Zero : after;
        }
    }

    /// <summary>A policy stopped the child for good: the fault stayed contained, and the child does not recover by itself.</summary>
    private void Contained(string supervisorPath, string childId)
    {
        foreach (var a in _active.Where(a => a.Target.SupervisorPath == supervisorPath && a.Target.ChildId == childId).ToList())
        {
            _active.Remove(a);
            Finish(a, null);
        }
    }

    private void ExpireActive()
    {
        CheckAbort();
        foreach (var a in _active.Where(a => a.RecoveredAfter is not null || Now - a.Since >= _options.RecoveryTimeout).ToList())
        {
            _active.Remove(a);
            Finish(a, a.RecoveredAfter);
        }

        UpdateUnsettled();
    }

    private void Finish(Active a, TimeSpan? recoveredAfter)
    {
        a.Timer?.Dispose();
        var restarted = a.Restarted.Distinct(StringComparer.Ordinal).ToList();
        var verdict = a.Escalated ? IsolationVerdict.Escalated
            : restarted.All(a.Target.BlastRadius.Contains) ? IsolationVerdict.Isolated
            : IsolationVerdict.Leaked;
        _outcomes.Add(new FaultOutcome(a.Record, recoveredAfter, a.Target.BlastRadius, restarted, verdict));
    }

    private void End(string reason)
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        UpdateUnsettled(); // nothing of this run is landing any more
        _timer?.Dispose();
        _abortTimer?.Dispose();
        if (_settling is { } settling)
        {
            Volatile.Write(ref settling.Value, true);
        }

        BurstPending(false);
        // Faults still in effect end with the run: hung children resume, armed drops and delays are cancelled.
        _runtime.LiftInjected();
        foreach (var a in _active.ToList())
        {
            Finish(a, a.RecoveredAfter);
        }

        _active.Clear();
        _outcomes.Sort((x, y) => x.Fault.Sequence.CompareTo(y.Fault.Sequence));
        // Recovery is from faults that stop the child; a hang, delay or drop is over when its time is.
        var restarting = _outcomes.Where(o => o.Fault.Kind is not (FaultKind.Delay or FaultKind.Hang or FaultKind.Drop)).ToList();
        var times = restarting.Where(o => o.RecoveredAfter is not null).Select(o => o.RecoveredAfter!.Value).Order().ToList();
        TimeSpan At(double q) => times.Count == 0 ? TimeSpan.Zero : times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];
        var report = new ChaosReport(
            _seed,
            Now,
            reason,
            new Dictionary<FaultKind, int>(_byKind),
            new Dictionary<string, int>(_byTarget, StringComparer.Ordinal),
            _skipped,
            _restarts,
            _escalations,
            _lost,
            !_rootStopped,
            new RecoveryTimes(times.Count, restarting.Count - times.Count, At(0.50), At(0.95), At(0.99), times.Count == 0 ? TimeSpan.Zero : times[^1]),
            _outcomes.ToList())
        {
            Journal = new FaultJournal(_seed, _state.Snapshot()),
            MessagesLostByChild = new Dictionary<string, long>(_lostByChild, StringComparer.Ordinal),
        };
        // Not to itself: it stops right after, and the event would be a dead letter.
        Context.System.EventStream.Unsubscribe(Self);
        _runtime.Publish(new ChaosEnded(_treeName, _runtime.Now, report));
        _done.TrySetResult(report);
        if (!_postStopped)
        {
            // After the events already in its mailbox (its own last FaultSkipped, say): they are handled, not dead letters.
            Self.Tell(PoisonPill.Instance);
        }
    }

    private sealed class Active(FaultRecord record, FaultTarget target, TimeSpan since, Exception error)
    {
        public Exception Error { get; } = error;

        /// <summary>Its effect was seen: the target crashed with its exception, or terminated.</summary>
        public bool Landed { get; set; }

        public TimeSpan? RecoveredAfter { get; set; }

        public FaultRecord Record { get; } = record;

        public FaultTarget Target { get; } = target;

        public TimeSpan Since { get; } = since;

        /// <summary>When it was injected, on the tree's clock, as the events' timestamps are.</summary>
        public DateTimeOffset At { get; init; }

        public List<string> Restarted { get; } = [];

        public bool Escalated { get; set; }

        /// <summary>For a hang: the timer that says it is over, kept referenced until then.</summary>
        public ITimer? Timer { get; set; }

        /// <summary>For a hang: when it is over.</summary>
        public TimeSpan? Until { get; set; }

        /// <summary>Its next step waits for the clock: a hang's time, a restart's backoff delay.</summary>
        public bool WaitingForClock { get; set; }
    }

    /// <summary>An injection time has come: the one scheduled with this id (an earlier one, replaced, is ignored).</summary>
    internal sealed record Tick(long Id);

    internal sealed class AbortCheck
    {
        public static readonly AbortCheck Instance = new();
    }

    /// <summary>The tree has settled after a fault of a burst: the next one may come.</summary>
    internal sealed record BurstNext(StrongBox<bool> Settling, bool Settled);

    /// <summary>A hang's time is up (its own timer says so: timers may round, so the clock is not compared).</summary>
    private sealed record FaultOver(Active Fault);

    private sealed record NodeFaultOver(Active Fault, TimeSpan? RecoveredAfter, Exception? Error);
}

/// <summary>Shared with the <see cref="FaultInjector"/> handle: the halt switch and the journal so far.</summary>
internal sealed class InjectorState
{
    private readonly List<FaultRecord> _journal = [];
    private readonly Counter _journaled = new();
    private readonly Counter _ticks = new();
    private volatile bool _halted;
    private volatile bool _injectionStopped;
    private volatile bool _burstPending;
    private long _nextDue;
    private long _unsettled;

    /// <summary>Completes once the run's clock has started and its first injection is scheduled.</summary>
    public TaskCompletionSource Started { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool Halted { get => _halted; set => _halted = value; }

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

    public void Add(FaultRecord record)
    {
        lock (_journal)
        {
            _journal.Add(record);
        }

        _journaled.Increment();
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
