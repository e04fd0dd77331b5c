using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Chaos;

/// <summary>The fault injector, in virtual time: each fault kind, the safety switches, reproducibility and the report.</summary>
public sealed class FaultInjectorTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);

    private static ChaosOptions Options(params FaultChoice[] faults) => new()
    {
        Seed = 7,
        EnvironmentName = "Test",
        Faults = faults.Length == 0 ? [new FaultChoice(FaultKind.Crash)] : faults,
        Schedule = FaultSchedule.Fixed(S),
        MaxConcurrentFaults = 10,
    };

    /// <summary>One injection time at 1 s, then none (the run goes on: what it armed stays armed).</summary>
    private static readonly FaultSchedule OnlyTheFirst = FaultSchedule.Fixed(S) with { Windows = [(TimeSpan.Zero, TimeSpan.FromSeconds(1.5))] };

    /// <summary>Moves the clock to the next injection and waits until the injector has journaled <paramref name="faults"/> faults.</summary>
    private async Task NextAsync(FaultInjector injector, int faults)
    {
        Time.Advance(S);
        await AwaitConditionAsync(() => Task.FromResult(injector.Journal.Faults.Count >= faults), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(5));
    }

    [Fact]
    public async Task The_injector_refuses_an_environment_named_production_unless_allowed()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a")] });

        var error = await Assert.ThrowsAsync<SpecValidationException>(() => tree.StartChaosAsync(Options() with { EnvironmentName = "Production" }));

        Assert.Contains("chaos: AllowInProduction: expected true to inject faults in an environment named Production", error.Message);
        var allowed = await tree.StartChaosAsync(Options() with { EnvironmentName = "Production", AllowInProduction = true });
        Assert.Equal(7, ExpectEvent<ChaosStarted>().Seed);
        Assert.Equal("halted", (await allowed.StopAsync()).EndReason);
    }

    [Fact]
    public void Bad_options_are_listed_each_with_what_was_expected()
    {
        var problems = (Options() with
        {
            Faults = [new FaultChoice(FaultKind.Hang, 0) { Duration = TimeSpan.Zero }],
            Schedule = FaultSchedule.Fixed(TimeSpan.Zero) with { Burst = 0 },
            MaxConcurrentFaults = 0,
            MaxFaults = 0,
            IntensityShare = double.NaN,
        }).Validate().Select(p => p.ToString()).ToList();

        Assert.Equal(
        [
            "chaos: Faults[0].Weight: expected a positive weight, received 0",
            "chaos: Faults[0].Duration: expected a positive duration of at most 49 days, received 00:00:00",
            "chaos: Schedule.Interval: expected a positive duration of at most 49 days, received 00:00:00",
            "chaos: Schedule.Burst: expected 1 or more faults per injection, received 0",
            "chaos: IntensityShare: expected above 0 and at most 1, received NaN",
            "chaos: MaxConcurrentFaults: expected 1 or more, received 0",
            "chaos: MaxFaults: expected 1 or more, or null (no limit), received 0",
        ], problems);
    }

    [Fact]
    public async Task A_crash_travels_the_normal_supervision_path_with_the_chosen_exception()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a")] });
        var injector = await tree.StartChaosAsync(Options(new FaultChoice(FaultKind.Crash) { Exception = path => new TimeoutException("injected into " + path) }));

        await NextAsync(injector, 1);

        var crashed = ExpectEvent<ChildCrashed>();
        Assert.Equal(("a", "injected into t/a"), (crashed.ChildId, Assert.IsType<TimeoutException>(crashed.Cause).Message));
        ExpectEvent<ChildRestarted>();
        var report = await injector.StopAsync();
        var fault = Assert.Single(report.Faults);
        Assert.Equal((FaultKind.Crash, "t/a", IsolationVerdict.Isolated, TimeSpan.Zero), (fault.Fault.Kind, fault.Fault.Target, fault.Verdict, fault.RecoveredAfter));
        Assert.Equal("System.TimeoutException", FaultJournal.FromJson(report.Journal.ToJson()).Faults[0].Exception); // journaled, and kept in JSON
        Assert.True(report.RootSurvived);
    }

    [Theory]
    [InlineData(FaultKind.Kill, "Failure(killed by the fault injector)")]
    [InlineData(FaultKind.Stop, "Normal")]
    public async Task Kill_and_stop_end_the_child_with_their_exit_reasons(FaultKind kind, string reason)
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a")] });
        var injector = await tree.StartChaosAsync(Options(new FaultChoice(kind)));

        await NextAsync(injector, 1);

        Assert.Equal(reason, ExpectEvent<ChildTerminated>().Reason.ToString());
        ExpectEvent<ChildRestarted>();
        await injector.StopAsync();
    }

    [Fact]
    public async Task A_hang_keeps_the_child_from_handling_anything_for_its_duration()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a")] });
        var a = await tree.Root.GetChildAsync("a");
        ExpectUps(1);
        var injector = await tree.StartChaosAsync(Options(new FaultChoice(FaultKind.Hang) { Duration = TimeSpan.FromSeconds(10) }) with { MaxFaults = 1 });
        await NextAsync(injector, 1);
        ExpectEvent<FaultInjected>();

        a.Tell("during the hang");
        Time.Advance(TimeSpan.FromSeconds(9));
        Assert.True(await tree.WhenSettledAsync());
        Assert.DoesNotContain(ReceivedSoFar(Life), m => m is Got);
        Time.Advance(S);

        Assert.Equal("during the hang", ExpectLife<Got>().Message);
    }

    [Fact]
    public async Task A_drop_loses_the_next_messages_to_the_address_counted_and_reported()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a")] });
        var a = await tree.Root.GetChildAsync("a");
        var injector = await tree.StartChaosAsync(Options(new FaultChoice(FaultKind.Drop) { Count = 2 }) with { Schedule = OnlyTheFirst });
        await NextAsync(injector, 1);
        ExpectEvent<FaultInjected>();

        a.Tell(1);
        a.Tell(2);
        a.Tell(3);

        Assert.Equal(3, ExpectLife<Got>(g => g.Message is int).Message);
        Assert.Equal(2, a.Dropped);
        Assert.StartsWith("dropped by the fault injector", ExpectEvent<MessageDropped>().Why);
    }

    [Fact]
    public async Task A_delay_holds_the_next_message_to_the_address_for_its_duration_and_no_other()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a")] });
        var a = await tree.Root.GetChildAsync("a");
        ExpectUps(1);
        var injector = await tree.StartChaosAsync(Options(new FaultChoice(FaultKind.Delay) { Duration = TimeSpan.FromSeconds(5) }) with { Schedule = OnlyTheFirst });
        await NextAsync(injector, 1);
        ExpectEvent<FaultInjected>();

        // Armed, not acting: the clock moves and the child is not held until a message comes.
        Time.Advance(TimeSpan.FromSeconds(10));
        a.Tell("delayed");
        a.Tell("behind it");
        Time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(await tree.WhenSettledAsync());
        Assert.DoesNotContain(ReceivedSoFar(Life), m => m is Got);
        Time.Advance(S);

        Assert.Equal("delayed", ExpectLife<Got>().Message);
        Assert.Equal("behind it", ExpectLife<Got>().Message);
        a.Tell("after");
        Assert.Equal("after", ExpectLife<Got>().Message); // only the next message was delayed
    }

    [Fact]
    public async Task A_drop_or_delay_is_not_armed_over_another_and_the_run_lifts_the_one_armed()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a")] });
        var a = await tree.Root.GetChildAsync("a");
        ExpectUps(1);
        var injector = await tree.StartChaosAsync(Options(new FaultChoice(FaultKind.Drop) { Count = 3 }, new FaultChoice(FaultKind.Delay)));

        await NextAsync(injector, 1);
        await NextAsync(injector, 2);

        Assert.Null(injector.Journal.Faults[0].Skipped);
        Assert.Equal("an earlier drop or delay is still armed on its address", injector.Journal.Faults[1].Skipped);
        await injector.StopAsync();
        a.Tell("after the run");
        Assert.Equal("after the run", ExpectLife<Got>().Message);
        Assert.Equal(0, a.Dropped);
    }

    [Fact]
    public async Task In_virtual_time_each_fault_of_a_burst_comes_once_the_tree_has_settled_after_the_one_before()
    {
        // Each crash restarts the whole one-for-all group; the next one, at the same instant, finds the group
        // running again and hits a sibling. (That this does not depend on the threads is checked over random
        // trees by ChaosPropertyTests in Supervise.TestKit.Tests.)
        for (var run = 0; run < 10; run++)
        {
            var tree = await StartTreeAsync(
                new SupervisorSpec { Strategy = Strategy.OneForAll, Intensity = 100, Children = [Worker("a"), Worker("b"), Worker("c")] },
                new TreeOptions { Name = $"burst{run}" });
            var injector = await tree.StartChaosAsync(Options() with { Seed = run, Schedule = OnlyTheFirst with { Burst = 3 } });

            Time.Advance(S);
            await injector.WhenJournaledAsync(1);
            Assert.True(await tree.WhenSettledAsync()); // settled means the whole burst is done, not its first fault
            Assert.Equal(3, injector.Journal.Faults.Count);
            var report = await injector.StopAsync();
            await tree.StopAsync();

            var faults = report.Journal.Faults;
            Assert.All(faults, f => Assert.Null(f.Skipped));
            Assert.Equal(3, faults.Select(f => f.Target).Distinct().Count()); // a fault's target is not hit again while its fault is open
            Assert.All(faults, f => Assert.Equal(S, f.At)); // one instant
            Assert.All(report.Faults, f => Assert.Equal(["a", "b", "c"], f.Restarted.Order()));
        }
    }

    [Fact]
    public async Task A_hang_holds_a_place_under_MaxConcurrentFaults_until_its_time_is_up()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a"), Worker("b")] });
        var injector = await tree.StartChaosAsync(Options(new FaultChoice(FaultKind.Hang) { Duration = TimeSpan.FromSeconds(3) }) with { MaxConcurrentFaults = 1 });

        await NextAsync(injector, 1);
        Assert.Equal((1, 0), (injector.UnsettledFaults, injector.FaultsInMotion)); // it waits for the clock, nothing else
        await NextAsync(injector, 2);
        await NextAsync(injector, 3);
        var journal = injector.Journal.Faults;
        Assert.Null(journal[0].Skipped);
        Assert.All(journal.Skip(1), f => Assert.StartsWith("1 earlier fault(s) have not recovered yet", f.Skipped));
        await NextAsync(injector, 4);
        Assert.Null(injector.Journal.Faults[3].Skipped);
        var report = await injector.StopAsync();
        Assert.Equal(TimeSpan.FromSeconds(3), report.Faults[0].RecoveredAfter);
    }

    [Fact]
    public async Task Ending_a_run_lifts_the_faults_still_in_effect()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a")] });
        var a = await tree.Root.GetChildAsync("a");
        ExpectUps(1);
        var hang = await tree.StartChaosAsync(Options(new FaultChoice(FaultKind.Hang) { Duration = TimeSpan.FromHours(1) }));
        await NextAsync(hang, 1);
        a.Tell("held by the hang");
        Assert.True(await tree.WhenSettledAsync());
        Assert.DoesNotContain(ReceivedSoFar(Life), m => m is Got);

        await hang.StopAsync();

        Assert.Equal("held by the hang", ExpectLife<Got>().Message);
        var drop = await tree.StartChaosAsync(Options(new FaultChoice(FaultKind.Drop) { Count = 5 }));
        await NextAsync(drop, 1);
        await drop.StopAsync();
        a.Tell("not dropped");
        Assert.Equal("not dropped", ExpectLife<Got>().Message);
        Assert.Equal(0, a.Dropped);
    }

    [Fact]
    public async Task A_stop_waiting_for_a_hung_child_settles_at_once_and_goes_on_when_the_clock_moves()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a") with { Shutdown = Supervise.Shutdown.Timeout(5 * S) }] });
        ExpectUps(1);
        var hang = await tree.StartChaosAsync(Options(new FaultChoice(FaultKind.Hang) { Duration = TimeSpan.FromHours(1) }) with { Schedule = OnlyTheFirst });
        await NextAsync(hang, 1);

        // The stop waits for the hung child: work in progress that only the clock can move (the shutdown timeout). The
        // tree has done all it can: it settles at once, exactly, instead of after its bound (which made runs diverge).
        var terminating = tree.Root.TerminateChildAsync("a");
        ExpectEvent<ChildStopRequested>(e => e.ChildId == "a");
        Assert.True(await tree.WhenSettledAsync(TimeSpan.FromSeconds(2)));
        Assert.True(tree.RestartsInProgress > 0);
        Assert.False(terminating.IsCompleted);

        Time.Advance(5 * S);
        Assert.IsType<TerminateChildResult.Terminated>(await terminating);
        Assert.True(await tree.WhenSettledAsync());
        Assert.Equal(0, tree.RestartsInProgress);
        await hang.StopAsync();
    }

    [Fact]
    public async Task A_tree_stops_without_waiting_for_an_injected_hang()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a")] });
        var injector = await tree.StartChaosAsync(Options(new FaultChoice(FaultKind.Hang) { Duration = TimeSpan.FromHours(1) }));
        await NextAsync(injector, 1);

        // The clock does not move: a hung child would hold its shutdown (5 s) for ever.
        var outcome = await tree.StopAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(TreeStopReason.Stopped, outcome.Reason);
        Assert.StartsWith("the tree stopped", (await injector.Completion.WaitAsync(TimeSpan.FromSeconds(10))).EndReason);
    }

    [Fact]
    public async Task MaxFaults_ends_the_run_once_its_faults_have_recovered()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 100, Children = [Worker("a"), Worker("b")] });
        var injector = await tree.StartChaosAsync(Options() with { MaxFaults = 3 });
        for (var i = 1; i <= 3; i++)
        {
            await NextAsync(injector, i);
            ExpectEvent<ChildRestarted>();
        }

        Time.Advance(S);
        var report = await injector.Completion.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("its 3 faults were carried out (MaxFaults)", report.EndReason);
        Assert.Equal(3, report.Faults.Count);
        Assert.Equal(3, report.Journal.Faults.Count);
    }

    [Fact]
    public async Task The_tree_counts_restarts_in_progress_apart_from_those_waiting_for_a_backoff_delay()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Children = [Worker("a") with { Policies = [Policy.Backoff(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2)) with { Jitter = 0 }] }],
        });
        var a = await ChildRef(tree.Root, "a");

        a.Tell(Kill.Instance);
        ExpectEvent<ChildRestartDelayed>();
        // The counts change in the health pass that follows, before its event: whoever that event wakes reads them up to date.
        ExpectEvent<HealthChanged>(e => e.ChildId == "a" && e.Current == HealthState.Restarting);
        Assert.True(await tree.WhenSettledAsync());

        Assert.Equal((1, 0), (tree.ChildrenRestarting, tree.RestartsInProgress));
        Time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await tree.WhenSettledAsync());
        Assert.Equal((0, 0), (tree.ChildrenRestarting, tree.RestartsInProgress));
        ExpectEvent<ChildRestarted>();
    }

    [Fact]
    public async Task A_poison_message_crashes_its_child_each_time_until_quarantined()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 5, Children = [Worker("a") with { Policies = [Policy.Quarantine(3)] }] });
        var injector = await tree.StartChaosAsync(Options(new FaultChoice(FaultKind.Poison)));
        await NextAsync(injector, 1);
        injector.Halt();

        var quarantined = ExpectEvent<MessageQuarantined>().Entry;

        Assert.Equal((new InjectedPoison(1), 3), (quarantined.Message, quarantined.Crashes));
        Assert.Equal(3, (await tree.Root.GetHealthAsync()).Children[0].Restarts);
    }

    [Fact]
    public async Task A_failing_restart_fails_the_next_start_which_is_retried_and_counted()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 5, Children = [Worker("a")] });
        var injector = await tree.StartChaosAsync(Options(new FaultChoice(FaultKind.FailingRestart)));
        await NextAsync(injector, 1);
        injector.Halt();

        ExpectEvent<ChildCrashed>();
        Assert.IsType<InjectedFaultException>(ExpectEvent<ChildStartFailed>().Cause);
        var restarted = ExpectEvent<ChildRestarted>();
        Assert.Equal(2, restarted.RestartsInWindow);
    }

    [Fact]
    public async Task A_share_of_the_intensity_leaves_the_rest_of_the_window_to_the_application()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 5, Period = TimeSpan.FromMinutes(1), Children = [Worker("a"), Worker("b")] });
        var injector = await tree.StartChaosAsync(Options() with { StayBelowIntensity = true, IntensityShare = 0.5 });

        for (var i = 1; i <= 6; i++)
        {
            await NextAsync(injector, i);
            await tree.Root.GetHealthAsync();
        }

        // Two of five restarts (the floor of half) for the run; the application's own crashes have three more before the supervisor gives up.
        var report = await injector.StopAsync();
        Assert.Equal((2, 4), (report.CarriedOut, report.Skipped));
        Assert.Equal(new Dictionary<string, int> { ["it would take its supervisor past the run's share of its intensity (IntensityShare)"] = 4 }, report.SkippedBecause);
        var a = await tree.Root.GetChildAsync("a");
        for (var inWindow = 3; inWindow <= 5; inWindow++)
        {
            a.Tell(new Crash("the application's own"));
            ExpectEvent<ChildRestarted>(r => r.RestartsInWindow == inWindow);
        }

        Assert.Equal(HealthState.Running, (await tree.Root.GetHealthAsync()).State);
    }

    [Fact]
    public async Task A_restart_reserved_for_a_fault_a_circuit_breaker_takes_is_given_back()
    {
        // The breaker opens on the crash before the window counts it: the restart the guard reserved for it is never counted,
        // and, kept, it refused every later fault on that supervisor (the soak's guarded workers took only hangs, delays, drops).
        var breaker = new DegradationPolicy[] { Policy.CircuitBreaker(1, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)) };
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 1, Period = TimeSpan.FromMinutes(1), Children = [Worker("a") with { Policies = breaker }, Worker("b")] });
        Task<Supervise.Chaos.FaultApplied> Inject(long sequence, string child) =>
            tree.Root.Actor.Ask<Supervise.Chaos.FaultApplied>(new Supervise.Chaos.InjectFault(sequence, child, FaultKind.Crash, new InjectedFaultException("injected"), TimeSpan.Zero, 0, 1.0), TimeSpan.FromSeconds(10));

        Assert.True((await Inject(1, "a")).Applied);
        ExpectEvent<ChildCrashed>(e => e.ChildId == "a");
        await tree.WhenSettledAsync();

        var second = await Inject(2, "b");
        Assert.True(second.Applied, second.Why);
        ExpectEvent<ChildRestarted>(e => e.ChildId == "b");
    }

    [Fact]
    public async Task Below_the_intensity_mode_never_makes_a_supervisor_give_up()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 2, Period = TimeSpan.FromMinutes(1), Children = [Worker("a"), Worker("b")] });
        var injector = await tree.StartChaosAsync(Options() with { StayBelowIntensity = true });

        for (var i = 1; i <= 6; i++)
        {
            await NextAsync(injector, i);
            await tree.Root.GetHealthAsync();
        }

        var report = await injector.StopAsync();
        Assert.Equal((2, 4, 0, true), (report.Faults.Count, report.Skipped, report.Escalations, report.RootSurvived));
        Assert.Equal("it would take its supervisor past its intensity", ExpectEvent<FaultSkipped>().Fault.Skipped);
        Assert.All(injector.Journal.Faults.Where(f => f.Skipped is not null), f => Assert.Equal("it would take its supervisor past its intensity", f.Skipped));
        Assert.Equal(new Dictionary<string, int> { ["it would take its supervisor past its intensity"] = 4 }, report.SkippedBecause);
        Assert.Contains("skipped because: 4 it would take its supervisor past its intensity", report.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_run_aborts_when_the_root_stays_below_running_too_long_and_says_why()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a") with { Restart = RestartType.Transient }, Worker("b")] });
        var injector = await tree.StartChaosAsync(Options(new FaultChoice(FaultKind.Stop)) with
        {
            Targets = new FaultTargets { Include = ["t/a"] },
            AbortWhenRootNotRunningFor = TimeSpan.FromSeconds(3),
        });
        await NextAsync(injector, 1);
        ExpectEvent<HealthChanged>(e => e.ChildId is null && e.Current == HealthState.Degraded);

        for (var i = 0; i < 3; i++)
        {
            Time.Advance(S);
        }

        var report = await injector.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal("aborted: the root was not Running for 3 s", report.EndReason);
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_journal_and_a_journal_replays()
    {
        async Task<FaultJournal> RunAsync(string name, ChaosOptions options)
        {
            var inner = new SupervisorSpec { Strategy = Strategy.RestForOne, Intensity = 100, Children = [Worker("x"), Worker("y"), Worker("z")] };
            var tree = await StartTreeAsync(
                new SupervisorSpec { Intensity = 100, Children = [Worker("a"), ChildSpec.ForSupervisor("inner", inner), Worker("b")] },
                new TreeOptions { Name = name });
            var injector = await tree.StartChaosAsync(options);
            static int Restarts(HealthSnapshot s) => s.Children.Sum(c => c.Restarts + (c.Subtree is { } sub ? Restarts(sub) : 0));
            for (var i = 1; i <= 12; i++)
            {
                // Each fault has landed and been handled before the clock moves on: the tree is the same at each choice.
                var before = Restarts(await tree.GetHealthAsync());
                Time.Advance(S);
                await injector.WhenJournaledAsync(i);
                await AwaitAssertAsync(
                    async () =>
                    {
                        var health = await tree.GetHealthAsync();
                        Assert.True(health.State == HealthState.Running && Restarts(health) > before);
                    },
                    interval: TimeSpan.FromMilliseconds(5));
                Assert.True(await tree.WhenSettledAsync());
            }

            var report = await injector.StopAsync();
            await tree.StopAsync();
            Assert.All(report.Faults, f => Assert.NotEqual(IsolationVerdict.Leaked, f.Verdict));
            return new FaultJournal(report.Seed, report.Journal.Faults.Select(f => f with { Target = f.Target[name.Length..] }).ToList());
        }

        var options = Options(new FaultChoice(FaultKind.Crash, 3), new FaultChoice(FaultKind.Kill), new FaultChoice(FaultKind.Stop)) with { Seed = 1234 };
        var first = await RunAsync("r", options);
        var second = await RunAsync("s", options);
        Assert.Equal(first.Faults, second.Faults);
        Assert.Equal(3, first.Faults.Select(f => f.Kind).Distinct().Count());
        Assert.True(first.Faults.Select(f => f.Target).Distinct().Count() >= 4, "expected faults spread over the tree: " + string.Join(", ", first.Faults.Select(f => f.Target)));

        var replayed = await RunAsync("r", Options() with { Replay = FaultJournal.FromJson(first.ToJson().Replace("\"/", "\"r/", StringComparison.Ordinal)) });
        Assert.Equal(first.Faults, replayed.Faults);
    }
}
