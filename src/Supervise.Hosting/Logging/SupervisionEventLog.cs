using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace Supervise.Hosting;

/// <summary>
/// Writes Supervise's supervision events through <see cref="ILogger"/>, so that every logging provider gets them (the
/// console, Serilog through <c>AddSerilog</c>, OpenTelemetry logs). Each kind of event has its own event id and name
/// (<see cref="SupervisionLogEvents"/>) and structured fields with stable names: <c>Tree</c>, <c>Path</c>,
/// <c>Supervisor</c>, <c>ChildId</c>, <c>Strategy</c>, <c>RestartCount</c>, <c>Intensity</c>, <c>Period</c>,
/// <c>Reason</c>, <c>Health</c>, <c>PreviousHealth</c>, <c>FaultKind</c>, <c>FaultSequence</c>, and the exception
/// attached. Crash and give-up reports are Errors; restarts, recoveries and health changes Information; injected faults,
/// lost and quarantined messages, isolation and circuits Warnings; starts (progress, a supervisor's first health
/// included: a start is not a recovery) Debug. The host starts it with the category <c>Supervise</c>.
/// </summary>
public static class SupervisionEventLog
{
    /// <summary>The category the host writes supervision events with.</summary>
    public const string Category = "Supervise";

    /// <summary>
    /// Starts writing every supervision event of <paramref name="system"/> to <paramref name="logger"/>;
    /// <paramref name="strategies"/> names each supervisor's strategy. Stop the returned actor to stop.
    /// </summary>
    public static IActorRef Start(ActorSystem system, ILogger logger, SupervisionStrategies? strategies = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(logger);
        var writer = system.ActorOf(Props.Create(() => new Writer(logger, strategies ?? new SupervisionStrategies())), "supervise-event-log-" + Guid.NewGuid().ToString("N")[..8]);
        // Now, not when the actor starts: no event published after this call is missed.
        system.EventStream.Subscribe(writer, typeof(SupervisionEvent));
        return writer;
    }

