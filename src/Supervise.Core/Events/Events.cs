using Akka.Actor;

namespace Supervise;

/// <summary>A supervisor started all its children (a progress report).</summary>
public sealed record SupervisorStarted(string SupervisorPath, DateTimeOffset Timestamp, int ChildCount)
    : SupervisionEvent(SupervisorPath, Timestamp);

/// <summary>A child finished starting (a progress report).</summary>
public sealed record ChildStarted(string SupervisorPath, DateTimeOffset Timestamp, string ChildId, IActorRef Child)
    : ChildEvent(SupervisorPath, Timestamp, ChildId);

/// <summary>A child could not be started: its props factory, constructor or PreStart threw.</summary>
public sealed record ChildStartFailed(string SupervisorPath, DateTimeOffset Timestamp, string ChildId, Exception Cause)
    : ChildEvent(SupervisorPath, Timestamp, ChildId);

/// <summary>A child threw while handling a message or while restarting (a crash report).</summary>
public sealed record ChildCrashed(string SupervisorPath, DateTimeOffset Timestamp, string ChildId, IActorRef Child, Exception Cause)
    : ChildEvent(SupervisorPath, Timestamp, ChildId);

/// <summary>A child was restarted.</summary>
/// <param name="SupervisorPath">The supervisor's place in the tree.</param>
/// <param name="Timestamp">When it happened.</param>
/// <param name="ChildId">The restarted child.</param>
/// <param name="Child">Its reference after the restart (the same one when restarted in place).</param>
/// <param name="TriggeredBy">The id of the child whose exit caused the restart (itself, or a sibling).</param>
/// <param name="RestartsInWindow">Restarts counted in the supervisor's window, this one included.</param>
/// <param name="Intensity">The supervisor's intensity.</param>
/// <param name="Period">The supervisor's period.</param>
public sealed record ChildRestarted(
    string SupervisorPath,
    DateTimeOffset Timestamp,
    string ChildId,
    IActorRef Child,
    string TriggeredBy,
    int RestartsInWindow,
    int Intensity,
    TimeSpan Period)
    : ChildEvent(SupervisorPath, Timestamp, ChildId);

/// <summary>A child stopped: by itself, or because its supervisor stopped it.</summary>
public sealed record ChildTerminated(string SupervisorPath, DateTimeOffset Timestamp, string ChildId, ExitReason Reason)
    : ChildEvent(SupervisorPath, Timestamp, ChildId);

/// <summary>A message was lost, for example the one a child was handling when it crashed.</summary>
public sealed record MessageDropped(string SupervisorPath, DateTimeOffset Timestamp, string ChildId, object Message, string Why)
    : ChildEvent(SupervisorPath, Timestamp, ChildId);

/// <summary>
/// A supervisor exceeded its restart intensity: it stops its children and fails to its parent
/// (or, at the root, does what <see cref="TreeOptions.OnRootGiveUp"/> says).
/// </summary>
public sealed record SupervisorGaveUp(
    string SupervisorPath,
    DateTimeOffset Timestamp,
    string ChildId,
    int Restarts,
    int Intensity,
    TimeSpan Period,
    Exception Reason)
    : SupervisionEvent(SupervisorPath, Timestamp);

/// <summary>A supervisor shut itself down because significant children exited (auto-shutdown).</summary>
public sealed record SupervisorAutoShutdown(string SupervisorPath, DateTimeOffset Timestamp, string ChildId, AutoShutdown Mode)
    : SupervisionEvent(SupervisorPath, Timestamp);

/// <summary>A whole tree stopped.</summary>
public sealed record TreeShutdown(string SupervisorPath, DateTimeOffset Timestamp, TreeStopReason Reason, Exception? Error)
    : SupervisionEvent(SupervisorPath, Timestamp);

/// <summary>A supervisor asked a child to stop, by its shutdown spec (its timer, if any, is running).</summary>
public sealed record ChildStopRequested(string SupervisorPath, DateTimeOffset Timestamp, string ChildId, Shutdown Shutdown)
    : ChildEvent(SupervisorPath, Timestamp, ChildId);

/// <summary>A child's restart waits, by its <see cref="BackoffPolicy"/>.</summary>
/// <param name="SupervisorPath">The supervisor.</param>
/// <param name="Timestamp">When the restart was decided.</param>
/// <param name="ChildId">The child.</param>
/// <param name="Attempt">Restarts in a row, this one included (1 after a reset).</param>
/// <param name="Delay">How long it waits.</param>
/// <param name="Seed">The seed of the child's jitter source.</param>
public sealed record ChildRestartDelayed(string SupervisorPath, DateTimeOffset Timestamp, string ChildId, int Attempt, TimeSpan Delay, int Seed)
    : ChildEvent(SupervisorPath, Timestamp, ChildId);

/// <summary>A child exceeded its supervisor's intensity and was stopped and marked Down instead of the supervisor giving up (<see cref="IsolatePolicy"/>).</summary>
public sealed record ChildIsolated(string SupervisorPath, DateTimeOffset Timestamp, string ChildId, Exception? LastFailure)
    : ChildEvent(SupervisorPath, Timestamp, ChildId);

/// <summary>The state of a child's <see cref="CircuitBreakerPolicy"/>.</summary>
public enum CircuitState
{
    /// <summary>Crashes are restarted as usual.</summary>
    Closed,

    /// <summary>The child is stopped for a cool-down.</summary>
    Open,

    /// <summary>One restart (the probe) is running on probation.</summary>
    HalfOpen,
}

/// <summary>A child's circuit breaker changed state.</summary>
/// <param name="SupervisorPath">The supervisor.</param>
/// <param name="Timestamp">When.</param>
/// <param name="ChildId">The child.</param>
/// <param name="State">The new state.</param>
/// <param name="Cooldown">When opening: how long until the probe; otherwise zero.</param>
/// <param name="Opens">Times it opened in a row without closing.</param>
public sealed record CircuitChanged(string SupervisorPath, DateTimeOffset Timestamp, string ChildId, CircuitState State, TimeSpan Cooldown, int Opens)
    : ChildEvent(SupervisorPath, Timestamp, ChildId);

/// <summary>A message crashed its child too often and was set aside (<see cref="QuarantinePolicy"/>).</summary>
public sealed record MessageQuarantined(string SupervisorPath, DateTimeOffset Timestamp, string ChildId, QuarantinedMessage Entry)
    : ChildEvent(SupervisorPath, Timestamp, ChildId);

/// <summary>The fault injector carried out a fault.</summary>
public sealed record FaultInjected(string SupervisorPath, DateTimeOffset Timestamp, string ChildId, FaultRecord Fault)
    : ChildEvent(SupervisorPath, Timestamp, ChildId);

/// <summary>A chaos run ended; its report.</summary>
public sealed record ChaosEnded(string SupervisorPath, DateTimeOffset Timestamp, ChaosReport Report)
    : SupervisionEvent(SupervisorPath, Timestamp);

/// <summary>A chaos run started on a tree, with its seed.</summary>
public sealed record ChaosStarted(string SupervisorPath, DateTimeOffset Timestamp, int Seed)
    : SupervisionEvent(SupervisorPath, Timestamp);

/// <summary>The fault injector chose a fault and did not carry it out; <see cref="FaultRecord.Skipped"/> says why.</summary>
public sealed record FaultSkipped(string SupervisorPath, DateTimeOffset Timestamp, FaultRecord Fault)
    : SupervisionEvent(SupervisorPath, Timestamp);
