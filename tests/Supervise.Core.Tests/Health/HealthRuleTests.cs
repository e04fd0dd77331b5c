using Xunit;
using C = Supervise.Criticality;
using H = Supervise.HealthState;

namespace Supervise.Tests.Health;

/// <summary>The health rule, as a table: children's criticality and state in, the supervisor's health out.</summary>
public sealed class HealthRuleTests
{
    public static TheoryData<(C, H)[], H> Table() => new()
    {
        { [], H.Running },
        { [(C.Critical, H.Running), (C.Important, H.Running), (C.Optional, H.Running)], H.Running },
        { [(C.Critical, H.Down), (C.Important, H.Running)], H.Down },
        { [(C.Critical, H.Restarting)], H.Degraded },
        { [(C.Critical, H.Degraded)], H.Degraded },
        { [(C.Important, H.Down)], H.Degraded },
        { [(C.Important, H.Restarting), (C.Critical, H.Running)], H.Degraded },
        { [(C.Optional, H.Down), (C.Optional, H.Down)], H.Degraded },
        { [(C.Optional, H.Restarting)], H.Degraded },
        { [(C.Optional, H.Down), (C.Critical, H.Down)], H.Down },
        { [(C.Important, H.Down), (C.Critical, H.Restarting), (C.Optional, H.Down)], H.Degraded },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void A_supervisors_health_follows_from_its_childrens(ValueTuple<C, H>[] children, H expected)
    {
        Assert.Equal(expected, HealthRule.Derive(children.Select(c => (c.Item1, c.Item2))));
    }

    [Theory]
    [InlineData(H.Running, H.Degraded, H.Degraded)]
    [InlineData(H.Running, H.Running, H.Running)]
    [InlineData(H.Restarting, H.Running, H.Restarting)]
    [InlineData(H.Down, H.Running, H.Down)]
    [InlineData(H.Restarting, H.Down, H.Restarting)]
    public void A_supervisors_own_state_comes_first(H own, H fromChildren, H expected)
    {
        Assert.Equal(expected, HealthRule.Combine(own, fromChildren));
    }

    [Fact]
    public void An_optional_child_never_takes_its_supervisor_down_whatever_the_mix()
    {
        var states = Enum.GetValues<H>();
        foreach (var a in states)
        {
            foreach (var b in states)
            {
                var health = HealthRule.Derive([(C.Optional, a), (C.Optional, b), (C.Important, H.Running)]);
                Assert.NotEqual(H.Down, health);
            }
        }
    }

    [Fact]
    public void Null_children_are_refused()
    {
        Assert.Throws<ArgumentNullException>(() => HealthRule.Derive(null!));
    }
}