    /// <summary>Writes one event (what the writer actor does with each).</summary>
    internal static void Write(ILogger logger, SupervisionEvent e, string? strategy)
    {
        if (e is ChildStarted or ChildStopRequested or FaultSkipped && !logger.IsEnabled(LogLevel.Debug))
        {
            return; // the many progress events: not even made into an entry when Debug is off
        }

        var supervisor = e.SupervisorPath;
        var entry = e switch
        {
            ChildCrashed c => new LogEntry(SupervisionLogEvents.ChildCrashed, "ChildCrashed", LogLevel.Error, c.Cause, "Crash report: child {ChildId} of {Supervisor} ({Strategy}) crashed: {Reason}")
                .With("ChildId", c.ChildId).With("Supervisor", supervisor).With("Strategy", strategy).With("Reason", c.Cause.Message).At(c.ChildPath),
            SupervisorGaveUp g => new LogEntry(SupervisionLogEvents.SupervisorGaveUp, "SupervisorGaveUp", LogLevel.Error, g.Reason, "Give-up report: supervisor {Supervisor} ({Strategy}) gave up after {RestartCount} restarts within {Period} (intensity {Intensity}); last failure in child {ChildId}: {Reason}")
                .With("Supervisor", supervisor).With("Strategy", strategy).With("RestartCount", g.Restarts).With("Period", g.Period).With("Intensity", g.Intensity).With("ChildId", g.ChildId).With("Reason", g.Reason.Message).At(supervisor),
            ChildStartFailed f => new LogEntry(SupervisionLogEvents.ChildStartFailed, "ChildStartFailed", LogLevel.Error, f.Cause, "Child {ChildId} of {Supervisor} failed to start: {Reason}")
                .With("ChildId", f.ChildId).With("Supervisor", supervisor).With("Reason", f.Cause.Message).At(f.ChildPath),
            ChildRestarted r => new LogEntry(SupervisionLogEvents.ChildRestarted, "ChildRestarted", LogLevel.Information, null, "Child {ChildId} of {Supervisor} restarted by {Strategy} after {TriggeredBy}: {RestartCount} of {Intensity} restarts within {Period}")
                .With("ChildId", r.ChildId).With("Supervisor", supervisor).With("Strategy", strategy).With("TriggeredBy", r.TriggeredBy).With("RestartCount", r.RestartsInWindow).With("Intensity", r.Intensity).With("Period", r.Period).At(r.ChildPath),
            ChildRestartDelayed d => new LogEntry(SupervisionLogEvents.ChildRestartDelayed, "ChildRestartDelayed", LogLevel.Information, null, "Child {ChildId} of {Supervisor} restarts in {Delay} (attempt {Attempt})")
                .With("ChildId", d.ChildId).With("Supervisor", supervisor).With("Delay", d.Delay).With("Attempt", d.Attempt).At(d.ChildPath),
            HealthChanged { Started: true, Current: HealthState.Running } h => new LogEntry(SupervisionLogEvents.Started, "Started", LogLevel.Debug, null, "Progress report: {Path} started: {Health}")
                .At(PathOf(h)).With("Health", h.Current),
            HealthChanged h => new LogEntry(SupervisionLogEvents.HealthChanged, "HealthChanged", LogLevel.Information, null, "{Path} is {Health} (was {PreviousHealth})")
                .At(PathOf(h)).With("Health", h.Current).With("PreviousHealth", h.Previous),
            FaultInjected f => new LogEntry(SupervisionLogEvents.FaultInjected, "FaultInjected", LogLevel.Warning, null, "Injected {FaultKind} into {Path} (fault {FaultSequence})")
                .With("FaultKind", f.Fault.Kind).At(f.Fault.Target).With("FaultSequence", f.Fault.Sequence),
            FaultSkipped k => new LogEntry(SupervisionLogEvents.FaultSkipped, "FaultSkipped", LogLevel.Debug, null, "Skipped {FaultKind} at {Path} (fault {FaultSequence}): {Reason}")
                .With("FaultKind", k.Fault.Kind).At(k.Fault.Target).With("FaultSequence", k.Fault.Sequence).With("Reason", k.Fault.Skipped),
            MessageDropped m => new LogEntry(SupervisionLogEvents.MessageDropped, "MessageDropped", LogLevel.Warning, null, "A message to {Path} was lost: {Reason}")
                .At(m.ChildPath).With("Reason", m.Why).With("ChildId", m.ChildId).With("Supervisor", supervisor),
            MessageQuarantined q => new LogEntry(SupervisionLogEvents.MessageQuarantined, "MessageQuarantined", LogLevel.Warning, null, "A message to {Path} was quarantined")
                .At(q.ChildPath).With("ChildId", q.ChildId).With("Supervisor", supervisor),
            ChildIsolated i => new LogEntry(SupervisionLogEvents.ChildIsolated, "ChildIsolated", LogLevel.Warning, i.LastFailure, "Child {ChildId} of {Supervisor} isolated: {Reason}")
                .With("ChildId", i.ChildId).With("Supervisor", supervisor).With("Reason", i.LastFailure?.Message).At(i.ChildPath),
            CircuitChanged c => new LogEntry(SupervisionLogEvents.CircuitChanged, "CircuitChanged", LogLevel.Warning, null, "Circuit of child {ChildId} of {Supervisor} is {CircuitState}")
                .With("ChildId", c.ChildId).With("Supervisor", supervisor).With("CircuitState", c.State).At(c.ChildPath),
            ChildTerminated t => new LogEntry(SupervisionLogEvents.ChildTerminated, "ChildTerminated", t.Reason.IsAbnormal ? LogLevel.Information : LogLevel.Debug, t.Reason.Exception, "Child {ChildId} of {Supervisor} terminated: {Reason}")
                .With("ChildId", t.ChildId).With("Supervisor", supervisor).With("Reason", t.Reason).At(t.ChildPath),
            ChildStarted c => new LogEntry(SupervisionLogEvents.ChildStarted, "ChildStarted", LogLevel.Debug, null, "Progress report: child {ChildId} of {Supervisor} started")
                .With("ChildId", c.ChildId).With("Supervisor", supervisor).At(c.ChildPath),
            SupervisorStarted s => new LogEntry(SupervisionLogEvents.SupervisorStarted, "SupervisorStarted", LogLevel.Debug, null, "Progress report: supervisor {Supervisor} ({Strategy}) started {ChildCount} children")
                .With("Supervisor", supervisor).With("Strategy", strategy).With("ChildCount", s.ChildCount).At(supervisor),
            SupervisorAutoShutdown a => new LogEntry(SupervisionLogEvents.SupervisorAutoShutdown, "SupervisorAutoShutdown", LogLevel.Information, null, "Supervisor {Supervisor} shut down automatically ({Reason}) after significant child {ChildId} exited")
                .With("Supervisor", supervisor).With("Reason", a.Mode).With("ChildId", a.ChildId).At(supervisor),
            TreeShutdown t => new LogEntry(SupervisionLogEvents.TreeShutdown, "TreeShutdown", t.Error is null ? LogLevel.Information : LogLevel.Error, t.Error, "Tree {Tree} stopped: {Reason}")
                .At(supervisor).With("Reason", t.Reason),
            ChaosStarted c => new LogEntry(SupervisionLogEvents.ChaosStarted, "ChaosStarted", LogLevel.Information, null, "Chaos started on {Path} (seed {Seed})")
                .At(supervisor).With("Seed", c.Seed),
            ChaosEnded c => new LogEntry(SupervisionLogEvents.ChaosEnded, "ChaosEnded", LogLevel.Information, null, "Chaos ended on {Path}: {Reason}")
                .At(supervisor).With("Reason", c.Report.EndReason),
            ChildStopRequested r => new LogEntry(SupervisionLogEvents.ChildStopRequested, "ChildStopRequested", LogLevel.Debug, null, "Stopping child {ChildId} of {Supervisor}")
                .With("ChildId", r.ChildId).With("Supervisor", supervisor).At(r.ChildPath),
            UpgradeStarted u => new LogEntry(SupervisionLogEvents.UpgradeStarted, "UpgradeStarted", LogLevel.Information, null, "Upgrade of {Supervisor} started: {StepCount} steps; plan: {Plan}")
                .With("Supervisor", supervisor).With("StepCount", u.Plan.Steps.Count).With("Plan", u.Plan.ToString()).At(supervisor),
            ChildUpgraded u => new LogEntry(SupervisionLogEvents.ChildUpgraded, "ChildUpgraded", LogLevel.Information, null, "Upgrade of {Supervisor}: child {ChildId} {Change}")
                .With("Supervisor", supervisor).With("ChildId", u.ChildId).With("Change", u.Change).At(u.ChildPath),
            UpgradeStepWatched w => new LogEntry(SupervisionLogEvents.UpgradeStepWatched, "UpgradeStepWatched", w.Failure is null ? LogLevel.Information : LogLevel.Warning, null, "Upgrade of {Supervisor}: {Children} watched for {Window}: {Outcome}")
                .With("Supervisor", supervisor).With("Children", string.Join(", ", w.Children)).With("Window", w.Window).With("Outcome", w.Failure ?? "passed").At(supervisor),
            UpgradeEnded u => new LogEntry(SupervisionLogEvents.UpgradeEnded, "UpgradeEnded", u.Result is UpgradeResult.Completed ? LogLevel.Information : LogLevel.Warning, null, "Upgrade of {Supervisor} ended: {Outcome}")
                .With("Supervisor", supervisor).With("Outcome", UpgradeOutcome(u.Result)).At(supervisor),
            _ => new LogEntry(SupervisionLogEvents.Other, e.GetType().Name, LogLevel.Debug, null, "{EventType} on {Path}")
                .With("EventType", e.GetType().Name).At(supervisor),
        };
        entry.WriteTo(logger);
    }

