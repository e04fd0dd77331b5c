using Akka.Actor;
using Supervise.Supervision;

namespace Supervise.Runtime;

/// <summary>
/// Health: each child's, and the supervisor's by <see cref="HealthRule"/>; changes are published. Kept
/// incrementally: a child's record marks itself dirty when something its health depends on changes, and
/// the supervisor looks again only at dirty children, keeping counts of the ones that matter to the rule.
/// </summary>
internal sealed partial class SupervisorActor
{
    /// <summary>What its child records share: the ones marked for the next health pass, and where an undecided crash goes.</summary>
    private readonly ChildBook _book;
    private HealthState _health = HealthState.Restarting;
    /// <summary>Whether this incarnation has published its health: the first change is its start's end, not a recovery.</summary>
    private bool _healthPublished;
    /// <summary>The children by their last published health: what <see cref="HealthRule"/> reads, and what this supervisor adds to the tree's counts.</summary>
    private readonly HealthTally _tally = new();
    private int _inProgress;
    private bool _busyCounted;
    private bool _leftTreeCounts;

    private static HealthState ChildHealthOf(ChildRecord record) => ChildHealthRule.Of(new ChildHealthFacts(
        Restarting: record.IsRestarting || record.Lifecycle == ChildLifecycle.Starting
            // Gone while the supervisor was busy, its exit waiting in line: coming back if it will be restarted.
            || (record.WaitingExit is { } exit && RestartRules.ShouldRestart(record.Spec.Restart, exit)),
        Running: record.Ref is not null && record.Lifecycle != ChildLifecycle.Stopping,
        StandIn: record.StandIn is not null,
        Probation: record.Circuit == CircuitState.HalfOpen,
        Supervisor: record.IsSuperviseSupervisor,
        Reported: record.ReportedHealth));

    private HealthState OwnState => _core.Phase switch
    {
        SupervisorPhase.Starting => HealthState.Restarting,
        SupervisorPhase.Stopping => HealthState.Down,
        _ => HealthState.Running,
    };

    /// <summary>
    /// Looks again at the children marked dirty since the last pass, publishes what changed, points their
    /// addresses where their state says, and derives the supervisor's health from the counts. Runs once per
    /// handled message; not while a start or stop sequence is under way (it runs at its end).
    /// </summary>
    private void RefreshHealth()
    {
        CountBusy(_core.Phase == SupervisorPhase.Stopping || Busy);
        if (_core.Phase == SupervisorPhase.Stopping)
        {
            // Down whatever the children are (Restarting if it stops them to be restarted); no per-child pass while they stop one by one.
            Publish(_stoppingForRestart ? HealthState.Restarting : HealthState.Down);
            return;
        }

        if (Busy)
        {
            if (_group is not null)
            {
                // Children of it are being restarted as a group: at least Degraded until the last is confirmed (the
                // per-child pass waits for the end, so that a storm of ten thousand costs one pass, not two each).
                Publish(HealthRule.Combine(OwnState, HealthState.Degraded));
            }

            return;
        }

        // A pass can mark records again (a stand-in started); those wait for the next pass.
        var count = _book.Dirty.Count;
        for (var i = 0; i < count; i++)
        {
            var record = _book.Dirty[i];
            record.Dirty = false;
            if (!record.Removed)
            {
                Reassess(record);
            }
        }

        _book.Dirty.RemoveRange(0, count);
        if (_book.Dirty.Count == 0 && _book.Dirty.Capacity > 4096)
        {
            _book.Dirty.Capacity = 0; // a wave of starts or restarts is over: its list does not stay behind, 8 bytes a child
        }
        Publish(HealthRule.Combine(OwnState, _tally.Derived));
    }

    private void Reassess(ChildRecord record)
    {
        // The route first: it may start a stand-in, which makes a down child Degraded.
        var address = record.Address;
        address?.Reroute(RouteFor(record, ChildHealthOf(record)));
        if (Leaving(record))
        {
            // Done, not down: it keeps its last health until its exit is handled and it leaves the counts.
            return;
        }

        var state = ChildHealthOf(record);
        if (record.Health != state)
        {
            // Counted before it is published: whoever the event wakes reads the tree's counts up to date.
            var previous = record.Health;
            Count(record, -1);
            record.Health = state;
            Count(record, +1);
            if (previous is { } was)
            {
                _events.Publish(new HealthChanged(_path, _runtime.Now, record.Id, was, state));
            }

            if (state == HealthState.Down && record.IsSuperviseSupervisor)
            {
                AddressesBelowAreDown(record);
            }
        }

        // Restarting (not waiting for a backoff delay), or being stopped (a restart's blast radius, a terminate).
        CountInProgress(record, (state == HealthState.Restarting && record.PolicyTimer is null) || record.Lifecycle == ChildLifecycle.Stopping);

        if (record.StandIn is { } standIn && address?.Current is not null)
        {
            // The child answers again: the stand-in handles what it was sent, then stops.
            standIn.Tell(PoisonPill.Instance, Self);
            record.StandIn = null;
        }
    }

