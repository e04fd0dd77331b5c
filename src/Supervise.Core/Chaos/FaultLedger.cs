using System.Globalization;
using Akka.Actor;

namespace Supervise.Chaos;

/// <summary>
/// The chaos run's ledger: the faults in effect, what the supervision events say came of each (landed, restarted
/// whom, escalated, contained, recovered after how long), and the counts the report is made of. Plain code: the
/// injector actor feeds it events and the time; <paramref name="landed"/> is told the supervisor that now has a
/// fault's failure to handle (a settling tree waits for it).
/// </summary>
internal sealed class FaultLedger(Action<IActorRef> landed, int capacity = int.MaxValue)
{
    private readonly List<FaultOutcome> _outcomes = [];
    private readonly Dictionary<FaultKind, int> _byKind = [];
    private readonly Dictionary<string, int> _byTarget = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _lostByChild = new(StringComparer.Ordinal);
    private readonly Dictionary<IsolationVerdict, int> _verdicts = [];
    private readonly Dictionary<string, int> _notRecovered = new(StringComparer.Ordinal);
    private int _recovered;
    private int _notRecoveredCount;
    private int _omitted;
    private int _skipped;
    private int _restarts;
    private int _escalations;
    private long _lost;
    private readonly Dictionary<string, int> _armedDrops = new(StringComparer.Ordinal);
    private int _causedRestarts;
    private int _causedEscalations;
    private long _causedLost;

    /// <summary>The faults carried out whose outcome is not settled yet.</summary>
    public List<ActiveFault> Active { get; } = [];

    /// <summary>Faults carried out so far (not the skipped ones).</summary>
    public int CarriedOut { get; private set; }

    public void Skipped(string why)
    {
        _skipped++;
        _skippedBecause[why] = _skippedBecause.GetValueOrDefault(why) + 1;
    }

    /// <summary>How many attempts were skipped for each reason (a handful of fixed reasons: bounded).</summary>
    private readonly Dictionary<string, int> _skippedBecause = new(StringComparer.Ordinal);

    /// <summary>A fault was carried out on <paramref name="target"/> (a child's path, or a node).</summary>
    public void Count(FaultKind kind, string target)
    {
        CarriedOut++;
        _byKind[kind] = _byKind.GetValueOrDefault(kind) + 1;
        _byTarget[target] = _byTarget.GetValueOrDefault(target) + 1;
    }

    /// <summary>
    /// A drop was armed by this run, and its losses say so in their reason (<paramref name="why"/>, unique to the fault and
    /// the run): they are this run's, whoever else runs on the tree. Forgotten after <paramref name="count"/> losses.
    /// </summary>
    public void ArmedDrop(string why, int count) => _armedDrops[why] = count;

    private bool ArmedHere(string why)
    {
        if (!_armedDrops.TryGetValue(why, out var left))
        {
            return false;
        }

        if (left <= 1)
        {
            _armedDrops.Remove(why);
        }
        else
        {
            _armedDrops[why] = left - 1;
        }

        return true;
    }

    /// <summary>Whether <paramref name="path"/> is, or is under, a supervisor that gave up for a fault of this run still followed.</summary>
    private bool UnderEscalated(string path) =>
        Active.Exists(a => a.Escalated && a.RecoveredAfter is null && (path == a.Target.SupervisorPath || path.StartsWith(a.Target.SupervisorPath + "/", StringComparison.Ordinal)));

    /// <summary>Whether a supervisor that gave up for a fault of this run still followed is <paramref name="path"/> or below it (a restart or give-up there follows from it).</summary>
    private bool EscalatedAtOrBelow(string path) =>
        Active.Exists(a => a.Escalated && a.RecoveredAfter is null && (path == a.Target.SupervisorPath || a.Target.SupervisorPath.StartsWith(path + "/", StringComparison.Ordinal)));

    /// <summary>Whether a fault is in effect on the child at <paramref name="path"/>.</summary>
    public bool Targets(string path) => Active.Any(a => a.Target.Path == path);

    /// <summary>
    /// Whether <paramref name="path"/> is a supervisor hung by a fault, or under one (Akka suspends its whole
    /// subtree): nothing there answers until the hang is over, so nothing there is asked or hit.
    /// </summary>
    public bool Hung(string path) => Active.Any(a =>
        a.Until is not null && a.RecoveredAfter is null && a.Target.Kind == ChildKind.Supervisor
        && (path == a.Target.Path || path.StartsWith(a.Target.Path + "/", StringComparison.Ordinal)));

    /// <summary>Whether a node fault is still in effect: the cluster has not agreed again since.</summary>
    public bool NodeFaultsInEffect => Active.Any(a => a.Record.Kind.IsNodeFault());

