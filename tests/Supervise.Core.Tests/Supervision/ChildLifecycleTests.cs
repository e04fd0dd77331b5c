using Akka.Actor;
using Supervise.Runtime;
using Supervise.Supervision;
using Xunit;
using static Supervise.Supervision.ChildLifecycle;

namespace Supervise.Tests.Supervision;

/// <summary>
/// A child's lifecycle as a closed set of states: which have an actor behind them, which OTP reports as restarting,
/// and which moves exist. The record that carries it refuses a move that does not exist, and drops what belonged to
/// the state it leaves.
/// </summary>
public sealed class ChildLifecycleTests
{
    private static readonly ChildLifecycle[] All = Enum.GetValues<ChildLifecycle>();

    public static TheoryData<string, bool, bool> States() => new()
    {
        // state, has an incarnation, restarting (OTP's pid `restarting`: not active, already_present)
        { nameof(NotRunning), false, false },
        { nameof(Starting), true, false },
        { nameof(Running), true, false },
        { nameof(Crashed), true, true },
        { nameof(RetryingInPlace), true, true },
        { nameof(WaitingToRestart), false, true },
        { nameof(Exited), false, false },
        { nameof(Held), true, false },
        { nameof(ReplacedWhenGone), true, true },
        { nameof(Stopping), true, false },
        { nameof(Isolated), false, false },
        { nameof(Removed), false, false },
    };

    [Theory]
    [MemberData(nameof(States))]
    public void Each_state_says_whether_an_actor_stands_behind_it_and_whether_it_is_restarting(string name, bool incarnation, bool restarting)
    {
        var state = Enum.Parse<ChildLifecycle>(name);
        Assert.Equal(incarnation, ChildLifecycleRule.HasIncarnation(state));
        Assert.Equal(restarting, ChildLifecycleRule.IsRestarting(state));
        Assert.Equal(state == Running, ChildLifecycleRule.Answers(state));
    }

    [Fact]
    public void The_table_covers_every_state()
    {
        Assert.Equal(All.OrderBy(s => s), States().Select(row => Enum.Parse<ChildLifecycle>((string)row[0])).OrderBy(s => s));
    }

    /// <summary>Every state and where it may go (staying is always allowed and not listed).</summary>
    public static TheoryData<string, string> Moves() => new()
    {
        // Without an actor: to any other state without one, or started (confirmed later, or at once).
        { nameof(NotRunning), "Starting Running WaitingToRestart Exited Isolated Removed" },
        { nameof(WaitingToRestart), "NotRunning Starting Running Exited Isolated Removed" },
        { nameof(Exited), "NotRunning Starting Running WaitingToRestart Isolated Removed" },
        // Isolated: Down until started again by hand (or stopped, or removed).
        { nameof(Isolated), "NotRunning Starting Running Removed" },
        // With an actor: anywhere but removed (an actor is stopped before its child leaves the list).
        { nameof(Starting), "NotRunning Running Crashed RetryingInPlace WaitingToRestart Exited Held ReplacedWhenGone Stopping Isolated" },
        { nameof(Running), "NotRunning Starting Crashed RetryingInPlace WaitingToRestart Exited Held ReplacedWhenGone Stopping Isolated" },
        { nameof(Crashed), "NotRunning Starting Running RetryingInPlace WaitingToRestart Exited Held ReplacedWhenGone Stopping Isolated" },
        { nameof(RetryingInPlace), "NotRunning Starting Running Crashed WaitingToRestart Exited Held ReplacedWhenGone Stopping Isolated" },
        { nameof(Held), "NotRunning Starting Running Crashed RetryingInPlace WaitingToRestart Exited ReplacedWhenGone Stopping Isolated" },
        { nameof(ReplacedWhenGone), "NotRunning Starting Running Crashed RetryingInPlace WaitingToRestart Exited Held Stopping Isolated" },
        // On its way out it only ends: not restarted, crashed or held.
        { nameof(Stopping), "NotRunning" },
        // Final.
        { nameof(Removed), "" },
    };

    [Theory]
    [MemberData(nameof(Moves))]
    public void A_state_moves_only_where_the_table_says(string name, string targets)
    {
        var from = Enum.Parse<ChildLifecycle>(name);
        var allowed = targets.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(Enum.Parse<ChildLifecycle>).ToList();
        foreach (var to in All)
        {
            Assert.True(ChildLifecycleRule.CanMove(from, to) == (to == from || allowed.Contains(to)), $"{from} -> {to}");
        }
    }

    [Fact]
    public void A_record_refuses_a_move_the_lifecycle_does_not_have_and_names_it()
    {
        var record = NewRecord();
        record.MoveTo(Removed);

        var error = Assert.Throws<LifecycleViolationException>(() => record.MoveTo(NotRunning));

        Assert.Contains("'worker'", error.Message, StringComparison.Ordinal);
        Assert.Contains("from Removed to NotRunning", error.Message, StringComparison.Ordinal);
        Assert.Equal(Removed, record.Lifecycle);
    }

    [Fact]
    public void A_record_refuses_a_state_with_an_actor_when_it_has_none_and_the_other_way_round()
    {
        var record = NewRecord();

        Assert.Throws<LifecycleViolationException>(() => record.MoveTo(Running));

        record.Ref = ActorRefs.Nobody;
        Assert.Throws<LifecycleViolationException>(() => record.MoveTo(WaitingToRestart));
        record.MoveTo(Running);
        Assert.Equal(Running, record.Lifecycle);
    }

    [Fact]
    public void Leaving_crashed_hands_the_crash_that_waited_to_be_decided_to_its_supervisor_once()
    {
        var undecided = new List<PendingFailure>();
        var record = NewRecord(new ChildBook((_, failure) => undecided.Add(failure)));
        record.Ref = ActorRefs.Nobody;
        record.MoveTo(Running);
        var failure = new PendingFailure(new InvalidOperationException("boom"), "in flight");

        record.Crash(failure);
        Assert.True(record.IsRestarting);
        Assert.Same(failure, record.PendingFailure);
        Assert.Empty(undecided);

        record.MoveTo(Running);
        Assert.Null(record.PendingFailure);
        Assert.Same(failure, Assert.Single(undecided)); // its message in flight is not lost with it
        record.Crash(null);
        Assert.Null(record.TakeFailure());
        record.MoveTo(Running);
        Assert.Single(undecided); // a crash decided (or taken to be) leaves nothing behind
    }

    [Fact]
    public void A_crash_waiting_in_line_is_taken_once()
    {
        var record = NewRecord();
        record.Ref = ActorRefs.Nobody;
        record.MoveTo(Running);
        record.Crash(new PendingFailure(new InvalidOperationException("boom"), null));

        Assert.NotNull(record.TakeFailure());
        Assert.Null(record.TakeFailure());
        Assert.Equal(Crashed, record.Lifecycle); // decided next; still suspended until then
    }

    [Fact]
    public void An_exit_in_line_is_current_only_in_its_state_and_its_generation()
    {
        var record = NewRecord();
        record.QueueExit(new ExitInLine(record, ExitReason.Normal, record.Generation));
        Assert.Equal(ExitReason.Normal, record.WaitingExit);

        record.Generation++;
        Assert.Null(record.WaitingExit); // a later call made it stale

        record.MoveTo(NotRunning);
        Assert.Null(record.QueuedExit);
    }

    private static ChildRecord NewRecord(ChildBook? book = null)
    {
        var spec = ChildSpec.Worker("worker", () => Props.Empty);
        return new ChildRecord(spec, PolicySet.For(spec.Policies, []), book ?? new ChildBook((_, _) => { }));
    }
}