    /// <summary>
    /// Points the child's address where its state says now (called when a start is confirmed, before anyone
    /// is told): a caller that sends to the address right after must reach it; the health pass comes later.
    /// </summary>
    private void PointAddress(ChildRecord record) => record.Address?.Reroute(RouteFor(record, ChildHealthOf(record)));

    /// <summary>Adds (or with -1 removes) a child's last published health to the counts the rule reads.</summary>
    private void Count(ChildRecord record, int sign)
    {
        if (record.Health is not { } health)
        {
            return;
        }

        _tally.Count(record.Spec.Criticality, health, sign);
        if (!_leftTreeCounts)
        {
            _runtime.Counts.HealthCountChanged(health, sign);
        }
    }

    /// <summary>Counts the child among the tree's restarts in progress, or no longer.</summary>
    private void CountInProgress(ChildRecord record, bool inProgress)
    {
        if (record.CountedInProgress != inProgress)
        {
            record.CountedInProgress = inProgress;
            var sign = inProgress ? 1 : -1;
            _inProgress += sign;
            if (!_leftTreeCounts)
            {
                _runtime.Counts.InProgressChanged(sign);
            }
        }
    }

    /// <summary>Counts this supervisor among the tree's work in progress while it runs a start or stop sequence.</summary>
    private void CountBusy(bool busy)
    {
        if (_busyCounted != busy && !_leftTreeCounts)
        {
            _busyCounted = busy;
            _inProgress += busy ? 1 : -1;
            _runtime.Counts.InProgressChanged(busy ? 1 : -1);
        }
    }

    /// <summary>
    /// This incarnation ends (or has done all it will: its stop is over, and only Akka waits for an abandoned
    /// child): it and its children leave the tree's counts, for good.
    /// </summary>
    private void LeaveTreeCounts()
    {
        if (_leftTreeCounts)
        {
            return;
        }

        _leftTreeCounts = true;
        var held = _tally.Clear();
        for (var i = 0; i < held.Length; i++)
        {
            _runtime.Counts.HealthCountChanged((HealthState)i, -held[i]);
        }

        _runtime.Counts.InProgressChanged(-_inProgress);
        _inProgress = 0;
        _busyCounted = false;
    }

    private void Publish(HealthState health)
    {
        if (health == _health)
        {
            return;
        }

        var previous = _health;
        _health = health;
        var started = !_healthPublished;
        _healthPublished = true;
        if (_root is null)
        {
            Context.Parent.Tell(new ChildHealthReport(health), Self);
        }
        else
        {
            _runtime.Counts.RootHealth = health; // before the event: whoever it wakes reads it up to date
        }

        _events.Publish(new HealthChanged(_path, _runtime.Now, null, previous, health) { Started = started });
    }

    private void OnChildHealthReport(IActorRef child, HealthState health)
    {
        if (_byRef.TryGetValue(child, out var record))
        {
            record.ReportedHealth = health;
        }
    }

    /// <summary>
    /// Whether the child is done and on its way out: it stopped for good (a Temporary child, or a dynamic child
    /// not restarted) and its exit waits its turn. OTP still lists it until its EXIT is handled, and so do
    /// WhichChildren and CountChildren; the health model does not, as it is neither running nor down: a health
    /// pass leaves its last health as it was, and a snapshot leaves it out. Its address answers as for a child
    /// that is not running.
    /// </summary>
    private bool Leaving(ChildRecord record) =>
        record.WaitingExit is { } exit && !RestartRules.ShouldRestart(record.Spec.Restart, exit) && (record.Spec.Restart == RestartType.Temporary || IsDynamic);

    private HealthSnapshot Snapshot() => new(
        _path,
        _health,
        _children.Where(c => !Leaving(c)).Select(c => new ChildHealth(c.Id, _group?.Restarts(c) == true ? HealthState.Restarting : c.Health ?? ChildHealthOf(c), c.Spec.Criticality, c.Restarts, c.LastFailure, c.Spec.Kind)
        {
            Dropped = c.Address?.Dropped ?? 0,
            Rejected = c.Address?.Rejected ?? 0,
            Buffered = c.Address?.Buffered ?? 0,
            Circuit = c.Circuit,
        }).ToList())
    {
        Strategy = _spec is SupervisorSpec s ? s.Strategy : null,
        Intensity = _spec.Intensity,
        Period = _spec.Period,
        RestartsInWindow = _window.CountAt(_runtime.Elapsed),
    };
}