    /// <summary>Follows one supervision event of the tree.</summary>
    public void Observe(SupervisionEvent e)
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
                    a.Waiting = "it stopped and was not started again (its restart type, or it was removed)";
                }

                break;
            case ChildRestartDelayed delayed:
                foreach (var a in Targeting(delayed.SupervisorPath, delayed.ChildId).Where(a => a.Landed))
                {
                    a.WaitingForClock = true;
                    a.Waiting = string.Create(CultureInfo.InvariantCulture, $"its restart was waiting for its backoff delay ({delayed.Delay.TotalMilliseconds:0.#} ms, attempt {delayed.Attempt})");
                }

                break;
            case ChildStartFailed failed:
                foreach (var a in Targeting(failed.SupervisorPath, failed.ChildId).Where(a => a.Landed))
                {
                    a.Waiting = "its restart kept failing to start it (retried and counted, as OTP does)";
                }

                break;
            case ChildRestarted restarted:
                _restarts++;
                var caused = false;
                foreach (var a in Targeting(restarted.SupervisorPath, restarted.TriggeredBy).Where(a => a.Landed))
                {
                    a.Restarted.Add(restarted.ChildId);
                    caused |= a.RecoveredAfter is null; // once recovered, a later restart there is someone else's
                }

                if (caused || EscalatedAtOrBelow(restarted.SupervisorPath + "/" + restarted.TriggeredBy))
                {
                    _causedRestarts++;
                }

                Recovered(restarted.SupervisorPath, restarted.ChildId, restarted.Timestamp);
                break;
            case ChildStarted started:
                Recovered(started.SupervisorPath, started.ChildId, started.Timestamp);
                break;
            case SupervisorGaveUp gaveUp:
                _escalations++;
                var escalated = EscalatedAtOrBelow(gaveUp.SupervisorPath); // a give-up this run's faults caused, a level or more up
                foreach (var a in Active.Where(a => a.Landed && a.Target.SupervisorPath == gaveUp.SupervisorPath))
                {
                    a.Escalated = true;
                    escalated = true;
                }

                if (escalated)
                {
                    _causedEscalations++;
                }

                break;
            case ChildIsolated isolated:
                Contained(isolated.SupervisorPath, isolated.ChildId, "its isolate policy stopped it: Down until started again by hand");
                break;
            case CircuitChanged { State: CircuitState.Open } open:
                Contained(open.SupervisorPath, open.ChildId, string.Create(CultureInfo.InvariantCulture, $"its circuit breaker opened (cooldown {open.Cooldown.TotalSeconds:0.###} s)"));
                break;
            case MessageDropped { Message: not InjectedPoison } dropped:
                _lost++;
                var path = dropped.SupervisorPath + "/" + dropped.ChildId;
                _lostByChild[path] = _lostByChild.GetValueOrDefault(path) + 1;
                if (ArmedHere(dropped.Why) || Active.Exists(a => a.RecoveredAfter is null && a.Target.Path == path) || UnderEscalated(path))
                {
                    _causedLost++; // a drop it armed, or a message lost while one of its faults was in effect there
                }
                break;
        }
    }

    /// <summary>A hang is over (its supervisor's timer resumed the child at the same time).</summary>
    public static void HangOver(ActiveFault a)
    {
        if (a.RecoveredAfter is null)
        {
            a.RecoveredAfter = a.Until - a.Since;
            a.WaitingForClock = false;
        }
    }

    /// <summary>Settles the faults that recovered, and those that did not within <paramref name="recoveryTimeout"/>.</summary>
    public void Expire(TimeSpan now, TimeSpan recoveryTimeout)
    {
        foreach (var a in Active.Where(a => a.RecoveredAfter is not null || now - a.Since >= recoveryTimeout).ToList())
        {
            Active.Remove(a);
            Finish(a, a.RecoveredAfter);
        }
    }

    /// <summary>
    /// Faults whose target has not run again yet; of those, the ones in motion (not landed, not waiting for the clock);
    /// and the ones waiting for the clock. A virtual-time driver lets those in motion land before it moves the clock.
    /// </summary>
    public (int Unsettled, int Landing, int Waiting) Unsettled() => (
        Active.Count(a => a.RecoveredAfter is null),
        Active.Count(a => a.RecoveredAfter is null && !a.Landed && !a.WaitingForClock),
        Active.Count(a => a.RecoveredAfter is null && a.WaitingForClock));

    /// <summary>Records what came of a fault: which children restarted for it, and whether that stayed in its blast radius.</summary>
    /// <remarks><paramref name="runEnded"/>: the run ended while the fault was still followed.</remarks>
    public void Finish(ActiveFault a, TimeSpan? recoveredAfter, bool runEnded = false)
    {
        a.Timer?.Dispose();
        var restarted = a.Restarted.Distinct(StringComparer.Ordinal).ToList();
        var verdict = a.Escalated ? IsolationVerdict.Escalated
            : restarted.All(a.Target.BlastRadius.Contains) ? IsolationVerdict.Isolated
            : IsolationVerdict.Leaked;
        var why = WhyNotRecovered(a, recoveredAfter, runEnded);
        if (!a.Record.Kind.IsNodeFault())
        {
            // A node fault has no supervisor whose blast radius it could stay in: it is told by its recovery instead.
            _verdicts[verdict] = _verdicts.GetValueOrDefault(verdict) + 1;
        }

        if (a.Record.Kind.StopsChild())
        {
            _ = recoveredAfter is null ? _notRecoveredCount++ : _recovered++;
        }

        if (why is not null)
        {
            _notRecovered[why] = _notRecovered.GetValueOrDefault(why) + 1;
        }

        if (_outcomes.Count < capacity)
        {
            _outcomes.Add(new FaultOutcome(a.Record, recoveredAfter, a.Target.BlastRadius, restarted, verdict) { NotRecoveredBecause = why });
        }
        else
        {
            _omitted++; // counted in every figure above; not kept, so that a long run stays flat
        }
    }

    /// <summary>Why a fault that stops its child did not see it run again: what the child was last seen waiting for, else what ended the wait.</summary>
    private static string? WhyNotRecovered(ActiveFault a, TimeSpan? recoveredAfter, bool runEnded) =>
        recoveredAfter is not null || !a.Record.Kind.StopsChild() ? null
        : a.Escalated ? "its supervisor gave up: the failure went up a level"
        : a.Waiting ?? (runEnded ? "the run ended before it ran again"
        : a.Landed ? "it did not run again within the recovery timeout" : "its effect was not seen (the child may have been restarted or stopped by something else first)");

    /// <summary>The run's report: every fault still in effect is finished as it stands.</summary>
    public ChaosReport Report(int seed, TimeSpan duration, string reason, bool rootSurvived, FaultJournal journal)
    {
        foreach (var a in Active)
        {
            Finish(a, a.RecoveredAfter, runEnded: true);
        }

        Active.Clear();
        _outcomes.Sort((x, y) => x.Fault.Sequence.CompareTo(y.Fault.Sequence));
        // Recovery is from faults that stop the child; a hang, delay or drop is over when its time is.
        var restarting = _outcomes.Where(o => o.Fault.Kind.StopsChild()).ToList();
        var times = restarting.Where(o => o.RecoveredAfter is not null).Select(o => o.RecoveredAfter!.Value).Order().ToList();
        TimeSpan At(double q) => times.Count == 0 ? TimeSpan.Zero : times[Math.Min(times.Count - 1, (int)Math.Ceiling(q * times.Count) - 1)];
        return new ChaosReport(
            seed,
            duration,
            reason,
            new Dictionary<FaultKind, int>(_byKind),
            new Dictionary<string, int>(_byTarget, StringComparer.Ordinal),
            _skipped,
            _restarts,
            _escalations,
            _lost,
            rootSurvived,
            new RecoveryTimes(_recovered, _notRecoveredCount, At(0.50), At(0.95), At(0.99), times.Count == 0 ? TimeSpan.Zero : times[^1]),
            _outcomes.ToList())
        {
            CarriedOut = CarriedOut,
            Caused = new CausedCounts(_causedRestarts, _causedEscalations, _causedLost),
            OutcomesOmitted = _omitted,
            Verdicts = new Dictionary<IsolationVerdict, int>(_verdicts),
            NotRecoveredBecause = new Dictionary<string, int>(_notRecovered, StringComparer.Ordinal),
            SkippedBecause = new Dictionary<string, int>(_skippedBecause, StringComparer.Ordinal),
            Journal = journal,
            MessagesLostByChild = new Dictionary<string, long>(_lostByChild, StringComparer.Ordinal),
        };
    }

    /// <summary>
    /// Its effect was seen. What follows (a restart, or nothing for a child that is gone) is its supervisor's
    /// to do, and the tree counts it once the supervisor has handled the failure: a settling tree waits for that
    /// supervisor too.
    /// </summary>
    private void Land(ActiveFault a)
    {
        a.Landed = true;
        landed(a.Target.Supervisor);
    }

    private IEnumerable<ActiveFault> Targeting(string supervisorPath, string childId) =>
        Active.Where(a => a.Target.SupervisorPath == supervisorPath && a.Target.ChildId == childId);

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
            // From the event's time, not the injector's: the clock may have moved on before it got here.
            var after = at - a.At;
            a.RecoveredAfter = after < TimeSpan.Zero ? TimeSpan.Zero : after;
        }
    }

    /// <summary>A policy stopped the child for good: the fault stayed contained, and the child does not recover by itself.</summary>
    private void Contained(string supervisorPath, string childId, string why)
    {
        foreach (var a in Targeting(supervisorPath, childId).ToList())
        {
            Active.Remove(a);
            a.Waiting = why;
            Finish(a, null);
        }
    }
}

/// <summary>A fault carried out, followed until its outcome is settled.</summary>
internal sealed class ActiveFault(FaultRecord record, FaultTarget target, TimeSpan since, Exception error)
{
    public Exception Error { get; } = error;

    /// <summary>Its effect was seen: the target crashed with its exception, or terminated.</summary>
    public bool Landed { get; set; }

    /// <summary>What its target was last seen waiting for (a backoff, a failing restart, a policy): why it has not run again yet.</summary>
    public string? Waiting { get; set; }

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
