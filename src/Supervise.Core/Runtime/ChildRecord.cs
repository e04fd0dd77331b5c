using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>A supervisor's bookkeeping for one child spec and its current incarnation.</summary>
internal sealed class ChildRecord
{
    public ChildRecord(ChildSpec spec)
    {
        Spec = spec;
        Id = spec.Id;
    }

    /// <summary>A dynamic child: <paramref name="shared"/> is its supervisor's one spec made from the template.</summary>
    public ChildRecord(string id, ChildSpec shared, Func<object?, Props> start, object? args)
    {
        Spec = shared;
        Id = id;
        DynamicStart = start;
        Args = args;
    }

    /// <summary>The spec; for dynamic children, one spec shared by all (its Id and Start are not theirs).</summary>
    public ChildSpec Spec { get; }

    public string Id { get; }

    /// <summary>A dynamic child's template factory, called with <see cref="Args"/>.</summary>
    public Func<object?, Props>? DynamicStart { get; }

    /// <summary>Arguments a dynamic child was started with.</summary>
    public object? Args { get; }

    /// <summary>The props of a new incarnation (not for nested Supervise supervisors).</summary>
    public Props MakeProps() => DynamicStart is { } start ? start(Args) : Spec.Start!();

    /// <summary>The spec as callers see it: a dynamic child's own id and factory.</summary>
    public ChildSpec PublicSpec => DynamicStart is { } start ? Spec with { Id = Id, Start = () => start(Args) } : Spec;

    /// <summary>The current incarnation, or null when the child is not running.</summary>
    public IActorRef? Ref { get; set; }

    public ChildState State { get; set; } = ChildState.NotRunning;

    /// <summary>The reason the child announced before stopping itself, if any.</summary>
    public ExitReason? AnnouncedExit { get; set; }

    /// <summary>A failure waiting to be handled: the child stays suspended until then.</summary>
    public PendingFailure? PendingFailure { get; set; }

    /// <summary>A restart failed to start the child and is being tried again (OTP's <c>restarting</c>).</summary>
    public bool RetryPending { get; set; }

    /// <summary>Whether the supervisor is restarting the child: a crash or a failed restart waits to be handled.</summary>
    public bool IsRestarting => PendingFailure is not null || RetryPending;

    /// <summary>
    /// Moves on with each new incarnation and each call that stops the child, so that an exit or a retry
    /// queued for an earlier state is recognised as stale and ignored (OTP flushes such EXITs).
    /// </summary>
    public int Generation { get; set; }

    /// <summary>Its actor had already terminated when a restart reached it: start it when its Terminated arrives.</summary>
    public bool RecreateWhenGone { get; set; }


    /// <summary>The child's health as last published; null until first computed (a new child's first health is not a change).</summary>
    public HealthState? Health { get; set; }

    /// <summary>A nested supervisor's own health, as it last reported it.</summary>
    public HealthState ReportedHealth { get; set; } = HealthState.Running;

    /// <summary>How often the supervisor restarted this child.</summary>
    public int Restarts { get; set; }

    /// <summary>The last exception the child crashed with.</summary>
    public Exception? LastFailure { get; set; }

    /// <summary>The shutdown timer while stopping with a timeout.</summary>
    public ITimer? StopTimer { get; set; }

    public bool IsSuperviseSupervisor => Spec.Supervisor is not null;
}

internal enum ChildState
{
    NotRunning,
    Starting,
    Running,
    Stopping,
}

internal sealed record PendingFailure(Exception Cause, object? InFlight);
