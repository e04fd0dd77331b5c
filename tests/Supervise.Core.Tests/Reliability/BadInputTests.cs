using System.Globalization;
using Akka.Actor;
using Supervise.Chaos;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Reliability;

/// <summary>
/// Issue 10's defects, found by trying the public API with bad input as a new user would: each input is refused with
/// a clear error naming what was wrong, or handled, and nothing hangs or throws an exception of another kind.
/// </summary>
public sealed class BadInputTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PastTimers = TimeSpan.FromDays(60);

    /// <summary>How long a call that used to hang may take before the test fails (it answers at once when it works).</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static ChaosOptions Chaos() => new() { Seed = 11, EnvironmentName = "Test", Schedule = FaultSchedule.Fixed(S) };

    [Fact]
    public async Task A_call_timeout_past_what_a_timer_takes_is_refused_before_the_tree_starts()
    {
        var error = await Assert.ThrowsAsync<SpecValidationException>(() =>
            StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] }, new TreeOptions { Name = "t", CallTimeout = PastTimers }));

        Assert.Equal(["options: CallTimeout: expected a positive duration of at most 49 days, received 60.00:00:00"], error.Problems.Select(p => p.ToString()));
    }

    [Fact]
    public async Task A_timeout_past_the_timer_limit_given_to_a_call_is_refused_naming_the_parameter()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] });
        var w = await tree.Root.GetChildAsync("w");

        var ask = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => w.AskAsync<string>(new Echo("x"), PastTimers));
        var settle = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => tree.WhenSettledAsync(PastTimers));

        Assert.Equal(("timeout", "timeout"), (ask.ParamName, settle.ParamName));
        Assert.StartsWith("Expected a positive duration of at most 49 days (what a .NET timer waits), received 60.00:00:00.", ask.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_child_added_at_run_time_with_a_shutdown_past_the_timer_limit_is_refused_with_its_path()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] });

        var result = await tree.Root.StartChildAsync(Worker("long") with { Shutdown = Supervise.Shutdown.Timeout(PastTimers) });

        var invalid = Assert.IsType<StartChildResult.InvalidSpec>(result);
        Assert.Equal("t: child (\"long\").Shutdown: expected a timeout from zero to 49 days (or BrutalKill, or Infinity to wait as long as it takes), received 60.00:00:00", invalid.Problems.Single().ToString());
    }

    public static TheoryData<string, ChaosOptions, string> NullEntries() => new()
    {
        { "null exclude list", Chaos() with { Targets = new FaultTargets { Exclude = null! } }, "chaos: Targets.Exclude: expected a list of non-empty path patterns (empty: exclude none), received null" },
        { "null exclude pattern", Chaos() with { Targets = new FaultTargets { Exclude = ["a/*", null!] } }, "chaos: Targets.Exclude: expected a list of non-empty path patterns (empty: exclude none), received [\"a/*\", null]" },
        { "null include pattern", Chaos() with { Targets = new FaultTargets { Include = [null!] } }, "chaos: Targets.Include: expected one or more non-empty path patterns, received [null]" },
        { "null tags", Chaos() with { Targets = new FaultTargets { Tags = null! } }, "chaos: Targets.Tags: expected a list of non-empty tags (empty: any child), received null" },
        { "null tag", Chaos() with { Targets = new FaultTargets { Tags = [null!] } }, "chaos: Targets.Tags: expected a list of non-empty tags (empty: any child), received [null]" },
        { "null rates", Chaos() with { Targets = new FaultTargets { Rates = null! } }, "chaos: Targets.Rates: expected a list of (pattern, rate) pairs (empty: the same rate for all), received null" },
        { "null windows", Chaos() with { Schedule = FaultSchedule.Fixed(S) with { Windows = null! } }, "chaos: Schedule.Windows: expected a list of windows (empty: always), received null" },
        { "null fault choice", Chaos() with { Faults = [null!] }, "chaos: Faults[0]: expected a fault choice, received null" },
        { "null journal record", Chaos() with { Replay = new FaultJournal(1, [null!]) }, "chaos: Replay.Faults[0]: expected a fault record, received null" },
        { "journal record without a target", Chaos() with { Replay = new FaultJournal(1, [new FaultRecord(1, S, null!, FaultKind.Crash, TimeSpan.Zero, 0, null)]) }, "chaos: Replay.Faults[0].Target: expected a target path (empty for the root), received null" },
        { "journal record past the timer limit", Chaos() with { Replay = new FaultJournal(1, [new FaultRecord(1, PastTimers, "t/w", FaultKind.Crash, TimeSpan.Zero, 0, null)]) }, "chaos: Replay.Faults[0].At: expected a time from 0 to 49 days after the start of the run, received 60.00:00:00" },
        { "journal hang past the timer limit", Chaos() with { Replay = new FaultJournal(1, [new FaultRecord(1, S, "t/w", FaultKind.Hang, PastTimers, 0, null)]) }, "chaos: Replay.Faults[0].Duration: expected a positive duration of at most 49 days, received 60.00:00:00" },
        { "journal drop of no message", Chaos() with { Replay = new FaultJournal(1, [new FaultRecord(1, S, "t/w", FaultKind.Drop, TimeSpan.Zero, 0, null)]) }, "chaos: Replay.Faults[0].Count: expected 1 or more messages, received 0" },
        { "abort past the timer limit", Chaos() with { AbortWhenRootNotRunningFor = PastTimers }, "chaos: AbortWhenRootNotRunningFor: expected a positive duration of at most 49 days, or null (never), received 60.00:00:00" },
        { "duration past the timer limit", Chaos() with { Duration = PastTimers }, "chaos: Duration: expected a positive duration of at most 49 days, or null (until halted), received 60.00:00:00" },
    };

    [Theory]
    [MemberData(nameof(NullEntries))]
    public void Chaos_options_with_null_entries_or_durations_past_the_timer_limit_list_the_problem(string rule, ChaosOptions options, string problem)
    {
        var problems = options.Validate().Select(p => p.ToString()).ToList();

        Assert.True(problems.SequenceEqual([problem]), $"{rule}: {string.Join(" | ", problems)}");
    }

    [Fact]
    public async Task Starting_chaos_with_a_null_exclude_list_is_refused_instead_of_hanging()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] });

        var error = await Assert.ThrowsAsync<SpecValidationException>(() => tree.StartChaosAsync(Chaos() with { Targets = new FaultTargets { Exclude = null! } }));

        Assert.Contains("Targets.Exclude", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_injector_that_cannot_start_fails_its_start_instead_of_waiting_forever()
    {
        var state = new InjectorState();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            SupervisionTree.StartInjectorAsync(Sys, Props.Create(() => new CannotStart()), state, "t", CancellationToken.None).WaitAsync(Bound));

        Assert.Equal("The fault injector of tree 't' stopped before it started; its error is in the log.", error.Message);
    }

    [Fact]
    public async Task A_fault_factory_that_throws_ends_the_run_saying_so_and_no_fault_is_injected_after()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] });
        var injector = await tree.StartChaosAsync(Chaos() with
        {
            Faults = [new FaultChoice(FaultKind.Crash) { Exception = _ => throw new InvalidOperationException("factory broken") }],
        });

        Time.Advance(S);
        var report = await injector.Completion.WaitAsync(Bound);

        Assert.Equal("the exception factory of Crash threw InvalidOperationException for t/w: factory broken", report.EndReason);
        Assert.Empty(injector.Journal.Faults);
        for (var i = 0; i < 5; i++)
        {
            Time.Advance(S);
        }

        var events = await SettledEventsAsync(tree);
        Assert.DoesNotContain(events, e => e is ChildCrashed);
        Assert.Empty(injector.Journal.Faults);
    }

    [Fact]
    public async Task A_bad_schedule_given_to_a_running_injector_is_refused_and_the_run_goes_on()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] });
        var injector = await tree.StartChaosAsync(Chaos());

        var error = Assert.Throws<SpecValidationException>(() => injector.ChangeSchedule(FaultSchedule.Fixed(TimeSpan.Zero) with { Windows = null! }));

        Assert.Equal(
            ["chaos: Schedule.Interval: expected a positive duration of at most 49 days, received 00:00:00", "chaos: Schedule.Windows: expected a list of windows (empty: always), received null"],
            error.Problems.Select(p => p.ToString()));
        Time.Advance(S);
        await injector.WhenJournaledAsync(1).WaitAsync(Bound);
        Assert.False(injector.Completion.IsCompleted);
        Assert.Equal("halted", (await injector.StopAsync()).EndReason);
    }

    [Fact]
    public async Task A_message_that_crashes_a_fallback_stand_in_is_reported_dropped()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Intensity = 10,
            Children = [Worker("w") with { Policies = [Policy.CircuitBreaker(1, 30 * S, 30 * S), Policy.Fallback(Props.Create(() => new CrashingStandIn()))] }],
        });
        var w = await tree.Root.GetChildAsync("w");
        w.Tell(new Crash("first"));
        Assert.IsType<Crash>(ExpectEvent<MessageDropped>().Message); // the child crashed on it: reported, and its breaker opens
        ExpectEvent<CircuitChanged>(c => c.State == CircuitState.Open);
        await tree.Root.GetHealthAsync(); // the address now points at the stand-in

        w.Tell(new Crash("second"));

        var dropped = ExpectEvent<MessageDropped>();
        Assert.Equal(("w", new Crash("second"), "its fallback stand-in crashed while handling it"), (dropped.ChildId, dropped.Message, dropped.Why));
    }

    [Fact]
    public async Task A_message_that_crashes_a_child_while_it_is_being_stopped_is_reported_dropped()
    {
        // The soak's one unexplained loss: a worker asked to stop gracefully handles what is queued first; a message that
        // crashes it then was neither answered nor reported (its failure was ignored, the child on its way out).
        using var gate = new ManualResetEventSlim();
        var (_, stopping) = await StopBlockedWorkerAsync(gate, new Crash("queued before the stop"));
        gate.Set();

        var dropped = ExpectEvent<MessageDropped>();
        Assert.Equal(("w", new Crash("queued before the stop"), "the child crashed on it while it was being stopped"), (dropped.ChildId, dropped.Message, dropped.Why));
        Assert.IsType<TerminateChildResult.Terminated>(await stopping.WaitAsync(Bound));
    }

    [Fact]
    public async Task A_message_sent_to_a_child_after_its_stop_was_asked_is_reported_not_sent_into_its_closing_mailbox()
    {
        // The soak's last loss: a message sent as a supervisor gave up and stopped its children reached a mailbox that was
        // closing, which Akka.NET may lose without a dead letter. Once a child is asked to stop, its address sends it nothing.
        using var gate = new ManualResetEventSlim();
        var (w, stopping) = await StopBlockedWorkerAsync(gate, "queued before the stop");
        w.Tell("sent after the stop was asked");

        // Reported at once, while the child still blocks: it never reached the mailbox.
        Assert.Equal("it is being stopped", ExpectEvent<MessageDropped>(e => Equals(e.Message, "sent after the stop was asked")).Why);
        gate.Set();
        ExpectLife<Got>(g => Equals(g.Message, "queued before the stop")); // what it already had is handled: a graceful stop
        Assert.IsType<TerminateChildResult.Terminated>(await stopping.WaitAsync(Bound));
    }

    [Fact]
    public async Task A_start_cancelled_before_it_begins_starts_nothing_and_leaves_the_name_free()
    {
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() =>
            Sys.StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] }, new TreeOptions { Name = "t", TimeProvider = Time }, cancelled.Token).WaitAsync(Bound));

        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] });
        Assert.Equal(1, ExpectLife<Up>().Incarnation);
        await tree.StopAsync();
    }

    [Fact]
    public async Task A_start_cancelled_midway_stops_what_started_in_reverse_order_and_leaves_the_name_free()
    {
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        var slow = new WorkerScript { FailConstructor = _ => { entered.Set(); gate.Wait(); return false; } };
        using var cancel = new CancellationTokenSource();
        var starting = Sys.StartTreeAsync(new SupervisorSpec { Children = [Worker("a"), Worker("b", slow)] }, new TreeOptions { Name = "t", TimeProvider = Time }, cancel.Token);
        Assert.Equal("a", ExpectLife<Up>().Id);
        Assert.True(entered.Wait(Bound));

        await cancel.CancelAsync();
        gate.Set(); // b finishes its constructor, then handles its stop

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starting.WaitAsync(Bound));
        var life = LifeUntil<Down>().Concat(LifeUntil<Down>()).OfType<Down>().Select(d => d.Id);
        Assert.Equal(["b", "a"], life);
        Assert.IsType<TreeShutdown>(ExpectEvent<TreeShutdown>());

        var again = await StartTreeAsync(new SupervisorSpec { Children = [Worker("c")] });
        Assert.Equal("c", ExpectLife<Up>().Id);
        await again.StopAsync();
    }

    [Fact]
    public async Task A_start_cancelled_while_a_nested_supervisor_waits_for_a_stuck_child_ends_within_that_childs_shutdown()
    {
        using var entered = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        var stuck = new WorkerScript { FailConstructor = _ => { entered.Set(); gate.Wait(); return false; } };
        var nested = ChildSpec.ForSupervisor("n", new SupervisorSpec { Children = [Worker("w", stuck) with { Shutdown = Supervise.Shutdown.Timeout(S) }] });
        using var cancel = new CancellationTokenSource();
        var starting = Sys.StartTreeAsync(new SupervisorSpec { Children = [Worker("a"), nested] }, new TreeOptions { Name = "t", TimeProvider = Time }, cancel.Token);
        Assert.True(entered.Wait(Bound));

        await cancel.CancelAsync();
        // The nested supervisor (shutdown Infinity) abandons its start too and asks w to stop: w is stuck, so only its timeout ends it.
        ExpectEvent<ChildStopRequested>(e => e.ChildId == "w");
        Time.Advance(S);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => starting.WaitAsync(Bound));
        gate.Set();
    }

    [Fact]
    public void Long_values_are_cut_in_messages_and_kept_whole_in_the_problem()
    {
        var id = new string('x', 100_000);
        var problem = new SpecProblem("root", $"Children[0] (\"{id}\").Kind", "Worker", id);

        var message = problem.ToString();

        Assert.True(message.Length < 500, $"{message.Length} characters");
        Assert.Contains($"… ({problem.Field.Length.ToString("N0", CultureInfo.InvariantCulture)} characters)", message, StringComparison.Ordinal); // the field, cut
        Assert.Contains("… (100,000 characters)", message, StringComparison.Ordinal); // the value, cut
        Assert.Equal(id, problem.Received);
    }

    /// <summary>
    /// A worker blocked in a handler until <paramref name="gate"/> opens, with <paramref name="queued"/> behind it, asked to
    /// stop gracefully: returned once its supervisor has asked it (its stop request published), with the pending terminate.
    /// </summary>
    private async Task<(ChildAddress Worker, Task<TerminateChildResult> Stopping)> StopBlockedWorkerAsync(ManualResetEventSlim gate, object queued)
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w") with { Shutdown = Supervise.Shutdown.Timeout(30 * S) }] });
        var w = await tree.Root.GetChildAsync("w");
        w.Tell(new Block(gate));
        ExpectLife<Blocked>();
        w.Tell(queued);

        var stopping = tree.Root.TerminateChildAsync("w");
        ExpectEvent<ChildStopRequested>(e => e.ChildId == "w");
        return (w, stopping);
    }

    private sealed class CannotStart : ReceiveActor
    {
        public CannotStart() => throw new InvalidOperationException("no");
    }

    private sealed class CrashingStandIn : ReceiveActor
    {
        public CrashingStandIn() => Receive<Crash>(c => throw new TestCrashException("stand-in: " + c.Why));
    }
}
