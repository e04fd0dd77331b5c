using Akka.Actor;
using Supervise.Chaos;
using Supervise.Supervision;

namespace Supervise.Runtime;

/// <summary>Carrying out the fault injector's faults on this supervisor's children.</summary>
internal sealed partial class SupervisorActor
{
    /// <summary>The fault injector's requests: its targets, a fault to carry out, or a simulated bug in this supervisor.</summary>
    private void OnChaosRequest(IChaosRequest request, IActorRef sender)
    {
        switch (request)
        {
            case TargetsRequest:
                sender.Tell(Targets());
                break;
            case InjectFault fault:
                OnInjectFault(fault, sender);
                break;
            case SimulatedBug bug:
                throw new InvalidOperationException($"Simulated bug in supervisor '{_path}': {bug.Why}");
        }
    }

    /// <summary>
    /// The last list of targets asked for, while an injector keeps it: a target whose child has not changed is handed out
    /// again (the injector keeps what it worked out about it), instead of ten thousand new ones each time something
    /// changed under a large supervisor. Weak: once the run is over, nothing of it stays here.
    /// </summary>
    private WeakReference<List<FaultTarget>>? _lastTargets;

    /// <summary>This supervisor's children as fault targets, in start order.</summary>
    private List<FaultTarget> Targets()
    {
        var strategy = (_spec as SupervisorSpec)?.Strategy;
        var last = _lastTargets is { } weak && weak.TryGetTarget(out var kept) && SameChildren(kept) ? kept : null;
        var targets = new List<FaultTarget>(_children.Count);
        for (var i = 0; i < _children.Count; i++)
        {
            var c = _children[i];
            var running = c.Ref is not null && ChildLifecycleRule.Answers(c.Lifecycle) && _group?.Restarts(c) != true ? c.Ref : null;
            if (last?[i] is { } same && ReferenceEquals(same.Running, running) && ReferenceEquals(same.Tags, c.Spec.Tags) && same.Kind == c.Spec.Kind)
            {
                targets.Add(same); // the same child at the same place, in the same state: its blast radius is the same too
                continue;
            }

            targets.Add(new FaultTarget(_path, Self, c.Id, c.Spec.Kind, c.Spec.Tags, running, strategy, BlastRadius(i)));
        }

        _lastTargets = new WeakReference<List<FaultTarget>>(targets);
        return targets;
    }

