using Akka.Actor;
using Supervise.Chaos;
using Xunit;

namespace Supervise.Tests.Chaos;

/// <summary>
/// The injector's choice of a target, with no ActorSystem: what the options allow, by how much, and a draw that checks
/// only the target it drew yet picks from the same distribution as filtering every target first.
/// </summary>
public sealed class TargetChooserTests
{
    private const int Seed = 20261206;

    [Fact]
    public void Only_targets_the_options_allow_and_eligible_now_are_picked()
    {
        var chooser = new TargetChooser(new FaultTargets { Exclude = ["t/s/x*"] }, Seed);
        var targets = Targets(100).Append(Target("x1")).Append(Target("x2")).Append(Target("stopped", running: false)).ToList();
        var busy = new HashSet<string>(targets.Take(90).Select(t => t.Path), StringComparer.Ordinal);

        for (var i = 0; i < 2_000; i++)
        {
            var picked = chooser.PickTarget(targets, t => !busy.Contains(t.Path));
            Assert.NotNull(picked);
            Assert.DoesNotContain(picked!.Path, busy);
            Assert.StartsWith("t/s/c", picked.Path, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void With_nothing_eligible_it_picks_nothing()
    {
        var chooser = new TargetChooser(new FaultTargets(), Seed);

        Assert.Null(chooser.PickTarget(Targets(50), _ => false));
        Assert.Null(chooser.PickTarget([], _ => true));
        Assert.Null(chooser.PickTarget([Target("gone", running: false)], _ => true));
    }

    [Fact]
    public void When_one_target_in_a_thousand_is_eligible_it_is_still_found()
    {
        // Sixteen draws miss it almost surely: the fallback filters every candidate.
        var chooser = new TargetChooser(new FaultTargets(), Seed);
        var targets = Targets(1_000);

        var picked = chooser.PickTarget(targets, t => t.Path == "t/s/c777");

        Assert.Equal("t/s/c777", picked?.Path);
    }

    [Fact]
    public void Picks_follow_the_rates_among_the_eligible_as_filtering_first_would()
    {
        // Rates 3:1 between two groups, and a third of each group busy: the eligible ones must still be hit 3:1.
        var chooser = new TargetChooser(new FaultTargets { Rates = [new("t/s/hot*", 3), new("**", 1)] }, Seed);
        var targets = Enumerable.Range(0, 30).Select(i => Target("hot" + i)).Concat(Enumerable.Range(0, 30).Select(i => Target("cold" + i))).ToList();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal) { ["hot"] = 0, ["cold"] = 0 };

        for (var i = 0; i < 40_000; i++)
        {
            var picked = chooser.PickTarget(targets, t => !t.Path.EndsWith('0') && !t.Path.EndsWith('1') && !t.Path.EndsWith('2'))!;
            counts[picked.ChildId.StartsWith("hot", StringComparison.Ordinal) ? "hot" : "cold"]++;
        }

        var ratio = counts["hot"] / (double)counts["cold"];
        Assert.True(ratio is > 2.8 and < 3.2, $"hot:cold = {ratio:F2} (seed {Seed}), expected about 3");
    }

    [Fact]
    public void The_same_seed_and_candidates_pick_the_same_targets()
    {
        var targets = Targets(500);
        var first = new TargetChooser(new FaultTargets(), Seed);
        var second = new TargetChooser(new FaultTargets(), Seed);

        var a = Enumerable.Range(0, 200).Select(_ => first.PickTarget(targets, t => t.ChildId != "c3")!.Path).ToList();
        var b = Enumerable.Range(0, 200).Select(_ => second.PickTarget(targets, t => t.ChildId != "c3")!.Path).ToList();

        Assert.Equal(a, b);
        Assert.True(a.Distinct().Count() > 100, "the draws spread over the targets");
    }

    [Fact]
    public void A_path_seen_again_with_other_tags_is_judged_again()
    {
        var chooser = new TargetChooser(new FaultTargets { Tags = ["flaky"] }, Seed);

        Assert.False(chooser.Allows(Target("a", tags: ["stable"])));
        Assert.True(chooser.Allows(Target("a", tags: ["flaky"]))); // the same id, started again from another spec
    }

    private static List<FaultTarget> Targets(int count) => [.. Enumerable.Range(0, count).Select(i => Target("c" + i))];

    private static FaultTarget Target(string id, bool running = true, IReadOnlyList<string>? tags = null) =>
        new("t/s", ActorRefs.Nobody, id, ChildKind.Worker, tags ?? [], running ? ActorRefs.Nobody : null, Strategy.OneForOne, []);
}
