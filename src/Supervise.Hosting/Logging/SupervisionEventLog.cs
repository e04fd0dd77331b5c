using Akka.Actor;
using Serilog;
using Serilog.Events;

namespace Supervise.Hosting;

/// <summary>
/// Writes Supervise's supervision events to Serilog as structured events with stable property names:
/// <c>Supervisor</c>, <c>ChildId</c>, <c>Path</c>, <c>Strategy</c>, <c>RestartCount</c>, <c>Intensity</c>,
/// <c>Period</c>, <c>Reason</c>, <c>Health</c>, <c>PreviousHealth</c>, <c>FaultKind</c>,
/// <c>FaultSequence</c>, and the exception attached. Crash and give-up reports are Errors, restarts and
/// health changes Information, injected faults and lost messages Warnings, starts (progress, a supervisor's first health
/// included: a start is not a recovery) Debug.
/// </summary>
public static class SupervisionEventLog
{
    /// <summary>
    /// Starts writing every supervision event of <paramref name="system"/> to <paramref name="logger"/>
    /// (Serilog's static logger when none is given); <paramref name="strategies"/> names each supervisor's
    /// strategy. Stop the returned actor to stop.
    /// </summary>
    public static IActorRef Start(ActorSystem system, ILogger? logger = null, SupervisionStrategies? strategies = null)
    {
        ArgumentNullException.ThrowIfNull(system);
        var writer = system.ActorOf(Props.Create(() => new Writer(logger, strategies ?? new SupervisionStrategies())), "supervise-event-log-" + Guid.NewGuid().ToString("N")[..8]);
        // Now, not when the actor starts: no event published after this call is missed.
        system.EventStream.Subscribe(writer, typeof(SupervisionEvent));
        return writer;
    }

