using Akka.Actor;
using Akka.Event;
using Supervise.Supervision;

namespace Supervise.Runtime;

/// <summary>Starting children: a new incarnation, its handshake, and what a child says as it stops.</summary>
internal sealed partial class SupervisorActor
{
    /// <summary>Creates a new incarnation of <paramref name="record"/>; with a handshake, it counts as started only when it answers.</summary>
    internal void Spawn(ChildRecord record, bool handshake)
    {
        var props = record.Spec.Supervisor is { } nested
            ? SupervisorProducer.Props(nested, _runtime, ChildPath(record), root: null)
            : WithPolicyMailbox(record, record.MakeProps());
        // No death watch: Akka tells a parent when a child terminates (see FailureHook).
        var child = Context.ActorOf(props, record.Id);
        record.Ref = child;
        record.Generation++;
        record.AnnouncedExit = null;
        // A fault aimed at an earlier incarnation never lands on this one, nor are the restarts it reserved counted.
        record.Injected = null;
        ReleaseAllReserved(record);
        if (record.Circuit == CircuitState.Open)
        {
            // Started again by hand while open: the breaker starts afresh.
            record.PolicyTimer?.Dispose();
            record.PolicyTimer = null;
            record.Breaker!.Reset();
        }

        _byRef[child] = record;
        if (!handshake)
        {
            record.MoveTo(ChildLifecycle.Running);
            record.HasRun = true;
            return;
        }

        record.MoveTo(ChildLifecycle.Starting);
        if (!record.IsSuperviseSupervisor)
        {
            SendHandshake(record);
        }
    }

    private HandshakeSink? _handshakes;

    /// <summary>
    /// Identify is answered only after the constructor and PreStart have run without throwing (and, in place, after what was
    /// queued before it). A batch's children answer to the supervisor's <see cref="HandshakeSink"/>, which gathers answers
    /// that arrive together; a single start or restart is answered directly.
    /// </summary>
    private void SendHandshake(ChildRecord record) =>
        record.Ref!.Tell(new Identify(new Handshake(record, ++record.Handshakes)), _starting is BatchStart<ChildRecord> ? Sink() : Self);

    private HandshakeSink Sink() => _handshakes ??= new HandshakeSink(Self, ((ExtendedActorSystem)Context.System).Provider);

    internal void MarkStarted(ChildRecord record)
    {
        record.MoveTo(ChildLifecycle.Running);
        record.HasRun = true;
        PointAddress(record);
        _events.Publish(new ChildStarted(_path, _runtime.Now, record.Id, record.Ref!));
    }

    /// <summary>Forgets a child whose start failed, stopping whatever is left of it.</summary>
    internal void AbandonFailedStart(ChildRecord record, Exception cause)
    {
        if (record.Ref is not null)
        {
            Discard(record);
        }

        record.MoveTo(ChildLifecycle.NotRunning);
        _events.Publish(new ChildStartFailed(_path, _runtime.Now, record.Id, cause));
    }

    private void OnIdentity(ActorIdentity identity)
    {
        if (identity.MessageId is Handshake handshake)
        {
            OnHandshakeAnswer(new HandshakeAnswer(handshake.Record, handshake.Number, identity.Subject));
        }
    }

    private void OnHandshakeAnswer(HandshakeAnswer answer)
    {
        // The answer must be to the child's latest handshake, from its current incarnation.
        var record = answer.Record;
        if (answer.Number != record.Handshakes || answer.Subject is not { } subject || !(ReferenceEquals(subject, record.Ref) || subject.Equals(record.Ref)))
        {
            return;
        }

        if (_starting is { } starting && starting.Awaits(record))
        {
            starting.OnReady(record);
        }
        else if (record.Lifecycle == ChildLifecycle.RetryingInPlace)
        {
            record.MoveTo(ChildLifecycle.Running); // its restart in place started it at last
        }
    }

    private void OnChildSupervisorReady(IActorRef child)
    {
        if (_byRef.TryGetValue(child, out var record) && _starting is { } starting && starting.Awaits(record))
        {
            starting.OnReady(record);
        }
    }

    /// <summary>
    /// A child announced why it stops. A nested supervisor announces it once its own children are
    /// stopped; if this supervisor is stopping it, it counts as gone from then on.
    /// </summary>
    private void OnChildExiting(IActorRef child, ExitReason reason)
    {
        if (!_byRef.TryGetValue(child, out var record))
        {
            return;
        }

        if (record.Lifecycle == ChildLifecycle.Stopping && record.IsSuperviseSupervisor)
        {
            Forget(record);
            record.MoveTo(ChildLifecycle.NotRunning);
            _events.Publish(new ChildTerminated(_path, _runtime.Now, record.Id, ExitReason.Shutdown));
            _stopping?.OnGone(record);
            _group?.OnGone(record);
            return;
        }

        record.AnnouncedExit = reason;
    }

    /// <summary>An incarnation that was no longer tracked is gone: its name is free again.</summary>
    private void OnDyingGone(IActorRef child, string name)
    {
        if (_abandoned.Remove(child))
        {
            _runtime.Counts.AbandonedGone();
        }

        if (_dying.ContainsValue(name))
        {
            return;
        }

        _dyingNames.Remove(name);
        if (_waitingForNames.Count > 0)
        {
            foreach (var waiting in _waitingForNames)
            {
                _core.Enqueue(waiting);
            }

            _waitingForNames.Clear();
            _core.Drain();
        }
    }

    /// <summary>
    /// Starts a new incarnation (with a handshake, it counts as started only when it answers). If its name is still
    /// taken by an incarnation on its way out, it starts once that one is gone; a start that throws is retried as a
    /// crash (counted).
    /// </summary>
    private bool Recreate(ChildRecord record, string triggeredBy, bool handshake = false)
    {
        if (_dyingNames.Contains(record.Id))
        {
            record.MoveTo(ChildLifecycle.WaitingToRestart);
            _waitingForNames.Add(new DeferredRecreate(record, record.Generation, triggeredBy));
            return false;
        }

        try
        {
            Spawn(record, handshake);
            return true;
        }
        catch (Exception e) when (e is not LifecycleViolationException)
        {
            record.Ref = null;
            record.MoveTo(ChildLifecycle.WaitingToRestart);
            _events.Publish(new ChildStartFailed(_path, _runtime.Now, record.Id, e));
            Self.Tell(new RetryRestart(record, e, record.Generation));
            return false;
        }
    }

    private sealed record DeferredRecreate(ChildRecord Record, int Generation, string TriggeredBy);
}
