using Akka.Actor;

namespace Supervise.Chaos;

/// <summary>What the fault injector asks of a supervisor: the supervisor hands each to its chaos part, in one place.</summary>
internal interface IChaosRequest;

/// <summary>The fault injector asks a supervisor for its children as targets; answered with a list of <see cref="FaultTarget"/>.</summary>
internal sealed record TargetsRequest : IChaosRequest;

/// <summary>Makes a supervisor throw while handling a message: how the fault injector (and tests) simulate a bug in a supervisor.</summary>
internal sealed record SimulatedBug(string Why) : IChaosRequest;

/// <summary>One child as the fault injector sees it.</summary>
internal sealed record FaultTarget(string SupervisorPath, IActorRef Supervisor, string ChildId, ChildKind Kind, IReadOnlyList<string> Tags, IActorRef? Running, Strategy? Strategy, IReadOnlyList<string> BlastRadius)
{
    public string Path { get; } = SupervisorPath + "/" + ChildId;

    /// <summary>
    /// Its weight as the last chooser that looked at it worked out (<see cref="TargetChooser.WeightOf"/>), and that chooser:
    /// looking its path up again for each of ten thousand targets on every fault was most of an injection's time.
    /// </summary>
    internal Weighing? Weighed { get; set; }
}

/// <summary>The fault injector asks a supervisor to do a fault to one of its children; answered with <see cref="FaultApplied"/>.</summary>
internal sealed record InjectFault(long Sequence, string ChildId, FaultKind Kind, Exception Error, TimeSpan Duration, int Count, double? BelowIntensity) : IChaosRequest
{
    /// <summary>Why a message an injected drop lost was lost: it names the fault, its run's seed and its target, so a run knows its own drops.</summary>
    public static string DropReason(Exception error) => "dropped by the fault injector: " + error.Message;
}

internal sealed record FaultApplied(long Sequence, bool Applied, string? Why);

/// <summary>A target's weight and the chooser that worked it out: one reference, written at once (two runs may share a target).</summary>
internal sealed record Weighing(object Chooser, double Weight);
