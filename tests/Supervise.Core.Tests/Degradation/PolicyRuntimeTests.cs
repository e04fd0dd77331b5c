using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Degradation;

/// <summary>Each degradation policy at runtime, in virtual time: what callers get, recovery, and untouched siblings.</summary>
public sealed class PolicyRuntimeTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    private static readonly TimeSpan S = TimeSpan.FromSeconds(1);

    private sealed class StandIn : ReceiveActor
    {
        public StandIn() => Receive<Echo>(e => Sender.Tell($"fallback:{e.Payload}"));
    }

    /// <summary>A round trip to the root: everything it was handling before is done (events published, addresses rerouted).</summary>
    private static Task Settle(SupervisionTree tree) => tree.Root.GetHealthAsync();

    [Fact]
    public async Task Isolate_stops_the_child_marks_it_down_and_leaves_siblings_and_their_restart_budget_alone()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Strategy = Strategy.OneForAll,
            Intensity = 1,
            Period = TimeSpan.FromMinutes(1),
            Children = [Worker("steady"), Worker("x") with { Policies = [Policy.Isolate()] }],
        });
        var x = await tree.Root.GetChildAsync("x");
        x.Tell(new Crash("one"));
        ExpectEvent<ChildRestarted>(e => e.ChildId == "steady"); // one-for-all restarts both the first time, in start order
        ExpectEvent<ChildRestarted>(e => e.ChildId == "x");
        x.Tell(new Crash("two"));

        var isolated = ExpectEvent<ChildIsolated>();
        Assert.Equal(("x", "two"), (isolated.ChildId, isolated.LastFailure?.Message));
        ExpectEvent<HealthChanged>(e => e.ChildId == "x" && e.Current == HealthState.Down);
        ExpectEvent<HealthChanged>(e => e.ChildId is null && e.Current == HealthState.Degraded);
        var health = await tree.Root.GetHealthAsync();
        Assert.Equal((HealthState.Running, HealthState.Down), (health.Children[0].State, health.Children[1].State));

        // The isolated child's restarts left the window: a sibling may still be restarted once.
        (await ChildRef(tree.Root, "steady")).Tell(new Crash("sibling"));
        ExpectEvent<ChildRestarted>(e => e.ChildId == "steady");

        Assert.IsType<RestartChildResult.Restarted>(await tree.Root.RestartChildAsync("x"));
        Assert.Equal("up", await x.AskAsync<string>(new Echo("up")));
        ExpectEvent<HealthChanged>(e => e.ChildId is null && e.Current == HealthState.Running);
    }

    [Fact]
    public async Task Reject_answers_callers_at_once_with_a_typed_unavailable_while_the_child_is_down()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Intensity = 0,
            Children = [Worker("x") with { Policies = [Policy.Isolate(), Policy.Reject()] }],
        });
        var x = await tree.Root.GetChildAsync("x");
        x.Tell(new Crash("down"));
        ExpectEvent<ChildIsolated>();
        await Settle(tree);

        var reply = await x.Ask<Unavailable>(new Echo("?"), TimeSpan.FromSeconds(10));
        Assert.Equal(new Unavailable("t", "x", HealthState.Down, "it was isolated after exceeding its supervisor's restart intensity"), reply);
        var error = await Assert.ThrowsAsync<ChildUnavailableException>(() => x.AskAsync<string>(new Echo("?")));
        Assert.Same(error.Reply.ChildId, "x");
        Assert.Equal(2, x.Rejected);

        await tree.Root.RestartChildAsync("x");
        Assert.Equal("ok", await x.AskAsync<string>(new Echo("ok")));
    }

    [Fact]
    public async Task Fallback_answers_at_the_same_address_until_the_child_is_back()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Intensity = 0,
            Children = [Worker("x") with { Policies = [Policy.Isolate(), Policy.Fallback(Props.Create(() => new StandIn()))], Criticality = Criticality.Critical }],
        });
        var x = await tree.Root.GetChildAsync("x");
        x.Tell(new Crash("down"));
        ExpectEvent<ChildIsolated>();
        await Settle(tree);

        Assert.Equal("fallback:q", await x.AskAsync<string>(new Echo("q")));
        // A child served by a stand-in is Degraded, not Down: even a Critical one leaves its supervisor Degraded.
        var health = await tree.Root.GetHealthAsync();
        Assert.Equal((HealthState.Degraded, HealthState.Degraded), (health.State, health.Children[0].State));

        await tree.Root.RestartChildAsync("x");
        Assert.Equal("q", await x.AskAsync<string>(new Echo("q")));
    }

    [Fact]
    public async Task Backoff_delays_follow_the_formula_for_the_seed_and_restart_only_when_due()
    {
        var backoff = Policy.Backoff(S, 10 * S) with { Seed = 42, Jitter = 0.5, ResetAfter = TimeSpan.FromSeconds(30) };
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Intensity = 100,
            Period = TimeSpan.FromHours(1),
            Children = [Worker("steady"), Worker("x") with { Policies = [backoff] }],
        });
        var x = await tree.Root.GetChildAsync("x");
        var random = new Random(42);

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            x.Tell(new Crash($"crash {attempt}"));
            var delayed = ExpectEvent<ChildRestartDelayed>();
            Assert.Equal((attempt, backoff.DelayFor(attempt, random.NextDouble()), 42), (delayed.Attempt, delayed.Delay, delayed.Seed));
            Assert.Equal(HealthState.Restarting, (await tree.Root.GetHealthAsync()).Children[1].State);

            Time.Advance(delayed.Delay - TimeSpan.FromTicks(1));
            await Settle(tree);
            Assert.Equal(HealthState.Restarting, (await tree.Root.GetHealthAsync()).Children[1].State);
            Time.Advance(TimeSpan.FromTicks(1));
            Assert.Equal("x", ExpectEvent<ChildRestarted>().ChildId);
        }

        // After ResetAfter without a crash, the delays start again from the first.
        Time.Advance(TimeSpan.FromSeconds(30));
        x.Tell(new Crash("after a quiet spell"));
        Assert.Equal(1, ExpectEvent<ChildRestartDelayed>().Attempt);
        Assert.Equal(0, (await tree.Root.GetHealthAsync()).Children[0].Restarts);
    }

    [Fact]
    public async Task Backoff_restarts_still_count_in_the_intensity_window()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Intensity = 1,
            Children = [Worker("x") with { Policies = [Policy.Backoff(S, S)] }],
        });
        var x = await tree.Root.GetChildAsync("x");
        x.Tell(new Crash("1"));
        ExpectEvent<ChildRestartDelayed>();
        Time.Advance(S * 1.2);
        ExpectEvent<ChildRestarted>();

        x.Tell(new Crash("2"));

        ExpectEvent<SupervisorGaveUp>();
    }

    [Fact]
    public async Task A_circuit_breaker_goes_closed_open_half_open_closed_and_back_to_open_on_a_failed_probe()
    {
        var breaker = Policy.CircuitBreaker(2, TimeSpan.FromSeconds(10), S) with { ProbeTime = 2 * S, Multiplier = 2 };
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Intensity = 100,
            Children = [Worker("steady"), Worker("x") with { Policies = [breaker, Policy.Reject()] }],
        });
        var x = await tree.Root.GetChildAsync("x");

        x.Tell(new Crash("1"));
        ExpectEvent<ChildRestarted>(e => e.ChildId == "x");
        x.Tell(new Crash("2"));
        var open = ExpectEvent<CircuitChanged>();
        Assert.Equal((CircuitState.Open, S, 1), (open.State, open.Cooldown, open.Opens));
        await Settle(tree);
        Assert.Equal("its circuit breaker is open", (await x.Ask<Unavailable>(new Echo("?"), TimeSpan.FromSeconds(10))).Reason);

        Time.Advance(S);
        Assert.Equal(CircuitState.HalfOpen, ExpectEvent<CircuitChanged>().State);
        ExpectEvent<ChildRestarted>(e => e.ChildId == "x");
        await Settle(tree);
        x.Tell(new Crash("the probe fails"));
        var reopened = ExpectEvent<CircuitChanged>();
        Assert.Equal((CircuitState.Open, 2 * S, 2), (reopened.State, reopened.Cooldown, reopened.Opens));

        Time.Advance(2 * S);
        Assert.Equal(CircuitState.HalfOpen, ExpectEvent<CircuitChanged>().State);
        await Settle(tree);
        Assert.Equal(HealthState.Degraded, (await tree.Root.GetHealthAsync()).Children[1].State);
        Time.Advance(2 * S);
        Assert.Equal(CircuitState.Closed, ExpectEvent<CircuitChanged>().State);
        Assert.Equal("served", await x.AskAsync<string>(new Echo("served")));
        var health = await tree.Root.GetHealthAsync();
        Assert.Equal((HealthState.Running, 0, CircuitState.Closed), (health.State, health.Children[0].Restarts, health.Children[1].Circuit));
    }

    [Fact]
    public async Task Quarantine_sets_aside_exactly_the_poison_message_and_the_next_ones_are_handled()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Intensity = 10,
            Children = [Worker("x") with { Policies = [Policy.Quarantine(3)] }],
        });
        var x = await tree.Root.GetChildAsync("x");
        var poison = new Crash("poison");

        x.Tell(poison, TestActor);
        x.Tell(new Echo("after"), TestActor);

        for (var i = 0; i < 3; i++)
        {
            ExpectEvent<ChildCrashed>(e => e.Cause.Message == "poison");
        }

        var quarantined = ExpectEvent<MessageQuarantined>().Entry;
        Assert.Equal(("x", poison, TestActor, "poison", 3), (quarantined.ChildId, quarantined.Message, quarantined.Sender, quarantined.Error.Message, quarantined.Crashes));
        ExpectMsg("after");
        Assert.Equal([quarantined], await tree.Root.GetQuarantinedAsync());
    }

    [Fact]
    public async Task Requeue_hands_the_crashing_message_back_first_so_order_is_kept()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Intensity = 10,
            Children = [Worker("x") with { Policies = [Policy.Requeue()] }],
        });
        var x = await tree.Root.GetChildAsync("x");
        var flaky = new Flaky("f", failures: 2);

        x.Tell(flaky);
        x.Tell("second");
        x.Tell("third");

        Assert.Same(flaky, ExpectLife<Got>().Message);
        Assert.Equal("second", ExpectLife<Got>().Message);
        Assert.Equal("third", ExpectLife<Got>().Message);
    }

    [Fact]
    public async Task A_full_buffer_drops_by_its_rule_reports_each_drop_and_replays_the_rest_in_order()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Children = [Worker("x") with { Policies = [Policy.Backoff(S, S), Policy.Buffer(3) with { Overflow = BufferOverflow.DropOldest }] }],
        });
        var x = await tree.Root.GetChildAsync("x");
        x.Tell(new Crash("down"));
        ExpectEvent<ChildRestartDelayed>();
        await Settle(tree);

        for (var i = 1; i <= 5; i++)
        {
            x.Tell(i);
        }

        Assert.Equal([1, 2], new[] { ExpectEvent<MessageDropped>(), ExpectEvent<MessageDropped>() }.Select(d => (int)d.Message));
        Assert.Equal((2, 3), (x.Dropped, x.Buffered));
        Time.Advance(S * 1.5);
        Assert.Equal([3, 4, 5], Enumerable.Range(0, 3).Select(_ => (int)ExpectLife<Got>(g => g.Message is int).Message));
    }

    [Fact]
    public async Task A_buffer_holds_only_while_the_child_is_coming_back_then_drops_and_reports_what_it_held()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Intensity = 1,
            Children = [Worker("x") with { Policies = [Policy.Isolate(), Policy.Backoff(S, S), Policy.Buffer(10)] }],
        });
        var x = await tree.Root.GetChildAsync("x");
        x.Tell(new Crash("1"));
        ExpectEvent<ChildRestartDelayed>();
        await Settle(tree);
        x.Tell("held");
        Assert.Equal(1, x.Buffered);
        Time.Advance(S * 1.5);
        Assert.Equal("held", ExpectLife<Got>().Message);

        x.Tell(new Crash("2"));
        ExpectEvent<ChildIsolated>();
        await Settle(tree);
        x.Tell("while isolated");

        Assert.Equal("it was isolated after exceeding its supervisor's restart intensity", ExpectEvent<MessageDropped>(e => Equals(e.Message, "while isolated")).Why);
        Assert.Equal(0, x.Buffered);
    }

    [Fact]
    public async Task Terminating_a_child_whose_breaker_is_open_disarms_the_breaker()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Intensity = 10,
            Children = [Worker("x") with { Restart = RestartType.Transient, Policies = [Policy.CircuitBreaker(1, TimeSpan.FromMinutes(1), S)] }],
        });
        var x = await tree.Root.GetChildAsync("x");
        x.Tell(new Crash("open"));
        ExpectEvent<CircuitChanged>(e => e.State == CircuitState.Open);

        Assert.IsType<TerminateChildResult.Terminated>(await tree.Root.TerminateChildAsync("x"));
        Time.Advance(S * 2);
        await Settle(tree);

        var health = await tree.Root.GetHealthAsync();
        Assert.Equal((HealthState.Down, CircuitState.Closed), (health.Children[0].State, health.Children[0].Circuit));
        Assert.IsType<RestartChildResult.Restarted>(await tree.Root.RestartChildAsync("x"));
        Assert.Equal("ok", await x.AskAsync<string>(new Echo("ok")));
    }

    [Fact]
    public async Task Buffer_with_backoff_loses_nothing_across_many_restarts_and_siblings_lose_nothing_either()
    {
        const int cycles = 20, perCycle = 25;
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Intensity = 1000,
            Period = TimeSpan.FromHours(1),
            Children =
            [
                Worker("steady"),
                Worker("x") with { Policies = [Policy.Backoff(S, S) with { Jitter = 0 }, Policy.Buffer(cycles * perCycle)] },
            ],
        });
        var x = await tree.Root.GetChildAsync("x");
        var steady = await tree.Root.GetChildAsync("steady");
        ExpectUps(2);
        var sent = 0;
        for (var cycle = 0; cycle < cycles; cycle++)
        {
            x.Tell(new Crash($"cycle {cycle}"));
            ExpectEvent<ChildRestartDelayed>();
            for (var i = 0; i < perCycle; i++)
            {
                x.Tell(sent);
                steady.Tell(-1 - sent);
                sent++;
            }

            Time.Advance(S);
            ExpectEvent<ChildRestarted>();
        }

        var received = Life.ReceiveN(2 * sent + (2 * cycles), TimeSpan.FromSeconds(20)).OfType<Got>().ToList();
        Assert.Equal(Enumerable.Range(0, sent), received.Where(g => g.Id == "x").Select(g => (int)g.Message));
        Assert.Equal(sent, received.Count(g => g.Id == "steady"));
        var health = await tree.Root.GetHealthAsync();
        Assert.Equal((0, cycles, 0L), (health.Children[0].Restarts, health.Children[1].Restarts, x.Dropped));
    }

    [Fact]
    public async Task A_contained_child_crashing_over_and_over_leaves_another_subtree_without_restarts_or_lost_messages()
    {
        var flaky = new SupervisorSpec
        {
            Intensity = 2,
            Children = [Worker("x") with { Policies = [Policy.CircuitBreaker(3, TimeSpan.FromMinutes(1), S), Policy.Reject()] }],
        };
        var calm = new SupervisorSpec { Children = [Worker("y")] };
        var tree = await StartTreeAsync(new SupervisorSpec { Strategy = Strategy.OneForAll, Children = [ChildSpec.ForSupervisor("flaky", flaky), ChildSpec.ForSupervisor("calm", calm)] });
        var x = await tree.GetChildAsync("flaky", "x");
        var y = await tree.GetChildAsync("calm", "y");
        ExpectUps(2);
        var sent = 0;

        for (var round = 0; round < 10; round++)
        {
            for (var crash = 0; crash < 3; crash++)
            {
                x.Tell(new Crash($"round {round}"));
                y.Tell(sent++);
            }

            ExpectEvent<CircuitChanged>(e => e.State == CircuitState.Open);
            Time.Advance(TimeSpan.FromMinutes(1));
            ExpectEvent<CircuitChanged>(e => e.State == CircuitState.HalfOpen);
            await tree.GetSupervisorAsync("flaky").ContinueWith(t => t.Result.GetHealthAsync()).Unwrap();
            Time.Advance(S);
            ExpectEvent<CircuitChanged>(e => e.State == CircuitState.Closed);
        }

        var got = Enumerable.Range(0, sent).Select(_ => (int)ExpectLife<Got>(g => g.Id == "y").Message);
        Assert.Equal(Enumerable.Range(0, sent), got);
        var health = await tree.GetHealthAsync();
        Assert.Equal((HealthState.Running, 0, 0), (health.State, health.Children[0].Restarts, health.Children[1].Restarts));
        // Per round: two restarts, then the breaker opens instead of a third, then one probe restart.
        Assert.Equal((0, 30), (health.Children[1].Subtree!.Children[0].Restarts, health.Children[0].Subtree!.Children[0].Restarts));
    }

    [Fact]
    public async Task A_dynamic_child_that_exceeds_the_intensity_is_isolated_and_removed_and_its_address_rejects()
    {
        var template = new ChildTemplate(args => TestWorker.Props((string)args!, Life.Ref)) { Policies = [Policy.Isolate(), Policy.Reject()] };
        var tree = await StartTreeAsync(new DynamicSupervisorSpec(template) { Intensity = 0 });
        var bad = Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync((object)"bad"));
        var good = Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync((object)"good"));
        var address = await tree.Root.GetChildAsync(bad.Id);

        address.Tell(new Crash("too often"));

        Assert.Equal(bad.Id, ExpectEvent<ChildIsolated>().ChildId);
        var counts = await tree.Root.CountChildrenAsync();
        Assert.Equal((1, 1), (counts.Specs, counts.Active));
        Assert.Equal("it is no longer a child of its supervisor", (await address.Ask<Unavailable>(new Echo("?"), TimeSpan.FromSeconds(10))).Reason);
        Assert.Equal("fine", await (await tree.Root.GetChildAsync(good.Id)).AskAsync<string>(new Echo("fine")));
        Assert.Equal(HealthState.Running, (await tree.Root.GetHealthAsync()).State);
    }

    [Fact]
    public async Task Quarantine_counts_crashes_in_a_row_across_backoff_delays_longer_than_the_period()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Intensity = 10,
            Period = TimeSpan.FromSeconds(5),
            Children = [Worker("x") with { Policies = [Policy.Backoff(TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(30)) with { Jitter = 0 }, Policy.Quarantine(3)] }],
        });
        var x = await tree.Root.GetChildAsync("x");
        x.Tell(new Crash("poison"));

        for (var i = 0; i < 2; i++)
        {
            ExpectEvent<ChildRestartDelayed>();
            Time.Advance(TimeSpan.FromSeconds(30));
            ExpectEvent<ChildRestarted>();
        }

        Assert.Equal(3, ExpectEvent<MessageQuarantined>().Entry.Crashes);
    }
}
