using Supervise.Supervision;
using Xunit;

namespace Supervise.Tests.Supervision;

/// <summary>
/// A supervisor's decisions, driven input by input with a recording fake of its shell and no ActorSystem: its phase, the
/// work waiting its turn (as in an OTP supervisor's mailbox), and what each crash or exit leads to, in OTP's order
/// (<c>restart_child</c>, <c>do_restart</c>, <c>add_restart</c>, <c>restart</c>) and then Supervise's policies.
/// </summary>
public sealed class SupervisorCoreTests
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(5);

    [Fact]
    public void A_crash_while_running_is_reported_counted_and_restarted_in_place()
    {
        var (core, shell, children) = Running(Strategy.OneForOne, "a");

        core.Crash(children[0], new FakeCrash("boom"));

        Assert.Equal(["ReportCrash a boom", "Counted a", "RestartOne a alive"], shell.Log);
        Assert.Equal(1, core.Window.Count);
    }

    public static TheoryData<RestartType, string, bool, string> ExitsByTypeAndReason() => new()
    {
        // do_restart: permanent always, transient after an abnormal exit, temporary never (and then forgotten).
        { RestartType.Permanent, "normal", false, "Counted a|RestartOne a gone" },
        { RestartType.Transient, "normal", false, "" },
        { RestartType.Transient, "shutdown", false, "" },
        { RestartType.Transient, "crash", false, "Counted a|RestartOne a gone" },
        { RestartType.Temporary, "crash", false, "Remove a" },
        // simple_one_for_one keeps no spec of a child that is not restarted.
        { RestartType.Transient, "normal", true, "Remove a" },
        { RestartType.Permanent, "normal", true, "Counted a|RestartOne a gone" },
    };

    [Theory]
    [MemberData(nameof(ExitsByTypeAndReason))]
    public void An_exit_by_itself_is_decided_by_restart_type_and_reason(RestartType restart, string reason, bool dynamic, string expected)
    {
        var (core, shell, children) = Running(Strategy.OneForOne, dynamic, new FakeChild("a") { Restart = restart });
        var exit = reason switch
        {
            "normal" => ExitReason.Normal,
            "shutdown" => ExitReason.Shutdown,
            _ => ExitReason.Crash(new InvalidOperationException("boom")),
        };

        children[0].Gone();
        core.Exited(children[0], exit);

        Assert.Equal(expected, string.Join("|", shell.Log));
        Assert.NotEqual(ChildLifecycle.Exited, children[0].Lifecycle);
    }

    [Fact]
    public void A_crash_left_by_its_restart_type_is_discarded_not_restarted()
    {
        var (core, shell, children) = Running(Strategy.OneForOne, new FakeChild("a") { Restart = RestartType.Temporary });

        core.Crash(children[0], new FakeCrash("boom"));

        Assert.Equal(["ReportCrash a boom", "Discard a", "Remove a"], shell.Log);
        Assert.Equal(0, core.Window.Count); // a restart not made is not counted
    }

    [Fact]
    public void Past_the_intensity_it_gives_up_with_the_count()
    {
        var (core, shell, children) = Running(Strategy.OneForOne, intensity: 1, new FakeChild("a"));

        core.Crash(children[0], new FakeCrash("one"));
        core.Crash(children[0], new FakeCrash("two"));

        Assert.Equal("GiveUp a 2", shell.Log[^1]);
    }

    [Fact]
    public void Restarts_older_than_the_period_leave_the_window()
    {
        var (core, shell, children) = Running(Strategy.OneForOne, intensity: 1, new FakeChild("a"));

        core.Crash(children[0], new FakeCrash("one"));
        shell.Elapsed += Period + TimeSpan.FromTicks(1);
        core.Crash(children[0], new FakeCrash("two"));

        Assert.Equal("RestartOne a alive", shell.Log[^1]);
    }

    public static TheoryData<Strategy, string, string, string> BlastRadii() => new()
    {
        // restart(Strategy, ...): one_for_all takes every child, rest_for_one the failed one and those started after it.
        { Strategy.OneForAll, "b", "a,b,c", "" },
        { Strategy.RestForOne, "b", "b,c", "" },
        { Strategy.RestForOne, "a", "a,b,c", "" },
        { Strategy.OneForAll, "c", "a,b,c", "" },
    };

    [Theory]
    [MemberData(nameof(BlastRadii))]
    public void A_group_strategy_restarts_its_blast_radius_in_start_order(Strategy strategy, string failed, string restart, string remove)
    {
        var (core, shell, children) = Running(strategy, "a", "b", "c");

        core.Crash(children.Single(c => c.Id == failed), new FakeCrash("boom"));

        Assert.Equal($"RestartGroup {failed} [{restart}] [{remove}]", shell.Log[^1]);
        Assert.Equal(1, core.Window.Count); // a group restart counts once
    }

    [Fact]
    public void Rest_for_one_of_the_last_child_restarts_it_alone()
    {
        var (core, shell, children) = Running(Strategy.RestForOne, "a", "b", "c");

        core.Crash(children[2], new FakeCrash("boom"));

        Assert.Equal("RestartOne c alive", shell.Log[^1]);
    }

    [Fact]
    public void Temporary_siblings_in_the_radius_are_removed_and_contained_ones_left_down()
    {
        var (core, shell, children) = Running(
            Strategy.OneForAll,
            new FakeChild("a") { Restart = RestartType.Temporary },
            new FakeChild("b"),
            new FakeChild("c", ChildLifecycle.Isolated),
            new FakeChild("d") { Circuit = CircuitState.Open });

        core.Crash(children[1], new FakeCrash("boom"));

        Assert.Equal("RestartGroup b [b] [a]", shell.Log[^1]);
    }

    [Fact]
    public void Under_a_dynamic_supervisor_only_the_child_restarts()
    {
        var (core, shell, children) = Running(Strategy.OneForAll, dynamic: true, new FakeChild("a"), new FakeChild("b"));

        core.Crash(children[1], new FakeCrash("boom"));

        Assert.Equal("RestartOne b alive", shell.Log[^1]);
    }

    public static TheoryData<string, string> PolicyOutcomes() => new()
    {
        // Past the intensity, a containing policy takes the place of giving up; a backoff delays every restart.
        { "isolate", "Isolate a" },
        { "backoff", "RestartAfterBackoff a alive" },
        { "breaker", "OpenCircuit a" },
    };

    [Theory]
    [MemberData(nameof(PolicyOutcomes))]
    public void A_policy_changes_what_a_crash_leads_to(string policy, string expected)
    {
        var child = policy switch
        {
            "isolate" => new FakeChild("a") { Isolates = true },
            "backoff" => new FakeChild("a") { BacksOff = true },
            _ => new FakeChild("a") { Breaker = new BreakerState(Policy.CircuitBreaker(1, Period, Period)) },
        };
        var (core, shell, children) = Running(Strategy.OneForOne, intensity: policy == "isolate" ? 0 : 3, child);

        core.Crash(children[0], new FakeCrash("boom"));

        Assert.Equal(expected, shell.Log[^1]);
    }

    public static TheoryData<AutoShutdown, bool, bool> AutoShutdowns() => new()
    {
        // auto_shutdown: any_significant on the first significant exit, all_significant once none runs, never never.
        { AutoShutdown.AnySignificant, true, true },
        { AutoShutdown.AllSignificant, true, false },
        { AutoShutdown.AllSignificant, false, true },
        { AutoShutdown.Never, false, false },
    };

    [Theory]
    [MemberData(nameof(AutoShutdowns))]
    public void A_significant_child_that_stops_for_good_may_shut_its_supervisor_down(AutoShutdown mode, bool otherRunning, bool shutsDown)
    {
        var shell = new RecordingShell();
        List<FakeChild> children =
        [
            new("a") { Restart = RestartType.Transient, Significant = true },
            new("b", otherRunning ? ChildLifecycle.Running : ChildLifecycle.NotRunning) { Restart = RestartType.Transient, Significant = true },
        ];
        var core = new SupervisorCore<FakeChild, FakeCrash>(Strategy.OneForOne, mode, false, new RestartWindow(3, Period), children, shell);
        core.Started();

        children[0].Gone();
        core.Exited(children[0], ExitReason.Normal);

        Assert.Equal(shutsDown, shell.Log.Contains($"AutoShutdown a {mode}"));
    }

    [Fact]
    public void Under_all_significant_a_significant_child_waiting_to_restart_still_counts_as_there()
    {
        // OTP: a child whose pid is `restarting` has not terminated; all_significant waits for every significant child to.
        var shell = new RecordingShell();
        List<FakeChild> children =
        [
            new("a") { Restart = RestartType.Transient, Significant = true },
            new("b", ChildLifecycle.WaitingToRestart) { Restart = RestartType.Transient, Significant = true },
        ];
        var core = new SupervisorCore<FakeChild, FakeCrash>(Strategy.OneForOne, AutoShutdown.AllSignificant, false, new RestartWindow(3, Period), children, shell);
        core.Started();

        children[0].Gone();
        core.Exited(children[0], ExitReason.Normal);

        Assert.DoesNotContain(shell.Log, e => e.StartsWith("AutoShutdown", StringComparison.Ordinal));
    }

    [Fact]
    public void A_significant_child_that_is_restarted_does_not_shut_its_supervisor_down()
    {
        var (core, shell, children) = Running(Strategy.OneForOne, new FakeChild("a") { Significant = true });

        children[0].Gone();
        core.Exited(children[0], ExitReason.Normal);

        Assert.DoesNotContain(shell.Log, e => e.StartsWith("AutoShutdown", StringComparison.Ordinal));
    }

    [Fact]
    public void While_a_sequence_runs_a_crash_waits_its_turn_suspended()
    {
        var (core, shell, children) = Running(Strategy.OneForOne, "a");
        shell.InSequence = true;

        core.Crash(children[0], new FakeCrash("boom"));

        Assert.Empty(shell.Log);
        Assert.Equal(ChildLifecycle.Crashed, children[0].Lifecycle);
        Assert.Equal(1, core.Waiting);

        shell.InSequence = false;
        core.Drain();

        Assert.Equal(["ReportCrash a boom", "Counted a", "RestartOne a alive"], shell.Log);
    }

    [Fact]
    public void During_its_start_every_input_waits_and_is_decided_in_the_order_it_came()
    {
        var shell = new RecordingShell();
        List<FakeChild> children = [new("a"), new("b")];
        var core = new SupervisorCore<FakeChild, FakeCrash>(Strategy.OneForOne, AutoShutdown.Never, false, new RestartWindow(3, Period), children, shell);

        core.Submit("which-children", WorkKind.Call);
        core.Crash(children[0], new FakeCrash("boom"));
        children[1].Gone();
        core.Exited(children[1], ExitReason.Normal);
        core.Submit("count-children", WorkKind.Call);
        Assert.Empty(shell.Log);

        core.Started();

        Assert.Equal(
            ["Process which-children", "ReportCrash a boom", "Counted a", "RestartOne a alive", "Counted b", "RestartOne b gone", "Process count-children"],
            shell.Log);
    }

    public static TheoryData<string, string> WhileStopping() => new()
    {
        { nameof(WorkKind.Call), "refused" },
        { nameof(WorkKind.Shutdown), "waits" },
        { nameof(WorkKind.Timer), "waits" },
        { nameof(WorkKind.StopForRestart), "dropped" },
    };

    [Theory]
    [MemberData(nameof(WhileStopping))]
    public void A_stopping_supervisor_refuses_calls_and_keeps_what_its_stop_needs(string kind, string expected)
    {
        var (core, shell, _) = Running(Strategy.OneForOne, "a");
        core.BeginStopping();

        core.Submit("work", Enum.Parse<WorkKind>(kind));

        var seen = shell.Log.SequenceEqual(["Refuse work"]) ? "refused" : core.Waiting == 1 ? "waits" : shell.Log.Count == 0 ? "dropped" : "processed";
        Assert.Equal(expected, seen);
    }

    [Fact]
    public void An_exit_in_line_is_ignored_once_its_generation_moved_on()
    {
        var (core, shell, children) = Running(Strategy.OneForOne, "a");
        shell.InSequence = true;
        children[0].Gone();
        core.Exited(children[0], ExitReason.Normal);
        Assert.Equal(ChildLifecycle.Exited, children[0].Lifecycle);

        children[0].Generation++; // a call stopped or started it meanwhile (OTP flushes the EXIT)
        shell.InSequence = false;
        core.Drain();

        Assert.Empty(shell.Log);
    }

    [Fact]
    public void An_exit_in_line_of_a_child_deleted_meanwhile_is_ignored()
    {
        var (core, shell, children) = Running(Strategy.OneForOne, "a");
        shell.InSequence = true;
        var child = children[0];
        child.Gone();
        core.Exited(child, ExitReason.Normal);

        children.Remove(child);
        shell.InSequence = false;
        core.Drain();

        Assert.Empty(shell.Log);
    }

    [Fact]
    public void A_crash_in_line_that_was_decided_meanwhile_is_not_decided_again()
    {
        var (core, shell, children) = Running(Strategy.OneForAll, "a", "b");
        shell.InSequence = true;
        core.QueueCrash(children[0], new FakeCrash("boom"));

        children[0].TakeFailure(); // a group restart covered it
        shell.InSequence = false;
        core.Drain();

        Assert.Empty(shell.Log);
    }

    [Fact]
    public void A_held_drain_decides_nothing_until_released()
    {
        var (core, shell, children) = Running(Strategy.OneForOne, "a");
        shell.InSequence = true;
        core.Crash(children[0], new FakeCrash("boom"));
        shell.InSequence = false;

        core.HoldDrain = true;
        core.Drain();
        Assert.Empty(shell.Log);

        core.HoldDrain = false;
        core.Drain();
        Assert.Contains("RestartOne a alive", shell.Log);
    }

    [Fact]
    public void Taking_waiting_work_keeps_the_rest_in_order()
    {
        var (core, shell, children) = Running(Strategy.OneForOne, "a");
        shell.InSequence = true;
        core.Submit("call-1", WorkKind.Call);
        core.Submit("timer", WorkKind.Timer);
        core.Submit("call-2", WorkKind.Call);

        var taken = core.TakeWaiting(w => w is string s && s.StartsWith("call", StringComparison.Ordinal));

        Assert.Equal(["call-1", "call-2"], taken);
        shell.InSequence = false;
        core.Drain();
        Assert.Equal(["Process timer"], shell.Log);
    }

    [Fact]
    public void A_crash_decided_now_or_later_leaves_the_same_restart()
    {
        // The same inputs decided at once and after waiting in line lead to the same effects (only their time differs).
        var (now, nowShell, nowChildren) = Running(Strategy.RestForOne, "a", "b", "c");
        now.Crash(nowChildren[1], new FakeCrash("boom"));

        var (later, laterShell, laterChildren) = Running(Strategy.RestForOne, "a", "b", "c");
        laterShell.InSequence = true;
        later.Crash(laterChildren[1], new FakeCrash("boom"));
        laterShell.InSequence = false;
        later.Drain();

        Assert.Equal(nowShell.Log, laterShell.Log);
    }

    private static (SupervisorCore<FakeChild, FakeCrash> Core, RecordingShell Shell, List<FakeChild> Children) Running(Strategy strategy, params string[] ids) =>
        Running(strategy, false, 3, [.. ids.Select(id => new FakeChild(id))]);

    private static (SupervisorCore<FakeChild, FakeCrash> Core, RecordingShell Shell, List<FakeChild> Children) Running(Strategy strategy, params FakeChild[] children) =>
        Running(strategy, false, 3, children);

    private static (SupervisorCore<FakeChild, FakeCrash> Core, RecordingShell Shell, List<FakeChild> Children) Running(Strategy strategy, bool dynamic, params FakeChild[] children) =>
        Running(strategy, dynamic, 3, children);

    private static (SupervisorCore<FakeChild, FakeCrash> Core, RecordingShell Shell, List<FakeChild> Children) Running(Strategy strategy, int intensity, params FakeChild[] children) =>
        Running(strategy, false, intensity, children);

    private static (SupervisorCore<FakeChild, FakeCrash> Core, RecordingShell Shell, List<FakeChild> Children) Running(Strategy strategy, bool dynamic, int intensity, FakeChild[] children)
    {
        var shell = new RecordingShell();
        var list = children.ToList();
        var core = new SupervisorCore<FakeChild, FakeCrash>(strategy, AutoShutdown.Never, dynamic, new RestartWindow(intensity, Period), list, shell);
        core.Started();
        return (core, shell, list);
    }

    internal sealed record FakeCrash(string Message) : ICrashReport
    {
        public Exception Cause { get; } = new InvalidOperationException(Message);
    }

    /// <summary>A child as the core sees it, whose moves are checked against <see cref="ChildLifecycleRule"/>.</summary>
    internal sealed class FakeChild(string id, ChildLifecycle state = ChildLifecycle.Running) : ISupervisedChild<FakeCrash>
    {
        private FakeCrash? _waiting;
        private ExitInLine? _exit;

        public string Id { get; } = id;

        public ChildLifecycle Lifecycle { get; private set; } = state;

        public int Generation { get; set; }

        public RestartType Restart { get; init; } = RestartType.Permanent;

        public bool Significant { get; init; }

        public bool Isolates { get; init; }

        public bool BacksOff { get; init; }

        public BreakerState? Breaker { get; init; }

        public CircuitState Circuit { get; init; } = CircuitState.Closed;

        public ExitInLine? QueuedExit => _exit;

        /// <summary>Its actor stopped by itself (what the shell does before telling the core).</summary>
        public void Gone() => Lifecycle = ChildLifecycle.NotRunning;

        /// <summary>The shell carried out a restart.</summary>
        public void Restarted() => Lifecycle = ChildLifecycle.Running;

        public void MoveTo(ChildLifecycle next)
        {
            if (!ChildLifecycleRule.CanMove(Lifecycle, next))
            {
                throw new LifecycleViolationException($"{Id}: {Lifecycle} -> {next}");
            }

            Lifecycle = next;
        }

        public void Crash(FakeCrash? waiting)
        {
            MoveTo(ChildLifecycle.Crashed);
            _waiting = waiting;
        }

        public FakeCrash? TakeFailure()
        {
            var waiting = _waiting;
            _waiting = null;
            return waiting;
        }

        public void QueueExit(ExitInLine exit)
        {
            MoveTo(ChildLifecycle.Exited);
            _exit = exit;
        }
    }

    /// <summary>The shell, reduced to a log of what it was told to do.</summary>
    internal sealed class RecordingShell : ISupervisorEffects<FakeChild, FakeCrash>
    {
        public void CrashDecided(FakeChild child)
        {
        }

        public List<string> Log { get; } = [];

        public bool InSequence { get; set; }

        public TimeSpan Elapsed { get; set; } = TimeSpan.FromSeconds(100);

        public void ReportCrash(FakeChild child, FakeCrash crash) => Log.Add($"ReportCrash {child.Id} {crash.Message}");

        public void RestartCounted(FakeChild child) => Log.Add($"Counted {child.Id}");

        public void Discard(FakeChild child) => Log.Add($"Discard {child.Id}");

        public void Remove(FakeChild child) => Log.Add($"Remove {child.Id}");

        public void OpenCircuit(FakeChild child) => Log.Add($"OpenCircuit {child.Id}");

        public void Isolate(FakeChild child, ExitReason reason) => Log.Add($"Isolate {child.Id}");

        public void GiveUp(FakeChild child, RestartVerdict verdict, ExitReason reason) => Log.Add($"GiveUp {child.Id} {verdict.CountInWindow}");

        public void RestartAfterBackoff(FakeChild child, ExitReason reason, bool alive) => Log.Add($"RestartAfterBackoff {child.Id} {(alive ? "alive" : "gone")}");

        public void RestartOne(FakeChild child, ExitReason reason, bool alive)
        {
            Log.Add($"RestartOne {child.Id} {(alive ? "alive" : "gone")}");
            child.Restarted();
        }

        public void RestartGroup(FakeChild failed, ExitReason reason, IReadOnlyList<FakeChild> restart, IReadOnlyList<FakeChild> remove) =>
            Log.Add($"RestartGroup {failed.Id} [{string.Join(",", restart.Select(c => c.Id))}] [{string.Join(",", remove.Select(c => c.Id))}]");

        public void AutoShutdown(FakeChild exited, AutoShutdown mode) => Log.Add($"AutoShutdown {exited.Id} {mode}");

        public void Process(object work) => Log.Add($"Process {work}");

        public void Refuse(object work) => Log.Add($"Refuse {work}");
    }
}
