using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Upgrades;

/// <summary>The dry run of an upgrade on a running supervisor: the plan from the children it runs now, and nothing changed.</summary>
public sealed class PlanUpgradeTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    [Fact]
    public async Task A_dry_run_plans_from_the_running_children_and_changes_nothing()
    {
        var spec = new SupervisorSpec { Children = [Worker("a") with { Version = "1" }, Worker("b")] };
        var tree = await StartTreeAsync(spec);
        await tree.Root.StartChildAsync(Worker("extra")); // added at run time: the running spec has it
        var before = await tree.Root.WhichChildrenAsync();

        var plan = await tree.Root.PlanUpgradeAsync(spec with { Children = [Worker("a") with { Version = "2" }, Worker("b"), Worker("c")] });

        Assert.Equal(["stop and delete extra", "replace a: 1 → 2", "start c at position 2"], plan.Steps.Select(s => s.Describe()));
        Assert.Equal(["b"], plan.Kept);
        Assert.Equal(before.Select(c => (c.Id, c.Child)), (await tree.Root.WhichChildrenAsync()).Select(c => (c.Id, c.Child)));
    }

    [Fact]
    public async Task A_dry_run_of_an_invalid_spec_answers_the_refusal_with_its_problems()
    {
        var tree = await StartTreeAsync(new SupervisorSpec { Children = [Worker("a")] });

        var plan = await tree.Root.PlanUpgradeAsync(new SupervisorSpec { Children = [Worker("a"), Worker("a")] });

        Assert.True(plan.IsRefused);
        Assert.Equal(("t", "Children[1].Id"), (plan.Problems[0].Path, plan.Problems[0].Field));
    }
}
