using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Degradation;

/// <summary>Stable child addresses: one per child, reaching every incarnation, with Tell and Ask.</summary>
public sealed class AddressTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    [Fact]
    public async Task An_address_reaches_the_child_after_restarts_in_place_and_after_it_is_made_anew()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Intensity = 10, Children = [Worker("a")] });
        var address = await tree.Root.GetChildAsync("a");
        Assert.Same(address, await tree.GetChildAsync("a"));
        Assert.Equal("hello", await address.Ask<string>(new Echo("hello"), TimeSpan.FromSeconds(10)));

        address.Tell(new Crash("in place"));
        ExpectEvent<ChildRestarted>();
        Assert.Equal("again", await address.AskAsync<string>(new Echo("again")));

        var first = address.Current;
        address.Tell(new StopSelf()); // a Permanent child that stops is made anew: a new incarnation
        ExpectEvent<ChildRestarted>();
        await tree.Root.GetHealthAsync();
        Assert.NotNull(address.Current);
        Assert.NotEqual(first, address.Current);
        Assert.Equal("new", await address.AskAsync<string>(new Echo("new")));
    }

    [Fact]
    public async Task An_unknown_child_is_a_clear_error_naming_the_children_there_are()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a"), Worker("b")] });

        var error = await Assert.ThrowsAsync<KeyNotFoundException>(() => tree.Root.GetChildAsync("zz"));

        Assert.Equal("Supervisor 't' has no child 'zz'; its children are a, b.", error.Message);
    }

    [Fact]
    public async Task By_default_a_message_to_a_child_that_is_down_is_dropped_and_reported()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("t") with { Restart = RestartType.Transient }] });
        var address = await tree.Root.GetChildAsync("t");
        address.Tell(new StopSelf());
        ExpectEvent<ChildTerminated>();
        await tree.Root.GetHealthAsync();

        address.Tell("lost?");

        var dropped = ExpectEvent<MessageDropped>();
        Assert.Equal(("t", "lost?", "it is not running"), (dropped.ChildId, dropped.Message, dropped.Why));
        Assert.Equal(1, address.Dropped);
        Assert.Equal(1, (await tree.Root.GetHealthAsync()).Children.Single().Dropped);
    }

    [Fact]
    public async Task An_address_outlives_a_restart_of_its_supervisor()
    {
        var inner = new SupervisorSpec { Intensity = 0, Children = [Worker("w")] };
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [ChildSpec.ForSupervisor("inner", inner)] });
        var address = await tree.GetChildAsync("inner", "w");

        address.Tell(new Crash("inner gives up"));
        ExpectEvent<SupervisorGaveUp>(e => e.SupervisorPath == "t/inner");
        ExpectEvent<ChildRestarted>(e => e.SupervisorPath == "t" && e.ChildId == "inner");
        ExpectEvent<SupervisorStarted>(e => e.SupervisorPath == "t/inner");

        await AwaitAssertAsync(async () => Assert.Equal("back", await address.AskAsync<string>(new Echo("back"), TimeSpan.FromSeconds(1))));
        Assert.Same(address, await tree.GetChildAsync("inner", "w"));
    }

    [Fact]
    public async Task When_the_tree_stops_its_addresses_report_what_they_are_sent()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a")] });
        var address = await tree.Root.GetChildAsync("a");
        await tree.StopAsync();

        address.Tell("late");

        Assert.Equal("the tree stopped", ExpectEvent<MessageDropped>(e => Equals(e.Message, "late")).Why);
    }

    [Fact]
    public async Task Under_Buffer_an_address_parked_by_a_group_restart_holds_while_its_child_is_being_stopped()
    {
        // A nested supervisor stopping its children for its parent's group restart parks their addresses: a buffered child's
        // address keeps holding while the child is being stopped, and hands what it held to the next incarnation.
        var inner = new SupervisorSpec { Children = [Worker("w") with { Shutdown = Supervise.Shutdown.Timeout(TimeSpan.FromSeconds(30)), Policies = [Policy.Buffer(10)] }] };
        var tree = await StartTreeAsync(new SupervisorSpec { Strategy = Strategy.OneForAll, Children = [Worker("a"), ChildSpec.ForSupervisor("b", inner)] });
        var w = await tree.GetChildAsync("b", "w");
        using var gate = new ManualResetEventSlim();
        w.Tell(new Block(gate));
        ExpectLife<Blocked>();

        (await tree.Root.GetChildAsync("a")).Tell(new Crash("the group restarts"));
        ExpectEvent<ChildStopRequested>(e => e.SupervisorPath == "t/b" && e.ChildId == "w");
        w.Tell("held while w is stopped");
        gate.Set();

        Assert.Equal("held while w is stopped", ExpectLife<Got>(g => g.Message is string).Message);
        Assert.DoesNotContain(ReceivedSoFar(Events), e => e is MessageDropped);
    }

    [Fact]
    public async Task An_address_two_levels_down_outlives_a_restart_higher_up()
    {
        var leaf = new SupervisorSpec { Children = [Worker("w")] };
        var middle = new SupervisorSpec { Intensity = 0, Children = [Worker("crashy"), ChildSpec.ForSupervisor("m", leaf)] };
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [ChildSpec.ForSupervisor("a", middle)] });
        var w = await tree.GetChildAsync("a", "m", "w");

        (await tree.GetChildAsync("a", "crashy")).Tell(new Crash("a gives up"));
        ExpectEvent<SupervisorGaveUp>(e => e.SupervisorPath == "t/a");
        ExpectEvent<SupervisorStarted>(e => e.SupervisorPath == "t/a");

        await AwaitAssertAsync(async () => Assert.Equal("deep", await w.AskAsync<string>(new Echo("deep"), TimeSpan.FromSeconds(1))));
        Assert.Same(w, await tree.GetChildAsync("a", "m", "w"));
    }

    [Fact]
    public async Task The_address_of_a_child_added_at_runtime_is_released_when_its_supervisor_restarts_without_it()
    {
        var inner = new SupervisorSpec { Intensity = 0, Children = [Worker("fixed")] };
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [ChildSpec.ForSupervisor("inner", inner)] });
        var handle = await tree.GetSupervisorAsync("inner");
        await handle.StartChildAsync(Worker("added") with { Policies = [Policy.Buffer(10)] });
        var added = await handle.GetChildAsync("added");

        added.Tell(new Crash("inner gives up"));
        ExpectEvent<SupervisorGaveUp>(e => e.SupervisorPath == "t/inner");
        ExpectEvent<SupervisorStarted>(e => e.SupervisorPath == "t/inner");
        added.Tell("after");

        Assert.Equal("it is no longer a child of its supervisor", ExpectEvent<MessageDropped>(e => Equals(e.Message, "after")).Why);
        await Assert.ThrowsAsync<KeyNotFoundException>(async () => await (await tree.GetSupervisorAsync("inner")).GetChildAsync("added"));
    }

    [Fact]
    public async Task Under_Reject_the_address_of_a_stopped_tree_rejects_instead_of_dropping()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a") with { Policies = [Policy.Reject()] }] });
        var address = await tree.Root.GetChildAsync("a");
        await tree.StopAsync();

        var reply = await address.Ask<Unavailable>(new Echo("late"), TimeSpan.FromSeconds(10));

        Assert.Equal((HealthState.Down, "the tree stopped"), (reply.State, reply.Reason));
    }

    [Fact]
    public async Task Below_a_supervisor_that_is_down_addresses_drop_and_report_what_they_held()
    {
        var inner = new SupervisorSpec
        {
            Intensity = 0,
            Children = [Worker("w") with { Policies = [Policy.Backoff(TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1)), Policy.Buffer(10)] }, Worker("z")],
        };
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            Intensity = 0,
            Children = [ChildSpec.ForSupervisor("inner", inner) with { Policies = [Policy.Isolate()] }],
        });
        var w = await tree.GetChildAsync("inner", "w");
        var z = await tree.GetChildAsync("inner", "z");
        w.Tell(new Crash("inner gives up, and the root isolates it"));
        ExpectEvent<ChildIsolated>(e => e.ChildId == "inner");
        await tree.Root.GetHealthAsync();

        w.Tell("to w");
        z.Tell("to z");

        Assert.Equal("a supervisor above it is down", ExpectEvent<MessageDropped>(e => Equals(e.Message, "to w")).Why);
        Assert.Equal("a supervisor above it is down", ExpectEvent<MessageDropped>(e => Equals(e.Message, "to z")).Why);
    }
}
