using Akka.Actor;

namespace Supervise.Runtime;

/// <summary>A supervisor's bookkeeping for one child spec and its current incarnation.</summary>
internal sealed class ChildRecord
{
    public ChildRecord(ChildSpec spec, object? args = null)
    {
        Spec = spec;
        Args = args;
    }

    public ChildSpec Spec { get; }

    public string Id => Spec.Id;

    /// <summary>Arguments a dynamic child was started with.</summary>
    public object? Args { get; }

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

    /// <summary>The handshake awaited while starting.</summary>
    public long HandshakeId { get; set; }

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
