using Akka.Actor;
using Supervise.Supervision;

namespace Supervise.Runtime;

/// <summary>A supervisor's bookkeeping for one child spec and its current incarnation.</summary>
internal sealed class ChildRecord : ISupervisedChild<PendingFailure>, IGroupMember
{
    private IActorRef? _ref;
    private ChildLifecycle _lifecycle = ChildLifecycle.NotRunning;
    private HealthState _reportedHealth = HealthState.Running;
    private PolicyState? _policy;

    public ChildRecord(ChildSpec spec, PolicySet policies, ChildBook book)
    {
        _shape = new ChildShape(spec, policies, null);
        Id = spec.Id;
        _book = book;
        Touch();
    }

    /// <summary>A dynamic child: <paramref name="shared"/> is its supervisor's one shape made from the template.</summary>
    public ChildRecord(string id, ChildShape shared, ChildBook book, object? args)
    {
        _shape = shared;
        Id = id;
        _book = book;
        Args = args;
        Touch();
    }

    /// <summary>Its spec, policies and (for a dynamic child) template factory: one object shared by all of a dynamic supervisor's children.</summary>
    private ChildShape _shape;

    /// <summary>A static child takes a new spec (a live upgrade): how its next incarnation starts, and its settings from now on.</summary>
    public void Reshape(ChildSpec spec, PolicySet policies) => _shape = new ChildShape(spec, policies, null);

    /// <summary>A dynamic child takes another template's shape (an upgrade replaces it from that template).</summary>
    public void TakeShape(ChildShape shape) => _shape = shape;

    private readonly ChildBook _book;

    /// <summary>Numbers records for hashing (a batch start keeps a set of them): an identity hash is made on first use, at a cost that showed in profiles.</summary>
    private static int _numbered;

    private readonly int _hash = Interlocked.Increment(ref _numbered);

