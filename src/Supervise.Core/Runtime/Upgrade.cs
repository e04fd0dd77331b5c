using Akka.Actor;
using Supervise.Upgrades;

namespace Supervise.Runtime;

/// <summary>One live upgrade under way on a supervisor (<see cref="SupervisorActor"/>): its plan, its decisions (<see cref="UpgradeRun"/>), the step and change under way, the watch and its timer.</summary>
internal sealed class Upgrade(long token, UpgradePlan plan, SupervisionSpec next, UpgradeOptions options, IActorRef replyTo, UpgradeRun run)
{
    public long Token { get; } = token;

    public UpgradePlan Plan { get; } = plan;

    public SupervisionSpec Next { get; } = next;

    public UpgradeOptions Options { get; } = options;

    public IActorRef ReplyTo { get; } = replyTo;

    public UpgradeRun Run { get; } = run;

    /// <summary>The changes of the step under way still to carry out.</summary>
    public Queue<UpgradeOp> Changes { get; } = new();

    /// <summary>The change carried out now (its calls answered one by one).</summary>
    public UpgradeOp? Change { get; set; }

    /// <summary>How many times the change under way stopped its child again (see <c>SupervisorActor.MaxAttempts</c>).</summary>
    public int Attempts { get; set; }

    /// <summary>Whether the step under way undoes one.</summary>
    public bool Undoing { get; private set; }

    /// <summary>The first change of the step under way that failed.</summary>
    public (string Child, string Why)? StepFailure { get; set; }

    /// <summary>The children watched now; null when no watch is under way.</summary>
    public HashSet<string>? Watched { get; set; }

    /// <summary>Where each replaced child stood, so that it stands there again.</summary>
    public Dictionary<string, int> Positions { get; } = new(StringComparer.Ordinal);

    public ITimer? Timer { get; set; }

    /// <summary>How many timers it started: the number of the last (see <see cref="UpgradeTimerDue.Timer"/>).</summary>
    public long Timers { get; set; }

    public void Begin(IEnumerable<UpgradeOp> changes, bool undoing)
    {
        Changes.Clear();
        foreach (var change in changes)
        {
            Changes.Enqueue(change);
        }

        Undoing = undoing;
        StepFailure = null;
    }
}