    /// <summary>Whether <paramref name="targets"/> were made for the same children in the same order (so every blast radius in them holds).</summary>
    private bool SameChildren(List<FaultTarget> targets)
    {
        if (targets.Count != _children.Count)
        {
            return false;
        }

        for (var i = 0; i < targets.Count; i++)
        {
            if (!ReferenceEquals(targets[i].ChildId, _children[i].Id))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The ids a crash of child <paramref name="index"/> may restart by this supervisor's strategy.</summary>
    private List<string> BlastRadius(int index)
    {
        if (_spec is not SupervisorSpec { Strategy: not Strategy.OneForOne } s)
        {
            return [_children[index].Id];
        }

        var (offset, length) = RestartRules.BlastRadius(s.Strategy, index, _children.Count).GetOffsetAndLength(_children.Count);
        return _children.GetRange(offset, length).Select(c => c.Id).ToList();
    }

    private void OnInjectFault(InjectFault fault, IActorRef sender)
    {
        var record = Find(fault.ChildId);
        var why = record is null ? "it is no longer a child"
            : _core.Phase != SupervisorPhase.Running || Busy ? "its supervisor is busy starting or stopping"
            : record.Ref is null || !ChildLifecycleRule.Answers(record.Lifecycle) ? "it is not running"
            : record.AnnouncedExit is not null ? "it is already on its way out"
            : fault.Kind == FaultKind.FailingUpgrade && record.UpgradeFault is not null ? "a failing upgrade is already armed on it"
            : fault.Kind != FaultKind.FailingUpgrade && record.Injected is not null ? "an earlier fault has not landed yet"
            : fault.Kind is FaultKind.Delay or FaultKind.Drop && record.Address?.RouteNow is InjectedRoute ? "an earlier drop or delay is still armed on its address"
            : fault.BelowIntensity is { } share && WouldExceedIntensity(fault.Kind, record, share)
                ? share < 1 ? "it would take its supervisor past the run's share of its intensity (IntensityShare)" : "it would take its supervisor past its intensity"
            : null;
        if (why is not null)
        {
            sender.Tell(new FaultApplied(fault.Sequence, false, why));
            return;
        }

        var child = record!.Ref!;
        var reserved = RestartsOf(fault.Kind, record);
        _reservedRestarts += reserved;
        record.ReservedRestarts += reserved;
        switch (fault.Kind)
        {
            case FaultKind.Crash:
                // Kill is handled by the child's cell in mailbox order and throws there: a crash on the normal path.
                record.Injected = new InjectedFault(fault.Error, null, CrashPending: true, FailsNextStart: false);
                child.Tell(Kill.Instance, Self);
                break;
            case FaultKind.Poison:
                record.Injected = new InjectedFault(fault.Error, new InjectedPoison(fault.Sequence), CrashPending: true, FailsNextStart: false);
                child.Tell(Kill.Instance, Self);
                break;
            case FaultKind.FailingRestart:
                record.Injected = new InjectedFault(fault.Error, null, CrashPending: true, FailsNextStart: true);
                child.Tell(Kill.Instance, Self);
                break;
            case FaultKind.Kill:
                record.AnnouncedExit = ExitReason.Failure("killed by the fault injector");
                StopFaulted(record, child);
                break;
            case FaultKind.Stop:
                record.AnnouncedExit = ExitReason.Normal;
                StopFaulted(record, child);
                break;
            case FaultKind.Hang:
                _runtime.Holds.SuspendFor(child, fault.Duration);
                break;
            case FaultKind.FailingUpgrade:
                record.UpgradeFault = fault.Error; // its next start by an upgrade throws (SupervisorActor.Upgrades)
                break;
            case FaultKind.Delay:
                var delayed = AddressOf(record);
                delayed.Inject(new DelayNextRoute(fault.Duration, _runtime, delayed.RouteNow));
                break;
            case FaultKind.Drop:
                var dropped = AddressOf(record);
                dropped.Inject(new DropNextRoute(fault.Count, InjectFault.DropReason(fault.Error), dropped.RouteNow));
                break;
        }

        sender.Tell(new FaultApplied(fault.Sequence, true, null));
    }

    /// <summary>
    /// A worker is stopped by Akka at once; a nested supervisor stops itself, once it has noted which of its children are inside
    /// a handler (Akka stops them before any of its code runs again, and a message one crashes on then would go unreported).
    /// </summary>
    private void StopFaulted(ChildRecord record, IActorRef child)
    {
        if (record.IsSuperviseSupervisor && !_runtime.Holds.IsSuspended(child))
        {
            child.Tell(new StopAtOnce(), Self);
        }
        else
        {
            Context.Stop(child);
        }
    }

    /// <summary>Restarts injected faults will cause that the window has not counted yet (the sum of the children's).</summary>
    private int _reservedRestarts;

    /// <summary>
    /// One restart reserved for a fault on <paramref name="child"/> is over: counted in the window now, or taken by a policy instead
    /// (a circuit breaker that opened, an isolation), which the window never counts. Not released, it would refuse every later fault.
    /// </summary>
    private void ReleaseReserved(ChildRecord child)
    {
        if (child.ReservedRestarts > 0)
        {
            child.ReservedRestarts--;
            _reservedRestarts--;
        }
    }

    /// <summary>Every restart reserved for faults on <paramref name="child"/> is over (its incarnation is gone, or the fault was covered).</summary>
    private void ReleaseAllReserved(ChildRecord child)
    {
        _reservedRestarts -= child.ReservedRestarts;
        child.ReservedRestarts = 0;
    }

    /// <summary>The restarts a fault will cause (a poison requeued without end: more than any intensity).</summary>
    private static int RestartsOf(FaultKind kind, ChildRecord record) => kind switch
    {
        FaultKind.Crash or FaultKind.Kill => 1,
        FaultKind.Poison => record.Policies.RequeueAfter == 0 ? 1 : record.Policies.Quarantine is not null ? record.Policies.RequeueAfter : int.MaxValue / 2,
        FaultKind.FailingRestart => 2,
        FaultKind.Stop => record.Spec.Restart == RestartType.Permanent ? 1 : 0,
        _ => 0,
    };

    /// <summary>Whether the restarts this fault causes, with those of faults not yet landed, would take the window past the intensity.</summary>
    private bool WouldExceedIntensity(FaultKind kind, ChildRecord record, double share)
    {
        var restarts = RestartsOf(kind, record);
        return restarts > 0 && _window.CountAt(_runtime.Elapsed) + _reservedRestarts + restarts > Math.Floor(_spec.Intensity * share);
    }

    /// <summary>A Kill the injector sent is reported as the crash it stands for.</summary>
    private static PendingFailure AsInjected(ChildRecord record, Exception cause, PendingFailure failure)
    {
        if (cause is not ActorKilledException || record.Injected is not { CrashPending: true } injected)
        {
            return failure;
        }

        if (injected.Poison is null)
        {
            // Landed: nothing more is pending, unless its restart is to fail too.
            record.Injected = injected.FailsNextStart ? injected with { CrashPending = false } : null;
        }

        return new PendingFailure(injected.Error, injected.Poison);
    }

    /// <summary>An injected bad configuration: the restart fails as a start would, and is retried as OTP does (counted).</summary>
    private bool FailInjectedStart(ChildRecord child)
    {
        if (child.Injected is not { CrashPending: false, FailsNextStart: true } injected || child.Ref is null)
        {
            return false;
        }

        child.Injected = null;
        var error = injected.Error;
        Discard(child);
        child.MoveTo(ChildLifecycle.WaitingToRestart);
        _events.Publish(new ChildStartFailed(_path, _runtime.Now, child.Id, error));
        Self.Tell(new RetryRestart(child, error, child.Generation));
        return true;
    }
}
