using Supervise.Supervision;
using Xunit;

namespace Supervise.Tests.Supervision;

/// <summary>Which children a restart touches (OTP's <c>restart/3</c> per strategy), plus Supervise's contained siblings.</summary>
public sealed class GroupRestartPlanTests
{
    private const RestartType P = RestartType.Permanent;
    private const RestartType T = RestartType.Temporary;

    public static TheoryData<Strategy, int, string, int[], int[]> Plans() => new()
    {
        // children as a string: P permanent, T temporary, C contained (permanent, isolated or breaker open)
        { Strategy.OneForOne, 1, "PPPP", [1], [] },
        { Strategy.OneForAll, 1, "PPPP", [0, 1, 2, 3], [] },
        { Strategy.RestForOne, 1, "PPPP", [1, 2, 3], [] },
        { Strategy.RestForOne, 3, "PPPP", [3], [] },
        { Strategy.RestForOne, 0, "PPPP", [0, 1, 2, 3], [] },
        // Temporary siblings in the radius are stopped and removed, never restarted (OTP: temporary children are not restarted).
        { Strategy.OneForAll, 0, "PTPT", [0, 2], [1, 3] },
        { Strategy.RestForOne, 2, "TPPT", [2], [3] },
        { Strategy.OneForOne, 0, "PT", [0], [] },
        // Contained siblings stay down whatever their siblings do; the failed child is always restarted.
        { Strategy.OneForAll, 1, "CPC", [1], [] },
        { Strategy.RestForOne, 0, "PCP", [0, 2], [] },
    };

    [Theory]
    [MemberData(nameof(Plans))]
    public void A_restart_touches_the_blast_radius_less_contained_siblings(Strategy strategy, int failed, string children, int[] restart, int[] remove)
    {
        var siblings = children.Select(c => new SiblingFacts(c == 'T' ? T : P, c == 'C')).ToList();

        var plan = GroupRestartPlan.Plan(strategy, failed, siblings);

        Assert.Equal(restart, plan.Restart);
        Assert.Equal(remove, plan.Remove);
    }
}
