using Akka.Actor;
using Akka.Dispatch;
using Akka.Event;
using Supervise.Supervision;

namespace Supervise.Runtime;

/// <summary>Degradation policies and stable addresses.</summary>
internal sealed partial class SupervisorActor
{
    /// <summary>The mailbox a child needs when its in-flight message may be put back at the front.</summary>
    private const string DequeMailbox = "akka.actor.mailbox.unbounded-deque-based";

    private readonly List<QuarantinedMessage> _quarantine = [];
    private readonly Dictionary<IActorRef, ChildRecord> _standIns = new(ChildRefComparer.Instance);
    /// <summary>Stand-ins and children on their way out whose failure was seen, by the instance that failed (see <see cref="SawFailureOf"/>).</summary>
    private readonly Dictionary<IActorRef, int> _seenFailures = new(ChildRefComparer.Instance);

    /// <summary>A new record joins the children: it takes over its address from an earlier supervisor instance, or gets one if its policies answer callers.</summary>
    private ChildRecord Adopt(ChildRecord record)
    {
        // Only a static child comes back after its supervisor restarts: a dynamic child's address is never taken over.
        if (!IsDynamic && _runtime.Addresses.Any && _runtime.Addresses.TryGet(ChildPath(record), out var existing))
        {
            record.Address = existing;
        }
        else if (record.Policies.Reject || record.Policies.Buffer is not null || record.Policies.Fallback is not null)
        {
            AddressOf(record);
        }

        return record;
    }

    /// <summary>The child's address, made and registered for the tree on first use.</summary>
    private ChildAddress AddressOf(ChildRecord record)
    {
        if (record.Address is { } address)
        {
            return address;
        }

        address = new(((ExtendedActorSystem)Context.System).Provider, Self.Path / record.Id, _path, record.Id, _runtime, RouteFor(record, ChildHealthOf(record), null), record.Policies.Reject, record.Policies.Buffer);
        record.Address = address;
        _runtime.Addresses.Add(ChildPath(record), address);
        return address;
    }

    /// <summary>The address of the child <paramref name="id"/>, made on first request.</summary>
    private void OnChildAddressRequest(string id, IActorRef sender)
    {
        if (Find(id) is not { } record)
        {
            var ids = _children.Count == 0 ? "it has no children" : "its children are " + string.Join(", ", _children.Take(20).Select(c => Show.Cut(c.Id))) + (_children.Count > 20 ? ", ..." : "");
            sender.Tell(new Status.Failure(new KeyNotFoundException($"Supervisor '{_path}' has no child '{Show.Cut(id)}'; {ids}.")));
            return;
        }

        sender.Tell(AddressOf(record));
    }

    /// <summary>Where the child's address sends messages, given its state (the choice is <see cref="RouteRule"/>'s; an equal route in place is kept).</summary>
    private object RouteFor(ChildRecord record, HealthState state, object? current)
    {
        var policies = record.Policies;
        var answers = ChildLifecycleRule.Answers(record.Lifecycle);
        // A stand-in is made (once) only when the choice may fall to it: the child does not answer, and its policy is a fallback.
        var standIn = !answers && policies.Fallback is { } fallback ? StandInFor(record, fallback) : null;
        var held = record.HeldForUpgrade;
        var choice = RouteRule.Choose(new RouteFacts(record.Lifecycle, state, record.Circuit, policies.WhileDown, standIn is not null, held is not null));
        return choice.Kind switch
        {
            RouteKind.Child or RouteKind.Mailbox => record.Ref!,
            RouteKind.Reject => current is RejectRoute same && same.State == state && same.Why == choice.Why ? same : new RejectRoute(state, choice.Why!),
            RouteKind.Buffer => current as BufferRoute ?? new BufferRoute(held ?? policies.Buffer!),
            RouteKind.StandIn => current is FallbackRoute same && ReferenceEquals(same.StandIn, standIn) ? same : new FallbackRoute(standIn!),
            _ => current is DropRoute drop && drop.Why == choice.Why ? drop : new DropRoute(choice.Why!),
        };
    }

    private object RouteFor(ChildRecord record, HealthState state) => RouteFor(record, state, record.Address?.RouteNow);

