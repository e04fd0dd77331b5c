using System.Text.RegularExpressions;
using Supervise.Samples.Common;
using Xunit;

namespace Supervise.Samples.Tests;

/// <summary>
/// The report's lanes: a supervisor's many short-lived children drawn as one lane with counts by health, and a stopped
/// child's lane ending where it stopped (issue 13).
/// </summary>
public sealed class ReportLanesTests
{
    private static Moment At(double seconds, MomentKind kind, string path, HealthState? health = null) =>
        new(TimeSpan.FromSeconds(seconds), kind, path, kind.ToString(), health);

    [Fact]
    public void A_supervisors_many_children_are_one_lane_that_says_how_many_and_what_happened_to_them()
    {
        var moments = new List<Moment> { At(0.5, MomentKind.Health, "switch", HealthState.Running), At(0.5, MomentKind.Crash, "switch/billing") };
        for (var call = 1; call <= 12; call++)
        {
            moments.Add(At(call * 0.1, MomentKind.Fault, $"switch/calls/{call}"));
            moments.Add(At(call * 0.1, MomentKind.Crash, $"switch/calls/{call}"));
        }

        moments.Add(At(2, MomentKind.Stopped, "switch/calls/13")); // ended quietly: nothing of its own to draw

        var (lanes, cut) = ReportLanes.Of(moments);

        Assert.Equal(0, cut);
        Assert.Equal(["switch", "switch/billing", "switch/calls/*"], lanes.Select(l => l.Label));
        var calls = lanes[2];
        Assert.Equal(12, calls.Paths.Count);
        Assert.Equal("12 children drawn as one lane: 12 faults, 12 crashes, 0 restarts, 0 ever Down", calls.Summary);
        // Drawn: the group's label with its count, and every child's marks on its one lane.
        var html = ReportWriter.ToHtml(new SampleReport("telecom", 1, TimeSpan.FromSeconds(3), true, "holds", [], [], new LoadSample(0, 0, 0, 0, 0, 0), 0, null, moments));
        var lane = Regex.Match(html, "<g class=\"lane\" data-path=\"switch/calls/\\*\">(.*?)</g>").Groups[1].Value;
        Assert.Contains("switch/calls/* (12)", lane, StringComparison.Ordinal);
        Assert.Equal(12, Regex.Count(lane, "Crash: switch/calls/\\d+"));
    }

    [Fact]
    public void A_few_children_keep_a_lane_each()
    {
        var moments = Enumerable.Range(1, ReportLanes.GroupAbove).Select(i => At(i, MomentKind.Crash, $"shop/w{i}")).ToList();

        Assert.All(ReportLanes.Of(moments).Lanes, l => Assert.False(l.IsGroup));
    }

    [Fact]
    public void A_stopped_childs_lane_ends_where_it_stopped_and_goes_on_when_it_is_started_again()
    {
        var moments = new[]
        {
            At(1, MomentKind.Health, "shop/pay", HealthState.Down),
            At(2, MomentKind.Stopped, "shop/pay"),
            At(4, MomentKind.Started, "shop/pay"),
        };

        Assert.Equal(
            [new Band(TimeSpan.Zero, TimeSpan.FromSeconds(1), HealthState.Running), new Band(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), HealthState.Down), new Band(TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5), HealthState.Running)],
            ReportLanes.Bands(moments, TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void A_groups_counts_say_how_many_children_were_not_Running_in_each_slice()
    {
        IEnumerable<Moment>[] children =
        [
            [At(1, MomentKind.Health, "s/a", HealthState.Restarting), At(1.5, MomentKind.Health, "s/a", HealthState.Running)],
            [At(1.2, MomentKind.Health, "s/b", HealthState.Down), At(3.5, MomentKind.Stopped, "s/b")],
            [At(0.2, MomentKind.Crash, "s/c")],
        ];

        var slices = ReportLanes.Slices(children, TimeSpan.Zero, TimeSpan.FromSeconds(4), 4);

        Assert.Equal([(0, 0), (1, 1), (0, 1), (0, 1)], slices.Select(s => (s.Restarting, s.Down)));
        Assert.All(slices, s => Assert.Equal(0, s.Degraded));
    }

    [Fact]
    public void A_child_that_flaps_within_a_slice_is_counted_once_there_and_a_band_ending_on_a_slices_start_is_not_in_it()
    {
        IEnumerable<Moment>[] children =
        [
            [
                At(0.1, MomentKind.Health, "s/a", HealthState.Restarting), At(0.2, MomentKind.Health, "s/a", HealthState.Running),
                At(0.3, MomentKind.Health, "s/a", HealthState.Restarting), At(1.0, MomentKind.Health, "s/a", HealthState.Running),
            ],
        ];

        var slices = ReportLanes.Slices(children, TimeSpan.Zero, TimeSpan.FromSeconds(2), 2);

        Assert.Equal([1, 0], slices.Select(s => s.Restarting));
    }
}