    /// <inheritdoc/>
    public override int GetHashCode() => _hash;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <summary>Whether its health (and its address's route) must be looked at again: something it depends on changed.</summary>
    public bool Dirty { get; set; }

    /// <summary>Marks the record for the supervisor's next health pass (once).</summary>
    public void Touch()
    {
        if (!Dirty)
        {
            Dirty = true;
            _book.Dirty.Add(this);
        }
    }

    public PolicySet Policies => _shape.Policies;

    /// <summary>The child's stable address, once someone asked for it (or its policies answer callers).</summary>
    /// <summary>An injected <see cref="FaultKind.FailingUpgrade"/>: the error its next start by an upgrade throws.</summary>
    public Exception? UpgradeFault { get => _policy?.UpgradeFault; set { if (Policy(value is not null) is { } p) { p.UpgradeFault = value; } } }

    /// <summary>Restarts faults injected on it reserved in its supervisor's window (StayBelowIntensity) that are not counted yet.</summary>
    public int ReservedRestarts { get => _policy?.ReservedRestarts ?? 0; set { if (Policy(value != 0) is { } p) { p.ReservedRestarts = value; } } }

    /// <summary>While a live upgrade replaces it: how its address holds what is sent until the replacement runs.</summary>
    public BufferPolicy? HeldForUpgrade { get => _policy?.HeldForUpgrade; set { if (Policy(value is not null) is { } p) { p.HeldForUpgrade = value; } } }

    public ChildAddress? Address { get => _policy?.Address; set { if (Policy(value is not null) is { } p) { p.Address = value; } } }

    /// <summary>No longer one of the supervisor's children.</summary>
    public bool Removed => _lifecycle == ChildLifecycle.Removed;

    /// <summary>Its breaker's state (Closed unless it has a breaker policy).</summary>
    public CircuitState Circuit => _policy?.Breaker?.Circuit ?? CircuitState.Closed;

    /// <summary>Its circuit breaker, made on first use; null without a breaker policy.</summary>
    public BreakerState? Breaker => Policies.Breaker is { } breaker ? Policy(true)!.Breaker ??= new BreakerState(breaker) : null;

    /// <summary>Its backoff, once a restart was delayed.</summary>
    public BackoffState? Backoff { get => _policy?.Backoff; set { if (Policy(value is not null) is { } p) { p.Backoff = value; } } }

    /// <summary>The message of its last crash and how many crashes in a row it caused (requeue and quarantine), made on first use.</summary>
    public InFlightStreak Streak => Policy(true)!.Streak ??= new InFlightStreak();

    /// <summary>A backoff or breaker timer; <see cref="TimerToken"/> tells its message from an older one's.</summary>
    public ITimer? PolicyTimer { get => _policy?.Timer; set { if (Policy(value is not null) is { } p) { p.Timer = value; Touch(); } } }

    /// <summary>Whether the tree counts it among the restarts in progress (restarting, and not waiting for a backoff delay).</summary>
    public bool CountedInProgress { get; set; }

    public int TimerToken { get => _policy?.TimerToken ?? 0; set { if (Policy(value != 0) is { } p) { p.TimerToken = value; } } }

    /// <summary>A <see cref="FallbackPolicy"/> stand-in answering at the address.</summary>
    public IActorRef? StandIn { get => _policy?.StandIn; set { if (Policy(value is not null) is { } p) { p.StandIn = value; } } }

    /// <summary>A fault the injector armed on this incarnation and that has not fully landed (the one chaos field of a child).</summary>
    public InjectedFault? Injected { get => _policy?.Injected; set { if (Policy(value is not null) is { } p) { p.Injected = value; } } }

    /// <summary>Whether an incarnation of it ever finished starting (a stand-in is for a child that ran and stopped answering).</summary>
    public bool HasRun { get; set; }

    /// <summary>
    /// What most children never need (its policies' state, an injected fault, its address, a crash or exit waiting to be
    /// handled, group-restart and restart bookkeeping), made on first use: a supervisor may have a hundred thousand
    /// children, and each field here is eight bytes they do not carry. Setting a default value does not make it.
    /// </summary>
    private PolicyState? Policy(bool needed) => _policy ?? (needed ? _policy = new PolicyState() : null);

    private sealed class PolicyState
    {
        public BreakerState? Breaker;
        public BackoffState? Backoff;
        public InFlightStreak? Streak;
        public ITimer? Timer;
        public int TimerToken;
        public IActorRef? StandIn;
        public InjectedFault? Injected;
        public Exception? UpgradeFault;
        public BufferPolicy? HeldForUpgrade;
        public int ReservedRestarts;
        public ChildAddress? Address;
        public ExitReason? AnnouncedExit;
        public PendingFailure? PendingFailure;
        public ExitInLine? QueuedExit;
        public Exception? LastFailure;
        public int SeenFailureOf;
        public int Restarts;
        public bool ConfirmLater;
    }

    /// <summary>The spec; for dynamic children, one spec shared by all (its Id and Start are not theirs).</summary>
    public ChildSpec Spec => _shape.Spec;

    public string Id { get; }

    /// <summary>A dynamic child's template factory, called with <see cref="Args"/>.</summary>
    public Func<object?, Props>? DynamicStart => _shape.Start;

    /// <summary>Arguments a dynamic child was started with.</summary>
    public object? Args { get; }

    /// <summary>The props of a new incarnation (not for nested Supervise supervisors).</summary>
    public Props MakeProps() => DynamicStart is { } start ? start(Args) : Spec.Start!();

    /// <summary>The spec as callers see it: a dynamic child's own id and factory.</summary>
    public ChildSpec PublicSpec => DynamicStart is { } start ? Spec with { Id = Id, Start = () => start(Args) } : Spec;

    /// <summary>The current incarnation, or null when the child is not running.</summary>
    public IActorRef? Ref { get => _ref; set { _ref = value; Touch(); } }

    /// <summary>Where the child is in its life: one state of a closed set (see <see cref="ChildLifecycle"/>).</summary>
    public ChildLifecycle Lifecycle => _lifecycle;

    /// <summary>
    /// Moves the child to <paramref name="next"/>, dropping what belonged to the state it leaves (an exit waiting in line, a
    /// shutdown timer; a crash waiting to be decided hands its message in flight to the supervisor, never lost). A move the lifecycle does not have, or a state whose incarnation
    /// does not match <see cref="Ref"/>, is a bug in the supervisor, and throws rather than leave the child in a state that
    /// cannot be.
    /// </summary>
    public void MoveTo(ChildLifecycle next)
    {
        var from = _lifecycle;
        if (!ChildLifecycleRule.CanMove(from, next) || ChildLifecycleRule.HasIncarnation(next) != (_ref is not null))
        {
            throw new LifecycleViolationException(
                $"Child '{Id}' cannot move from {from} to {next} while {(_ref is null ? "no actor" : "an actor")} stands behind it: a bug in its supervisor.");
        }

        if (from != next)
        {
            switch (from)
            {
                case ChildLifecycle.Crashed when _policy is { PendingFailure: { } undecided } p:
                    p.PendingFailure = null;
                    _book.Undecided(this, undecided);
                    break;
                case ChildLifecycle.Exited when _policy is { } p:
                    p.QueuedExit = null;
                    break;
                case ChildLifecycle.Stopping when StopTimer is { } timer:
                    timer.Dispose();
                    StopTimer = null;
                    break;
            }

            _lifecycle = next;
            if (_book.PutOff is { } putOff && _ref is not null && IsPutOff(from) != IsPutOff(next))
            {
                putOff(_ref, IsPutOff(next));
            }
        }

        Touch();

        static bool IsPutOff(ChildLifecycle state) => state is ChildLifecycle.Crashed or ChildLifecycle.Held;
    }

    /// <summary>It threw: suspended until decided; <paramref name="failure"/> when the decision waits (in line, for a backoff delay, for a give-up's stop).</summary>
    public void Crash(PendingFailure? failure)
    {
        MoveTo(ChildLifecycle.Crashed);
        if (Policy(failure is not null) is { } p)
        {
            p.PendingFailure = failure;
        }
    }

    /// <summary>Takes the crash waiting in line to be decided (the child stays <see cref="ChildLifecycle.Crashed"/> while it is).</summary>
    public PendingFailure? TakeFailure()
    {
        var failure = PendingFailure;
        if (failure is not null)
        {
            _policy!.PendingFailure = null;
        }

        return failure;
    }

    /// <summary>It stopped while its supervisor was busy: its exit waits in line.</summary>
    public void QueueExit(ExitInLine exit)
    {
        MoveTo(ChildLifecycle.Exited);
        Policy(true)!.QueuedExit = exit;
    }

    /// <summary>The reason the child announced before stopping itself, if any.</summary>
    public ExitReason? AnnouncedExit { get => _policy?.AnnouncedExit; set { if (Policy(value is not null) is { } p) { p.AnnouncedExit = value; } } }

    /// <summary>A crash waiting to be decided (only while <see cref="ChildLifecycle.Crashed"/>).</summary>
    public PendingFailure? PendingFailure => _lifecycle == ChildLifecycle.Crashed ? _policy?.PendingFailure : null;

    /// <summary>Whether the supervisor is restarting the child (OTP's pid <c>restarting</c>): see <see cref="ChildLifecycleRule.IsRestarting"/>.</summary>
    public bool IsRestarting => ChildLifecycleRule.IsRestarting(_lifecycle);

    /// <summary>A nested supervisor of a group restart that has a child blocked past its shutdown timeout: its restart is not waited for.</summary>
    public bool ConfirmLater { get => _policy?.ConfirmLater ?? false; set { if (Policy(value) is { } p) { p.ConfirmLater = value; } } }

    /// <summary>Counts the handshakes sent to it: only the answer to the latest one confirms a start.</summary>
    public int Handshakes { get; set; }

    /// <summary>
    /// Moves on with each new incarnation and each call that stops the child, so that an exit or a retry
    /// queued for an earlier state is recognised as stale and ignored (OTP flushes such EXITs).
    /// </summary>
    public int Generation { get; set; }

    /// <summary>Its exit waiting in line (only while <see cref="ChildLifecycle.Exited"/>).</summary>
    public ExitInLine? QueuedExit => _lifecycle == ChildLifecycle.Exited ? _policy?.QueuedExit : null;

    /// <summary>The reason of an exit that waits to be handled: the child is gone, and what follows is decided.</summary>
    public ExitReason? WaitingExit => QueuedExit is { } exit && exit.Generation == Generation ? exit.Reason : null;

    /// <summary>The child's health as last published; null until first computed (a new child's first health is not a change).</summary>
    public HealthState? Health { get => _health == NoHealth ? null : (HealthState)_health; set => _health = value is { } health ? (byte)health : NoHealth; }

    private const byte NoHealth = byte.MaxValue;

    private byte _health = NoHealth;

    /// <summary>A nested supervisor's own health, as it last reported it.</summary>
    public HealthState ReportedHealth { get => _reportedHealth; set { _reportedHealth = value; Touch(); } }

    /// <summary>How often the supervisor restarted this child.</summary>
    public int Restarts { get => _policy?.Restarts ?? 0; set { if (Policy(value != 0) is { } p) { p.Restarts = value; } } }

    /// <summary>The last exception the child crashed with.</summary>
    public Exception? LastFailure { get => _policy?.LastFailure; set { if (Policy(value is not null) is { } p) { p.LastFailure = value; } } }

    /// <summary>Which incarnation's failure its supervisor last saw (<see cref="AkkaCell.FailedInstanceId"/>): one it did not see is Akka's to drop.</summary>
    public int SeenFailureOf { get => _policy?.SeenFailureOf ?? 0; set { if (Policy(value != 0) is { } p) { p.SeenFailureOf = value; } } }

    /// <summary>The shutdown timer while stopping with a timeout.</summary>
    public ITimer? StopTimer { get; set; }

    /// <summary>Whether its stop (while <see cref="ChildLifecycle.Stopping"/>) was asked as a message it handles, not made at once.</summary>
    public bool StopsGracefully { get; set; }

    public bool IsSuperviseSupervisor => Spec.Supervisor is not null;

    bool IGroupMember.IsSupervisor => IsSuperviseSupervisor;

    RestartType ISupervisedChild<PendingFailure>.Restart => Spec.Restart;

    bool ISupervisedChild<PendingFailure>.Significant => Spec.Significant;

    bool ISupervisedChild<PendingFailure>.Isolates => Policies.Isolate;

    bool ISupervisedChild<PendingFailure>.BacksOff => Policies.Backoff is not null;
}

/// <summary>What a child record is made from: its spec, its policies, and for a dynamic child its template's factory.</summary>
internal sealed record ChildShape(ChildSpec Spec, PolicySet Policies, Func<object?, Props>? Start)
{
    /// <summary>A dynamic supervisor's one spec, policies and factory for its children, made from its template.</summary>
    public static ChildShape Of(ChildTemplate template, IReadOnlyList<DegradationPolicy> defaultPolicies)
    {
        var shared = new ChildSpec("dynamic", null) { Restart = template.Restart, Shutdown = template.Shutdown, Kind = template.Kind, Criticality = template.Criticality, Tags = template.Tags };
        return new ChildShape(shared, PolicySet.For(template.Policies, defaultPolicies), template.Start);
    }
}

/// <summary>
/// An injected fault on its way: a crash (the child was sent a Kill) reported with <paramref name="Error"/>, for a poison
/// the message that stands for it; with <paramref name="FailsNextStart"/>, the restart that follows fails too (a bad
/// configuration). Once the crash has landed, <paramref name="CrashPending"/> is false.
/// </summary>
internal sealed record InjectedFault(Exception Error, InjectedPoison? Poison, bool CrashPending, bool FailsNextStart);

/// <summary>A start handshake (an Identify's message id): the child and which handshake it answers.</summary>
internal sealed record Handshake(ChildRecord Record, int Number);

/// <summary>A crash as the supervisor reads it from Akka: its cause, and the message the child was handling and its sender.</summary>
internal sealed record PendingFailure(Exception Cause, object? InFlight, IActorRef? InFlightSender = null) : ICrashReport;
