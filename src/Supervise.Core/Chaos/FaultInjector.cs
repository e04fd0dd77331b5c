using Akka.Actor;
using Supervise.Chaos;
using Supervise.Runtime;

namespace Supervise;

/// <summary>
/// A chaos run on one tree, started by <see cref="SupervisionTree.StartChaosAsync"/>. It ends when its
/// duration is over, when its <see cref="ChaosOptions.MaxFaults"/> are carried out and over, when halted,
/// when its abort condition is met, when a replayed journal is done, or when the tree stops; then
/// <see cref="Completion"/> gives the report. What it still has in effect is lifted when it ends.
/// </summary>
public sealed class FaultInjector
{
    private readonly IActorRef _actor;
    private readonly InjectorState _state;
    private readonly TaskCompletionSource<ChaosReport> _done;

    internal FaultInjector(IActorRef actor, InjectorState state, TaskCompletionSource<ChaosReport> done, int seed)
    {
        _actor = actor;
        _state = state;
        _done = done;
        Seed = seed;
    }

    /// <summary>The injector actor: after the run it handles what is left in its mailbox, then stops (a soak waits for that before measuring memory).</summary>
    internal IActorRef Actor => _actor;

    /// <summary>The seed of this run: give it as <see cref="ChaosOptions.Seed"/> to run it again.</summary>
    public int Seed { get; }

    /// <summary>The report, once the run has ended.</summary>
    public Task<ChaosReport> Completion => _done.Task;

    /// <summary>Every fault chosen so far, in order (skipped ones included).</summary>
    public FaultJournal Journal => _state.Journal(Seed);

    /// <summary>
    /// Completes when the journal holds at least <paramref name="count"/> faults (carried out or skipped), or
    /// when the run ends first. In virtual time, this is how a test knows the injection it moved the clock to
    /// has happened.
    /// </summary>
    public Task WhenJournaledAsync(int count, CancellationToken cancellationToken = default) =>
        Task.WhenAny(_state.WhenCount(count), Completion).Unwrap().WaitAsync(cancellationToken);

    /// <summary>
    /// When the next injection time is due, as a timestamp of the tree's <see cref="TimeProvider"/>
    /// (compare with its <see cref="TimeProvider.GetTimestamp"/>). A virtual-time driver moves the clock there.
    /// </summary>
    public long NextInjectionDue => _state.NextDue;

    /// <summary>Faults carried out that are not over: a crash not yet handled, a restart waiting, a hang whose time is not up.</summary>
    public int UnsettledFaults => _state.Unsettled;

    /// <summary>
    /// Of the <see cref="UnsettledFaults"/>, the ones whose effect has not been seen yet (a crash not yet
    /// handled), not counting those waiting for the clock (a hang's time); plus one while, in virtual time,
    /// the rest of a burst waits for the tree to settle. In virtual time, the tree has done what it can at
    /// this instant when this is 0 and <see cref="SupervisionTree.WhenSettledAsync"/> says so.
    /// </summary>
    public int FaultsInMotion => _state.InMotion;

    /// <summary>Of the <see cref="UnsettledFaults"/>, the ones waiting for the clock: a hang whose time is not up, a restart waiting for its backoff delay.</summary>
    public int FaultsWaitingForClock => _state.WaitingForClock;

    /// <summary>Injection times handled so far (inside or outside the schedule's windows).</summary>
    public int InjectionTimes => _state.Ticks;

    /// <summary>Completes when <paramref name="count"/> injection times have been handled, or the run has ended.</summary>
    public Task WhenInjectionTimesAsync(int count, CancellationToken cancellationToken = default) =>
        Task.WhenAny(_state.WhenTicks(count), Completion).Unwrap().WaitAsync(cancellationToken);

    /// <summary>Stops all injection at once; the run ends with <paramref name="reason"/>.</summary>
    public void Halt(string reason = "halted")
    {
        _state.Halted = true;
        if (!Completion.IsCompleted)
        {
            _actor.Tell(new HaltChaos(reason));
        }
    }

    /// <summary>Halts the run and waits for its report.</summary>
    public Task<ChaosReport> StopAsync(string reason = "halted")
    {
        Halt(reason);
        return Completion;
    }

    /// <summary>
    /// Injects no more faults, but the run goes on: it follows the faults in effect (their recoveries are
    /// still measured) until it is halted, its duration is over, or the tree stops.
    /// </summary>
    public void StopInjecting() => _state.InjectionStopped = true;

    /// <summary>Changes when faults are injected from now on (for example, a higher rate).</summary>
    /// <exception cref="SpecValidationException">The schedule has problems; every one is listed, and the run goes on unchanged.</exception>
    public void ChangeSchedule(FaultSchedule schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var problems = new List<SpecProblem>();
        schedule.Validate((field, expected, received) => problems.Add(new SpecProblem("chaos", field, expected, received)), "Schedule");
        if (problems.Count > 0)
        {
            throw new SpecValidationException(problems);
        }

        _actor.Tell(new ChangeSchedule(schedule));
    }
}
