using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>Health: each child's, and the supervisor's by <see cref="HealthRule"/>; changes are published.</summary>
internal sealed partial class SupervisorActor
{
    private HealthState _health = HealthState.Restarting;

    private static HealthState ChildHealthOf(ChildRecord record) =>
        record.IsRestarting || record.RecreateWhenGone || record.State == ChildState.Starting ? HealthState.Restarting
        : record.Ref is null || record.State == ChildState.Stopping ? HealthState.Down
        : record.IsSuperviseSupervisor ? record.ReportedHealth
        : HealthState.Running;

    private HealthState OwnState => _phase switch
    {
        Phase.Starting => HealthState.Restarting,
        Phase.Stopping => HealthState.Down,
        _ => HealthState.Running,
    };

    /// <summary>
    /// Recomputes every child's health and the supervisor's, publishing what changed. Runs once per
    /// handled message, and not while a start or stop sequence is under way (it runs at its end).
    /// </summary>
    private void RefreshHealth()
    {
        if (_phase == Phase.Stopping)
        {
            // Down whatever the children are; no per-child pass while they stop one by one.
            Publish(HealthState.Down);
            return;
        }

        if (Busy)
        {
            return;
        }

        var criticalDown = false;
        var notRunning = false;
        foreach (var record in _children)
        {
            var state = ChildHealthOf(record);
            if (record.Health is { } previous && previous != state)
            {
                _runtime.Publish(new HealthChanged(_path, _runtime.Now, record.Id, previous, state));
            }

            record.Health = state;

            criticalDown |= state == HealthState.Down && record.Spec.Criticality == Criticality.Critical;
            notRunning |= state != HealthState.Running;
        }

        var fromChildren = criticalDown ? HealthState.Down : notRunning ? HealthState.Degraded : HealthState.Running;
        Publish(HealthRule.Combine(OwnState, fromChildren));
    }

    private void Publish(HealthState health)
    {
        if (health == _health)
        {
            return;
        }

        _runtime.Publish(new HealthChanged(_path, _runtime.Now, null, _health, health));
        _health = health;
        if (_root is null)
        {
            Context.Parent.Tell(new ChildHealthReport(health), Self);
        }
    }

    private void OnChildHealthReport(IActorRef child, HealthState health)
    {
        if (_byRef.TryGetValue(child, out var record))
        {
            record.ReportedHealth = health;
        }
    }

    private HealthSnapshot Snapshot() => new(
        _path,
        _health,
        _children.Select(c => new ChildHealth(c.Id, c.Health ?? ChildHealthOf(c), c.Spec.Criticality, c.Restarts, c.LastFailure, c.Spec.Kind)).ToList());
}