    private IActorRef? StandInFor(ChildRecord record, FallbackPolicy fallback)
    {
        // Not while starting: a stand-in is for a child that ran and stopped answering, not one on its way up.
        if (record.StandIn is null && _core.Phase == SupervisorPhase.Running && record.HasRun)
        {
            try
            {
                record.StandIn = Context.ActorOf(fallback.Start());
                _standIns[record.StandIn] = record;
                record.Touch();
            }
            catch (Exception e)
            {
                _events.Publish(new ChildStartFailed(_path, _runtime.Now, record.Id + " (fallback)", e));
            }
        }

        return record.StandIn;
    }

    /// <summary>A stand-in crashed: it is restarted in place, as often as needed (it is the degraded answer); the message it crashed on is reported dropped.</summary>
    private bool OnStandInFailed(IActorRef child, Exception cause)
    {
        if (!_standIns.TryGetValue(child, out var record))
        {
            return false;
        }

        _log.Warning("Fallback stand-in {0} crashed and is restarted: {1}", child.Path, cause.Message);
        SawFailureOf(child);
        if (AkkaCell.InFlight(child) is var (message, _))
        {
            _events.Publish(new MessageDropped(_path, _runtime.Now, record.Id, message, "its fallback stand-in crashed while handling it"));
        }

        ((IInternalActorRef)child).Restart(cause);
        return true;
    }

    /// <summary>Removes a child for good: it leaves the counts, and its address tells callers it is gone.</summary>
    internal void RemoveChild(ChildRecord record)
    {
        if (!_children.Remove(record))
        {
            return;
        }

        ReleaseAllReserved(record); // a fault's restarts it will never have

        Count(record, -1);
        CountInProgress(record, false);
        record.MoveTo(ChildLifecycle.Removed);
        record.PolicyTimer?.Dispose();
        record.PolicyTimer = null;
        if (record.StandIn is { } standIn)
        {
            standIn.Tell(PoisonPill.Instance, Self);
            record.StandIn = null;
        }

        if (record.Address is { } address)
        {
            address.Release("it is no longer a child of its supervisor");
            _runtime.Addresses.TryRemove(ChildPath(record), address);
        }

        if (record.IsSuperviseSupervisor)
        {
            ReleaseAddresses(ChildPath(record) + "/", "its supervisor is no longer in the tree");
        }

        if (record.Policies.Quarantine is not null)
        {
            _quarantine.RemoveAll(e => e.ChildId == record.Id);
        }
    }

    /// <summary>A stand-in is gone (it was stopped, or stopped itself): its child is Down until another one is needed.</summary>
    private bool OnStandInGone(IActorRef child)
    {
        if (!_standIns.Remove(child, out var record))
        {
            return false;
        }

        if (ReferenceEquals(record.StandIn, child))
        {
            record.StandIn = null;
            record.Touch();
        }

        return true;
    }

    /// <summary>
    /// A nested supervisor is down and not coming back by itself: the addresses below it stop holding or
    /// promising, but stay registered for a later instance of it to take over.
    /// </summary>
    private void AddressesBelowAreDown(ChildRecord record)
    {
        foreach (var (_, address) in _runtime.Addresses.Under(ChildPath(record) + "/"))
        {
            address.Reroute(address.Unavailable(HealthState.Down, "a supervisor above it is down"));
        }
    }

    /// <summary>A child stopped or started by hand starts its policies afresh: no breaker, no pending timer, no crash count.</summary>
    private static void ResetPolicyState(ChildRecord record)
    {
        if (record.PolicyTimer is { } timer)
        {
            timer.Dispose();
            record.PolicyTimer = null;
            record.TimerToken++;
        }

        record.Breaker?.Reset();
        record.Backoff?.Reset();
        if (record.Policies.RequeueAfter > 0)
        {
            record.Streak.Reset();
        }

        record.Touch();
    }

    /// <summary>
    /// This supervisor instance is restarted by its parent. The addresses below it wait as if their children
    /// were restarting, for the next instance (and the supervisors it starts) to take over; a dynamic
    /// supervisor's children never come back, so theirs are released. Done here, before the children are
    /// stopped, so that nothing they do on the way out can move an address again.
    /// </summary>
    private void ParkAddresses()
    {
        if (IsDynamic)
        {
            ReleaseAddresses(_path + "/", "its supervisor restarted, and a dynamic supervisor's children do not come back");
            return;
        }

        foreach (var (_, address) in _runtime.Addresses.Under(_path + "/"))
        {
            address.Park();
        }
    }

