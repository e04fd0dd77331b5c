using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Runtime;

/// <summary>
/// OTP supervisor_SUITE "normal_termination", "shutdown_termination" and "abnormal_termination" groups:
/// each way of exiting crossed with Permanent, Transient and Temporary.
/// </summary>
public sealed class RestartTypeTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    public static TheoryData<string, RestartType, bool> Cases() => new()
    {
        { "normal", RestartType.Permanent, true },
        { "normal", RestartType.Transient, false },
        { "normal", RestartType.Temporary, false },
        { "shutdown", RestartType.Permanent, true },
        { "shutdown", RestartType.Transient, false },
        { "shutdown", RestartType.Temporary, false },
        { "crash", RestartType.Permanent, true },
        { "crash", RestartType.Transient, true },
        { "crash", RestartType.Temporary, false },
        { "failure", RestartType.Permanent, true },
        { "failure", RestartType.Transient, true },
        { "failure", RestartType.Temporary, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task An_exit_restarts_the_child_only_when_its_restart_type_says_so(string exit, RestartType restart, bool restarted)
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w") with { Restart = restart }, Worker("sibling")] });
        var first = ExpectLife<Up>(u => u.Id == "w");
        ExpectLife<Up>(u => u.Id == "sibling");

        first.Ref.Tell(exit switch
        {
            "normal" => new StopSelf(),
            "shutdown" => new ExitWith(ExitReason.ShutdownWith("done")),
            "crash" => new Crash("boom"),
            _ => new ExitWith(ExitReason.Failure("lost connection")),
        });

        ExpectLife<Down>(d => d.Id == "w");
        var children = await AwaitChildrenAsync(tree, restarted, restart);
        var w = children.SingleOrDefault(c => c.Id == "w");
        if (restarted)
        {
            var again = ExpectLife<Up>(u => u.Id == "w");
            Assert.Equal(2, again.Incarnation);
            Assert.Equal(ChildStatus.Running, w!.Status);
            ExpectEvent<ChildRestarted>(e => e.ChildId == "w" && e.RestartsInWindow == 1);
        }
        else if (restart == RestartType.Temporary)
        {
            Assert.Null(w);
        }
        else
        {
            Assert.Equal(ChildStatus.NotRunning, w!.Status);
        }

        // The sibling was never touched.
        Assert.True(await tree.WhenSettledAsync());
        Assert.DoesNotContain(ReceivedSoFar(Life), m => m is Up { Id: "sibling" } or Down { Id: "sibling" } or Got { Id: "sibling" });
        Assert.Equal(ChildStatus.Running, children.Single(c => c.Id == "sibling").Status);
    }

    [Fact]
    public async Task A_crash_restarts_in_place_keeping_the_reference()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] });
        var before = ExpectLife<Up>().Ref;

        before.Tell(new Crash("boom"));

        ExpectLife<Up>(u => u.Incarnation == 2);
        Assert.Equal(before, await ChildRef(tree.Root, "w"));
    }

    [Fact]
    public async Task A_normal_stop_of_a_permanent_child_starts_a_new_incarnation_under_the_same_name()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("w")] });
        var before = ExpectLife<Up>().Ref;

        before.Tell(new StopSelf());

        var after = ExpectLife<Up>(u => u.Incarnation == 2).Ref;
        Assert.NotEqual(before, after);
        Assert.Equal(before.Path.ToStringWithoutAddress(), after.Path.ToStringWithoutAddress());
        ExpectEvent<ChildTerminated>(e => e.ChildId == "w" && e.Reason == ExitReason.Normal);
    }

    private async Task<IReadOnlyList<ChildInfo>> AwaitChildrenAsync(SupervisionTree tree, bool restarted, RestartType restart)
    {
        IReadOnlyList<ChildInfo> children = [];
        await AwaitAssertAsync(async () =>
        {
            children = await tree.Root.WhichChildrenAsync();
            var w = children.SingleOrDefault(c => c.Id == "w");
            if (restarted)
            {
                Assert.Equal(ChildStatus.Running, w?.Status);
            }
            else if (restart == RestartType.Temporary)
            {
                Assert.Null(w);
            }
            else
            {
                Assert.Equal(ChildStatus.NotRunning, w?.Status);
            }
        });
        return children;
    }
}
