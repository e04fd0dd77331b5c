using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Upgrades;

/// <summary>
/// A dynamic supervisor upgraded to a template of another version: its running children replaced one by one from the new
/// template, each with its own arguments at its own id and address, canary first, and rolled back when the new one fails.
/// </summary>
public sealed class DynamicUpgradeTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    /// <summary>A template whose children say their version and arguments in their id ("2:b").</summary>
    private ChildTemplate Template(string version, WorkerScript? script = null) =>
        new(args => TestWorker.Props($"{version}:{args}", Life.Ref, script)) { Version = version };

    private async Task<(SupervisionTree Tree, DynamicSupervisorSpec Spec, Dictionary<string, IActorRef> Refs)> StartAsync()
    {
        var spec = new DynamicSupervisorSpec(Template("1"));
        var tree = await StartTreeAsync(spec);
        var refs = new Dictionary<string, IActorRef>(StringComparer.Ordinal);
        foreach (var args in new[] { "a", "b", "c" })
        {
            var started = Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync((object)args));
            refs[started.Id] = started.Child;
        }

        return (tree, spec, refs);
    }

    [Fact]
    public async Task A_new_template_version_replaces_the_running_children_one_by_one_with_their_own_arguments()
    {
        var (tree, spec, before) = await StartAsync();
        var address = await tree.Root.GetChildAsync(before.Keys.First());
        var next = spec with { Template = Template("2") };

        var plan = await tree.Root.PlanUpgradeAsync(next);
        Assert.Equal(["replace 1: 1 → 2", "replace 2: 1 → 2", "replace 3: 1 → 2"], plan.Steps.Select(s => s.Describe()));
        var result = await tree.Root.UpgradeAsync(next, new UpgradeOptions { WatchWindow = TimeSpan.Zero });

        Assert.IsType<UpgradeResult.Completed>(result);
        var after = (await tree.Root.WhichChildrenAsync()).ToDictionary(c => c.Id, c => c.Child);
        Assert.Equal(before.Keys.ToList(), after.Keys.ToList()); // the same ids
        Assert.All(before, b => Assert.NotEqual(b.Value, after[b.Key])); // each a new incarnation
        Assert.Equal(["2:a", "2:b", "2:c"], ReceivedSoFar(Life).OfType<Up>().Select(u => u.Id).Where(id => id.StartsWith("2:", StringComparison.Ordinal)));
        Assert.Equal(["1 replaced from template version 2", "2 replaced from template version 2", "3 replaced from template version 2"], ReceivedSoFar(Events).OfType<ChildUpgraded>().Select(e => $"{e.ChildId} {e.Change}"));
        address.Tell("to the first, after");
        Assert.Equal(new Got("2:a", "to the first, after"), ExpectLife<Got>()); // its address reaches the new incarnation
        Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync((object)"d"));
        Assert.Equal("2:d", ExpectLife<Up>().Id); // and the new template starts the children from now on
        await tree.StopAsync();
    }

    [Fact]
    public async Task A_canary_whose_new_template_fails_to_start_is_restored_from_the_old_one_and_no_other_child_is_touched()
    {
        var (tree, spec, before) = await StartAsync();
        var broken = new WorkerScript { FailPreStart = _ => true };

        var result = await tree.Root.UpgradeAsync(spec with { Template = Template("2", broken) }, new UpgradeOptions { WatchWindow = TimeSpan.Zero });

        var rolledBack = Assert.IsType<UpgradeResult.RolledBack>(result);
        Assert.Equal(["1"], rolledBack.Restored);
        var after = (await tree.Root.WhichChildrenAsync()).ToDictionary(c => c.Id, c => c.Child);
        Assert.Equal(before.Keys.ToList(), after.Keys.ToList());
        Assert.Equal((before["2"], before["3"]), (after["2"], after["3"])); // untouched
        Assert.Contains("1:a", ReceivedSoFar(Life).OfType<Up>().Select(u => u.Id).Skip(3)); // restored from the old template
        Assert.IsType<StartChildResult.Started>(await tree.Root.StartChildAsync((object)"d"));
        Assert.Equal("1:d", ExpectLife<Up>(u => u.Id.EndsWith(":d", StringComparison.Ordinal)).Id); // the old template stays in force
        await tree.StopAsync();
    }

    [Fact]
    public async Task A_new_template_of_the_same_version_applies_only_to_the_children_started_from_then_on()
    {
        var (tree, spec, before) = await StartAsync();

        var result = await tree.Root.UpgradeAsync(spec with { Template = Template("1") with { Tags = ["new"] } }, new UpgradeOptions { WatchWindow = TimeSpan.Zero });

        var completed = Assert.IsType<UpgradeResult.Completed>(result);
        Assert.Empty(completed.Plan.Steps);
        Assert.Equal(before, (await tree.Root.WhichChildrenAsync()).ToDictionary(c => c.Id, c => c.Child!));
        await tree.StopAsync();
    }
}