    /// <summary>
    /// Releases the addresses under <paramref name="prefix"/> for good: what they hold is dropped and
    /// reported (or rejected under Reject), and so is what they are sent from now on.
    /// </summary>
    private void ReleaseAddresses(string prefix, string why, Func<string, bool>? only = null)
    {
        foreach (var (path, address) in _runtime.Addresses.Under(prefix))
        {
            if ((only is null || only(path)) && _runtime.Addresses.TryRemove(path, address))
            {
                address.Release(why);
            }
        }
    }

    /// <summary>
    /// A new instance started from its spec: children an earlier instance had been given at runtime are
    /// not among them, and neither is anything below them.
    /// </summary>
    private void ReleaseUnadoptedAddresses()
    {
        if (!_runtime.Addresses.Any)
        {
            return;
        }

        var prefix = _path + "/";
        var ids = _children.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        ReleaseAddresses(prefix, "it is no longer a child of its supervisor", path =>
        {
            var rest = path.AsSpan(prefix.Length);
            var slash = rest.IndexOf('/');
            return !ids.Contains((slash < 0 ? rest : rest[..slash]).ToString());
        });
    }

    /// <summary>
    /// Requeue and quarantine (for a child with either policy): the message the child crashed on goes back to the
    /// front of its mailbox until it has crashed the child too often in a row; then it is set aside. Returns whether
    /// it was taken care of (otherwise the caller drops it and reports it).
    /// </summary>
    private bool KeepInFlight(ChildRecord record, PendingFailure failure, object message)
    {
        var after = record.Policies.RequeueAfter;
        var outcome = record.Streak.Crashed(message, _runtime.Elapsed, _spec.Period, record.Backoff?.LastRestartAt ?? default, after, record.Policies.Quarantine is not null);
        if (outcome == InFlightOutcome.Quarantine)
        {
            var quarantine = record.Policies.Quarantine!;
            var entry = new QuarantinedMessage(record.Id, message, failure.InFlightSender ?? ActorRefs.Nobody, failure.Cause, record.Streak.Crashes, _runtime.Now);
            _quarantine.Add(entry);
            if (message is InjectedPoison)
            {
                record.Injected = null;
            }

            _events.Publish(new MessageQuarantined(_path, _runtime.Now, record.Id, entry));
            // Each child keeps up to its own capacity; its oldest entry makes room.
            if (_quarantine.Count(e => e.ChildId == record.Id) > quarantine.Capacity)
            {
                var oldest = _quarantine.First(e => e.ChildId == record.Id);
                _quarantine.Remove(oldest);
                _events.Publish(new MessageDropped(_path, _runtime.Now, oldest.ChildId, oldest.Message, $"the quarantine of {quarantine.Capacity} messages for this child was full"));
            }

            return true;
        }

        // The child is suspended: nothing dequeues while the message goes back in front.
        // An injected poison is a Kill again, so that it crashes the child again.
        if (record.Ref is { } child && AkkaCell.RequeueFront(child, message is InjectedPoison ? Kill.Instance : message, failure.InFlightSender ?? ActorRefs.NoSender!))
        {
            return true;
        }

        return false; // it cannot go back in front: dropped
    }

    /// <summary>The props of a new incarnation, with a mailbox that can take a message back in front if its policies requeue.</summary>
    private static Props WithPolicyMailbox(ChildRecord record, Props props) =>
        record.Policies.RequeueAfter > 0 && string.IsNullOrEmpty(props.Mailbox) ? props.WithMailbox(DequeMailbox) : props;

    /// <summary>The child exceeded the intensity under an isolate policy: stopped and Down instead of escalated.</summary>
    private void Isolate(ChildRecord record, ExitReason reason)
    {
        _window.Forget(record);
        if (record.Ref is not null)
        {
            Discard(record); // which says so at the addresses below a nested supervisor
        }
        else if (record.IsSuperviseSupervisor)
        {
            // It had stopped already: its own stop may have pointed its children's addresses at "being stopped".
            AddressesBelowAreDown(record);
        }

        record.MoveTo(ChildLifecycle.Isolated);

        _log.Warning("Child {0} isolated after exceeding the restart intensity of {1}", ChildPath(record), _path);
        _events.Publish(new ChildIsolated(_path, _runtime.Now, record.Id, reason.Exception));
        if (IsDynamic)
        {
            RemoveChild(record);
        }
    }

