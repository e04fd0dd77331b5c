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
