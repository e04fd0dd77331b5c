using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>A supervisor's bookkeeping for one child spec and its current incarnation.</summary>
internal sealed class ChildRecord
{
    private IActorRef? _ref;
    private ChildState _state = ChildState.NotRunning;
    private bool _retryPending;
    private bool _recreateWhenGone;
    private bool _inGroup;
    private HealthState _reportedHealth = HealthState.Running;
    private bool _isolated;
    private PolicyState? _policy;

    public ChildRecord(ChildSpec spec, PolicySet policies, List<ChildRecord> dirty)
    {
        _shape = new ChildShape(spec, policies, null);
        Id = spec.Id;
        _dirty = dirty;
        Touch();
    }

    /// <summary>A dynamic child: <paramref name="shared"/> is its supervisor's one shape made from the template.</summary>
    public ChildRecord(string id, ChildShape shared, List<ChildRecord> dirty, object? args)
    {
        _shape = shared;
        Id = id;
        _dirty = dirty;
        Args = args;
        Touch();
    }

    /// <summary>Its spec, policies and (for a dynamic child) template factory: one object shared by all of a dynamic supervisor's children.</summary>
    private readonly ChildShape _shape;

    private readonly List<ChildRecord> _dirty;

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
            _dirty.Add(this);
        }
    }

    public PolicySet Policies => _shape.Policies;

    /// <summary>The child's stable address, once someone asked for it (or its policies answer callers).</summary>
    public ChildAddress? Address { get => _policy?.Address; set { if (Policy(value is not null) is { } p) { p.Address = value; } } }

    /// <summary>No longer one of the supervisor's children.</summary>
    public bool Removed { get; set; }

    /// <summary>Stopped by <see cref="IsolatePolicy"/>: Down until started again by hand.</summary>
    public bool Isolated { get => _isolated; set { _isolated = value; Touch(); } }

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
        public ChildAddress? Address;
        public ExitReason? AnnouncedExit;
        public PendingFailure? PendingFailure;
        public PendingExit? QueuedExit;
        public Exception? LastFailure;
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

    public ChildState State { get => _state; set { _state = value; Touch(); } }

    /// <summary>The reason the child announced before stopping itself, if any.</summary>
    public ExitReason? AnnouncedExit { get => _policy?.AnnouncedExit; set { if (Policy(value is not null) is { } p) { p.AnnouncedExit = value; } } }

    /// <summary>A failure waiting to be handled: the child stays suspended until then.</summary>
    public PendingFailure? PendingFailure
    {
        get => _policy?.PendingFailure;
        set
        {
            if (Policy(value is not null) is { } p)
            {
                p.PendingFailure = value;
                Touch();
            }
        }
    }

    /// <summary>A restart failed to start the child and is being tried again (OTP's <c>restarting</c>).</summary>
    public bool RetryPending { get => _retryPending; set { _retryPending = value; Touch(); } }

    /// <summary>Whether the supervisor is restarting the child: a crash or a failed restart waits to be handled, or a group restart holds it.</summary>
    public bool IsRestarting => _retryPending || _inGroup || _policy?.PendingFailure is not null;

    /// <summary>Part of a group restart (one-for-all, rest-for-one) that has not started it again yet: Restarting.</summary>
    public bool InGroupRestart { get => _inGroup; set { _inGroup = value; Touch(); } }

    /// <summary>
    /// Suspended by its supervisor for a group restart (one Suspend, balanced by the restart in place), and the
    /// instance it held then: a failure of that instance reported later is covered by the restart, not a new crash.
    /// </summary>
    public bool Held { get; set; }

    /// <summary>A nested supervisor of a group restart that has a child blocked past its shutdown timeout: its restart is not waited for.</summary>
    public bool ConfirmLater { get => _policy?.ConfirmLater ?? false; set { if (Policy(value) is { } p) { p.ConfirmLater = value; } } }

    /// <summary>Counts the handshakes sent to it: only the answer to the latest one confirms a start.</summary>
    public int Handshakes { get; set; }

    /// <summary>
    /// Moves on with each new incarnation and each call that stops the child, so that an exit or a retry
    /// queued for an earlier state is recognised as stale and ignored (OTP flushes such EXITs).
    /// </summary>
    public int Generation { get; set; }

    /// <summary>
    /// Its exit, when the child stopped while the supervisor was busy (a start, a stop) and the exit waits in
    /// line; current only while it belongs to this incarnation (see <see cref="WaitingExit"/>).
    /// </summary>
    public PendingExit? QueuedExit
    {
        get => _policy?.QueuedExit;
        set
        {
            if (Policy(value is not null) is { } p)
            {
                p.QueuedExit = value;
                Touch();
            }
        }
    }

    /// <summary>The reason of an exit that waits to be handled: the child is gone, and what follows is decided.</summary>
    public ExitReason? WaitingExit => _ref is null && _policy?.QueuedExit is { } exit && exit.Generation == Generation ? exit.Reason : null;

    /// <summary>Its actor had already terminated when a restart reached it: start it when its Terminated arrives.</summary>
    public bool RecreateWhenGone { get => _recreateWhenGone; set { _recreateWhenGone = value; Touch(); } }


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

    /// <summary>The shutdown timer while stopping with a timeout.</summary>
    public ITimer? StopTimer { get; set; }

    public bool IsSuperviseSupervisor => Spec.Supervisor is not null;
}

/// <summary>What a child record is made from: its spec, its policies, and for a dynamic child its template's factory.</summary>
internal sealed record ChildShape(ChildSpec Spec, PolicySet Policies, Func<object?, Props>? Start);

internal enum ChildState
{
    NotRunning,
    Starting,
    Running,
    Stopping,
}

/// <summary>
/// An injected fault on its way: a crash (the child was sent a Kill) reported with <paramref name="Error"/>, for a poison
/// the message that stands for it; with <paramref name="FailsNextStart"/>, the restart that follows fails too (a bad
/// configuration). Once the crash has landed, <paramref name="CrashPending"/> is false.
/// </summary>
internal sealed record InjectedFault(Exception Error, InjectedPoison? Poison, bool CrashPending, bool FailsNextStart);

/// <summary>A start handshake (an Identify's message id): the child and which handshake it answers.</summary>
internal sealed record Handshake(ChildRecord Record, int Number);

internal sealed record PendingFailure(Exception Cause, object? InFlight, IActorRef? InFlightSender = null);