    private void OpenCircuit(ChildRecord record)
    {
        if (record.Ref is not null)
        {
            Discard(record);
        }

        _window.Forget(record);
        record.MoveTo(ChildLifecycle.NotRunning);
        var cooldown = record.Breaker!.Open();
        record.Touch();
        SchedulePolicyTimer(record, TimerPurpose.HalfOpen, cooldown, null);
        _events.Publish(new CircuitChanged(_path, _runtime.Now, record.Id, CircuitState.Open, cooldown, record.Breaker.Opens));
    }

    /// <summary>Restarts after the backoff delay; the crashed child stays suspended (or the exited one absent) until then.</summary>
    private void DelayRestart(ChildRecord record, BackoffPolicy backoff, ExitReason reason, bool alive)
    {
        record.Backoff ??= new BackoffState(backoff, backoff.Seed ?? Random.Shared.Next());
        var delay = record.Backoff.Next(_runtime.Elapsed);
        if (alive)
        {
            record.Crash(new PendingFailure(reason.Exception ?? new ChildExitedException(ChildPath(record), reason), null));
        }
        else
        {
            record.MoveTo(ChildLifecycle.WaitingToRestart);
        }

        SchedulePolicyTimer(record, TimerPurpose.Restart, delay, new DelayedRestart(reason, alive));
        _events.Publish(new ChildRestartDelayed(_path, _runtime.Now, record.Id, record.Backoff.Attempt, delay, record.Backoff.Seed));
    }

    private void SchedulePolicyTimer(ChildRecord record, TimerPurpose purpose, TimeSpan delay, DelayedRestart? restart)
    {
        record.PolicyTimer?.Dispose();
        record.TimerToken++;
        record.PolicyTimer = _runtime.Schedule(Self, new PolicyTimerDue(record, record.TimerToken, purpose, restart, this), delay);
    }

    private void OnPolicyTimer(PolicyTimerDue due)
    {
        var record = due.Record;
        if (due.Token != record.TimerToken || record.Removed || !ReferenceEquals(due.Owner, this))
        {
            return;
        }

        record.PolicyTimer = null;
        switch (due.Purpose)
        {
            case TimerPurpose.Restart when due.Restart is { Alive: true } r && record.Lifecycle == ChildLifecycle.Crashed:
                _core.Restart(record, r.Reason, alive: true);
                break;
            case TimerPurpose.Restart when due.Restart is { Alive: false } r && record.Lifecycle == ChildLifecycle.WaitingToRestart:
                _core.Restart(record, r.Reason, alive: false);
                break;
            case TimerPurpose.HalfOpen when record.Ref is null && record.Breaker!.TryHalfOpen():
                record.Touch();
                _events.Publish(new CircuitChanged(_path, _runtime.Now, record.Id, CircuitState.HalfOpen, TimeSpan.Zero, record.Breaker.Opens));
                SchedulePolicyTimer(record, TimerPurpose.Close, record.Policies.Breaker!.ProbeTime, null);
                if (Recreate(record, record.Id))
                {
                    PublishRestarted(record, record.Id);
                }

                break;
            case TimerPurpose.Close when record.Circuit == CircuitState.HalfOpen && record.IsRestarting:
                // The probe is not up yet (its name was still taken, or its start is being retried): it gets its full probe time once it is.
                SchedulePolicyTimer(record, TimerPurpose.Close, record.Policies.Breaker!.ProbeTime, null);
                break;
            case TimerPurpose.Close when record.Breaker!.TryClose():
                record.Touch();
                _events.Publish(new CircuitChanged(_path, _runtime.Now, record.Id, CircuitState.Closed, TimeSpan.Zero, 0));
                break;
        }
    }

    private enum TimerPurpose
    {
        Restart,
        HalfOpen,
        Close,
    }

    private sealed record DelayedRestart(ExitReason Reason, bool Alive);

    /// <summary>A policy timer is due; stale if the record's token moved on or it was set by an earlier instance of this supervisor (<paramref name="Owner"/>).</summary>
    private sealed record PolicyTimerDue(ChildRecord Record, int Token, TimerPurpose Purpose, DelayedRestart? Restart, object Owner);
}