    /// <summary>The level, message template and properties an event is written with; null for none.</summary>
    public static (LogEventLevel Level, string Template, object?[] Args, Exception? Error)? Describe(SupervisionEvent e, string? strategy)
    {
        ArgumentNullException.ThrowIfNull(e);
        return e switch
        {
            ChildCrashed c => (LogEventLevel.Error, "Crash report: child {ChildId} of {Supervisor} ({Strategy}) crashed: {Reason}", [c.ChildId, c.SupervisorPath, strategy, c.Cause.Message], c.Cause),
            SupervisorGaveUp g => (LogEventLevel.Error, "Give-up report: supervisor {Supervisor} ({Strategy}) gave up after {RestartCount} restarts within {Period} (intensity {Intensity}); last failure in child {ChildId}: {Reason}", [g.SupervisorPath, strategy, g.Restarts, g.Period, g.Intensity, g.ChildId, g.Reason.Message], g.Reason),
            ChildStartFailed f => (LogEventLevel.Error, "Child {ChildId} of {Supervisor} failed to start: {Reason}", [f.ChildId, f.SupervisorPath, f.Cause.Message], f.Cause),
            ChildRestarted r => (LogEventLevel.Information, "Child {ChildId} of {Supervisor} restarted by {Strategy} after {TriggeredBy}: {RestartCount} of {Intensity} restarts within {Period}", [r.ChildId, r.SupervisorPath, strategy, r.TriggeredBy, r.RestartsInWindow, r.Intensity, r.Period], null),
            ChildRestartDelayed d => (LogEventLevel.Information, "Child {ChildId} of {Supervisor} restarts in {Delay} (attempt {Attempt})", [d.ChildId, d.SupervisorPath, d.Delay, d.Attempt], null),
            HealthChanged { Started: true, Current: HealthState.Running } h => (LogEventLevel.Debug, "Progress report: {Path} started: {Health}", [h.SupervisorPath, h.Current], null),
            HealthChanged h => (LogEventLevel.Information, "{Path} is {Health} (was {PreviousHealth})", [h.ChildId is null ? h.SupervisorPath : h.SupervisorPath + "/" + h.ChildId, h.Current, h.Previous], null),
            FaultInjected f => (LogEventLevel.Warning, "Injected {FaultKind} into {Path} (fault {FaultSequence})", [f.Fault.Kind, f.Fault.Target, f.Fault.Sequence], null),
            FaultSkipped s => (LogEventLevel.Debug, "Skipped {FaultKind} (fault {FaultSequence}): {Reason}", [s.Fault.Kind, s.Fault.Sequence, s.Fault.Skipped], null),
            MessageDropped m => (LogEventLevel.Warning, "A message to {Path} was lost: {Reason}", [m.SupervisorPath + "/" + m.ChildId, m.Why], null),
            MessageQuarantined q => (LogEventLevel.Warning, "A message to {Path} was quarantined", [q.SupervisorPath + "/" + q.ChildId], null),
            ChildIsolated i => (LogEventLevel.Warning, "Child {ChildId} of {Supervisor} isolated: {Reason}", [i.ChildId, i.SupervisorPath, i.LastFailure?.Message], i.LastFailure),
            CircuitChanged c => (LogEventLevel.Warning, "Circuit of child {ChildId} of {Supervisor} is {CircuitState}", [c.ChildId, c.SupervisorPath, c.State], null),
            ChildTerminated t => (t.Reason.IsAbnormal ? LogEventLevel.Information : LogEventLevel.Debug, "Child {ChildId} of {Supervisor} terminated: {Reason}", [t.ChildId, t.SupervisorPath, t.Reason.ToString()], t.Reason.Exception),
            ChildStarted s => (LogEventLevel.Debug, "Progress report: child {ChildId} of {Supervisor} started", [s.ChildId, s.SupervisorPath], null),
            SupervisorStarted s => (LogEventLevel.Debug, "Progress report: supervisor {Supervisor} ({Strategy}) started {ChildCount} children", [s.SupervisorPath, strategy, s.ChildCount], null),
            SupervisorAutoShutdown a => (LogEventLevel.Information, "Supervisor {Supervisor} shut down automatically ({Reason}) after significant child {ChildId} exited", [a.SupervisorPath, a.Mode, a.ChildId], null),
            TreeShutdown t => (t.Error is null ? LogEventLevel.Information : LogEventLevel.Error, "Tree {Supervisor} stopped: {Reason}", [t.SupervisorPath, t.Reason], t.Error),
            ChaosStarted c => (LogEventLevel.Information, "Chaos started on {Supervisor} (seed {Seed})", [c.SupervisorPath, c.Seed], null),
            ChaosEnded c => (LogEventLevel.Information, "Chaos ended on {Supervisor}: {Reason}", [c.SupervisorPath, c.Report.EndReason], null),
            ChildStopRequested s => (LogEventLevel.Debug, "Stopping child {ChildId} of {Supervisor}", [s.ChildId, s.SupervisorPath], null),
            _ => (LogEventLevel.Debug, "{EventType} on {Supervisor}", [e.GetType().Name, e.SupervisorPath], null),
        };
    }

    private sealed class Writer : ReceiveActor
    {
        private readonly ILogger? _logger;
        private readonly SupervisionStrategies _strategies;

        public Writer(ILogger? logger, SupervisionStrategies strategies)
        {
            _logger = logger;
            _strategies = strategies;
            Receive<SupervisionEvent>(Write);
        }

        protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

        private void Write(SupervisionEvent e)
        {
            var logger = _logger ?? Log.Logger;
            var strategy = _strategies.Of(e.SupervisorPath);
            if (Describe(e, strategy) is not { } d || !logger.IsEnabled(d.Level))
            {
                return;
            }

            var context = logger.ForContext("SourceContext", "Supervise").ForContext("EventType", e.GetType().Name);
            context = context.ForContext("Path", e is ChildEvent child ? child.SupervisorPath + "/" + child.ChildId : e.SupervisorPath);

            context.Write(d.Level, d.Error, d.Template, d.Args);
        }
    }
}
