using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Runtime;

/// <summary>OTP supervisor_SUITE "auto_shutdown" group: significant children and auto-shutdown modes.</summary>
public sealed class SignificantTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    [Theory]
    [InlineData(RestartType.Transient)]
    [InlineData(RestartType.Temporary)]
    public async Task AnySignificant_shuts_down_when_one_significant_child_exits(RestartType restart)
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            AutoShutdown = AutoShutdown.AnySignificant,
            Children = [Worker("a"), Worker("s1") with { Restart = restart, Significant = true }, Worker("s2") with { Restart = restart, Significant = true }],
        });
        var ups = Enumerable.Range(0, 3).Select(_ => ExpectLife<Up>()).ToDictionary(u => u.Id, u => u.Ref);

        ups["s1"].Tell(new StopSelf());

        var outcome = await tree.Completion;
        Assert.Equal(TreeStopReason.AutoShutdown, outcome.Reason);
        Assert.Equal("s1", ExpectEvent<SupervisorAutoShutdown>().ChildId);
        Assert.Equal(["s1", "s2", "a"], ExpectDowns(3));
    }

    [Fact]
    public async Task AllSignificant_waits_for_every_significant_child()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            AutoShutdown = AutoShutdown.AllSignificant,
            Children = [Worker("a"), Worker("s1") with { Restart = RestartType.Temporary, Significant = true }, Worker("s2") with { Restart = RestartType.Transient, Significant = true }],
        });
        var ups = Enumerable.Range(0, 3).Select(_ => ExpectLife<Up>()).ToDictionary(u => u.Id, u => u.Ref);

        ups["s1"].Tell(new StopSelf());
        ExpectEvent<ChildTerminated>(e => e.ChildId == "s1");
        Assert.Equal(2, (await tree.Root.CountChildrenAsync()).Specs);

        ups["s2"].Tell(new ExitWith(ExitReason.Shutdown));

        Assert.Equal(TreeStopReason.AutoShutdown, (await tree.Completion).Reason);
    }

    [Fact]
    public async Task A_significant_child_that_is_restarted_does_not_shut_its_supervisor_down()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            AutoShutdown = AutoShutdown.AnySignificant,
            Children = [Worker("s") with { Restart = RestartType.Transient, Significant = true }],
        });

        ExpectLife<Up>().Ref.Tell(new Crash("boom"));

        ExpectEvent<ChildRestarted>();
        Assert.Equal(1, (await tree.Root.CountChildrenAsync()).Active);
        Assert.False(tree.Completion.IsCompleted);
    }

    [Fact]
    public async Task Terminating_a_significant_child_through_the_api_does_not_shut_its_supervisor_down()
    {
        var tree = await StartTreeAsync(new SupervisorSpec
        {
            AutoShutdown = AutoShutdown.AnySignificant,
            Children = [Worker("s") with { Restart = RestartType.Transient, Significant = true }],
        });
        ExpectLife<Up>();

        Assert.IsType<TerminateChildResult.Terminated>(await tree.Root.TerminateChildAsync("s"));

        Assert.Equal(0, (await tree.Root.CountChildrenAsync()).Active);
        Assert.False(tree.Completion.IsCompleted);
    }

    [Theory]
    [InlineData(RestartType.Transient, false)]
    [InlineData(RestartType.Permanent, true)]
    public async Task A_nested_supervisor_that_auto_shuts_down_exits_with_reason_shutdown(RestartType restart, bool restarted)
    {
        var inner = new SupervisorSpec
        {
            AutoShutdown = AutoShutdown.AnySignificant,
            Children = [Worker("job") with { Restart = RestartType.Transient, Significant = true }],
        };
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a"), ChildSpec.ForSupervisor("inner", inner) with { Restart = restart }] });
        ExpectLife<Up>(u => u.Id == "job").Ref.Tell(new StopSelf());

        var terminated = ExpectEvent<ChildTerminated>(e => e.ChildId == "inner");

        Assert.Equal(ExitReason.Shutdown, terminated.Reason);
        await AwaitAssertAsync(async () =>
        {
            var inner = (await tree.Root.WhichChildrenAsync()).Single(c => c.Id == "inner");
            Assert.Equal(restarted ? ChildStatus.Running : ChildStatus.NotRunning, inner.Status);
        });
        Assert.False(tree.Completion.IsCompleted);
    }
}