    /// <summary>How an upgrade ended, in words: completed, rolled back (with its failure and what was restored), stopped, or refused (with its problems).</summary>
    internal static string UpgradeOutcome(UpgradeResult result) => result switch
    {
        UpgradeResult.Completed { Failures.Count: 0 } => "completed",
        UpgradeResult.Completed c => $"completed, with failed steps passed over: {string.Join("; ", c.Failures)}",
        UpgradeResult.RolledBack r => $"rolled back after {r.Failure}; restored: {string.Join(", ", r.Restored)}",
        UpgradeResult.Stopped s => $"stopped after {s.Failure}; kept: {string.Join(", ", s.Changed)}",
        UpgradeResult.Refused f => $"refused: {string.Join("; ", f.Problems)}",
        _ => result.GetType().Name,
    };

    private static string PathOf(HealthChanged h) => h.ChildId is null ? h.SupervisorPath : h.SupervisorPath + "/" + h.ChildId;

    private sealed class Writer : ReceiveActor
    {
        public Writer(ILogger logger, SupervisionStrategies strategies) =>
            Receive<SupervisionEvent>(e =>
            {
                try
                {
                    Write(logger, e, strategies.Of(e.SupervisorPath));
                }
                catch (Exception)
                {
                    // A logging provider that throws loses this one event; the writer goes on with the next (a restart
                    // would end its subscription to the event stream, and no event would be logged again).
                }
            });

        protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);
    }
}

/// <summary>The event ids Supervise's supervision events are logged with (stable: filter and alert on them).</summary>
public static class SupervisionLogEvents
{
#pragma warning disable CS1591 // each is named after the event it logs
    public const int ChildCrashed = 1001;
    public const int SupervisorGaveUp = 1002;
    public const int ChildStartFailed = 1003;
    public const int ChildRestarted = 1004;
    public const int ChildRestartDelayed = 1005;
    public const int Started = 1006;
    public const int HealthChanged = 1007;
    public const int FaultInjected = 1008;
    public const int FaultSkipped = 1009;
    public const int MessageDropped = 1010;
    public const int MessageQuarantined = 1011;
    public const int ChildIsolated = 1012;
    public const int CircuitChanged = 1013;
    public const int ChildTerminated = 1014;
    public const int ChildStarted = 1015;
    public const int SupervisorStarted = 1016;
    public const int SupervisorAutoShutdown = 1017;
    public const int TreeShutdown = 1018;
    public const int ChaosStarted = 1019;
    public const int ChaosEnded = 1020;
    public const int ChildStopRequested = 1021;
    public const int UpgradeStarted = 1022;
    public const int ChildUpgraded = 1023;
    public const int UpgradeStepWatched = 1024;
    public const int UpgradeEnded = 1025;
    public const int Other = 1099;
#pragma warning restore CS1591
}
