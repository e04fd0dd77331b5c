using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Health;

/// <summary>
/// The incremental tally a supervisor keeps is <see cref="HealthRule.Derive"/>: after every change of a random
/// sequence, the tally and the rule agree on the same children. The seed is printed on failure.
/// </summary>
public sealed class HealthTallyTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(20261205)]
    public void The_tally_derives_what_the_health_rule_derives_after_every_change(int seed)
    {
        var random = new Random(seed);
        var tally = new HealthTally();
        var children = new List<(Criticality Criticality, HealthState State)>();
        for (var step = 0; step < 2_000; step++)
        {
            var roll = random.Next(10);
            if (roll == 0 && children.Count > 0)
            {
                var i = random.Next(children.Count);
                tally.Count(children[i].Criticality, children[i].State, -1);
                children.RemoveAt(i);
            }
            else if (roll < 3 || children.Count == 0)
            {
                var child = ((Criticality)random.Next(3), (HealthState)random.Next(4));
                tally.Count(child.Item1, child.Item2, +1);
                children.Add(child);
            }
            else
            {
                var i = random.Next(children.Count);
                var next = (HealthState)random.Next(4);
                tally.Count(children[i].Criticality, children[i].State, -1);
                children[i] = (children[i].Criticality, next);
                tally.Count(children[i].Criticality, next, +1);
            }

            var expected = HealthRule.Derive(children);
            if (tally.Derived != expected)
            {
                output.WriteLine($"seed {seed}, step {step}: {string.Join(", ", children)}");
            }

            Assert.Equal(expected, tally.Derived);
        }

        var held = tally.Clear();
        Assert.Equal(children.Count, held.Sum());
        Assert.Equal(HealthState.Running, tally.Derived);
    }
}
