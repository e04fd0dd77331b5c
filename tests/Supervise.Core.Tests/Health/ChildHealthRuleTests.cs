using Xunit;
using H = Supervise.HealthState;

namespace Supervise.Tests.Health;

/// <summary>A child's health from its lifecycle, as a table.</summary>
public sealed class ChildHealthRuleTests
{
    [Theory]
    //          restarting running standIn probation supervisor reported      expected
    [InlineData(false, true, false, false, false, H.Running, H.Running)]
    [InlineData(true, true, false, false, false, H.Running, H.Restarting)]
    [InlineData(true, false, true, false, false, H.Running, H.Restarting)]
    [InlineData(false, false, false, false, false, H.Running, H.Down)]
    [InlineData(false, false, true, false, false, H.Running, H.Degraded)]
    [InlineData(false, true, false, true, false, H.Running, H.Degraded)]
    [InlineData(false, true, false, false, true, H.Down, H.Down)]
    [InlineData(false, true, false, false, true, H.Degraded, H.Degraded)]
    [InlineData(false, false, false, false, true, H.Running, H.Down)]
    public void A_childs_health_follows_from_its_lifecycle(bool restarting, bool running, bool standIn, bool probation, bool supervisor, H reported, H expected)
    {
        Assert.Equal(expected, ChildHealthRule.Of(new ChildHealthFacts(restarting, running, standIn, probation, supervisor, reported)));
    }
}
