using Akka.Actor;

namespace Supervise.Samples.Tour;

/// <summary>Prints supervision events as plain lines.</summary>
internal sealed class EventPrinter : ReceiveActor
{
    public EventPrinter(TextWriter output)
    {
        Receive<SupervisionEvent>(e =>
        {
            var line = e switch
            {
                ChildStarted s => $"started     {s.ChildPath}",
                ChildCrashed c => $"crashed     {c.ChildPath}: {c.Cause.Message}",
                ChildRestarted r => $"restarted   {r.ChildPath} (restart {r.RestartsInWindow} of {r.Intensity} allowed in {r.Period.TotalSeconds:0} s, because of {r.TriggeredBy})",
                ChildTerminated t => $"stopped     {t.ChildPath}: {t.Reason}",
                MessageDropped d => $"dropped     {d.ChildPath}: {d.Message} ({d.Why})",
                SupervisorGaveUp g => $"GAVE UP     {g.SupervisorPath}: {g.Reason.Message}",
                SupervisorStarted s => $"supervisor  {s.SupervisorPath} started {s.ChildCount} children",
                TreeShutdown t => $"tree        {t.SupervisorPath} stopped ({t.Reason})",
                _ => null,
            };
            if (line is not null)
            {
                output.WriteLine("   [event] " + line);
            }
        });
    }
}
