using Akka.Actor;
using Akka.TestKit;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Upgrades;

/// <summary>
/// Random supervisors upgraded to random next specs (children removed, replaced, some by versions that cannot start, updated,
/// added) while random children crash and tracked messages go to their addresses, in virtual time. At the end the supervisor
/// runs exactly the old spec (rolled back) or exactly the next one (completed), every child the plan keeps has its reference,
/// and every tracked message was answered or reported. The seed is printed on failure.
/// </summary>
public sealed class RandomUpgradeTests(ITestOutputHelper output) : SuperviseTestKit(output)
{
    private const int Rounds = 25;

    [Fact]
    public Task Random_upgrades_under_random_crashes_end_in_exactly_the_old_or_the_next_spec_and_lose_nothing_silently() =>
        SeededRounds.RunAsync(Output!, "Random upgrade test", Rounds, (random, round) => RunRoundAsync(random, "u" + round));

    private ChildSpec Child(string id, string version, bool broken, RestartType restart) =>
        Worker(id, broken ? new WorkerScript { FailPreStart = _ => true } : null) with { Version = version, Restart = restart };

    private async Task RunRoundAsync(Random random, string name)
    {
        var strategies = new[] { Strategy.OneForOne, Strategy.OneForAll, Strategy.RestForOne };
        var count = random.Next(1, 7);
        var current = new SupervisorSpec
        {
            Strategy = strategies[random.Next(3)],
            Intensity = 10_000,
            Children = [.. Enumerable.Range(0, count).Select(i => Child($"c{i}", "1", broken: false, random.Next(2) == 0 ? RestartType.Permanent : RestartType.Transient))],
        };
        var nextChildren = new List<ChildSpec>();
        foreach (var child in current.Children)
        {
            switch (random.Next(8))
            {
                case 0 or 1:
                    break; // removed
                case 2 or 3:
                    nextChildren.Add(Child(child.Id, "2", broken: random.Next(3) == 0, child.Restart));
                    break;
                case 4:
                    nextChildren.Add(child with { Restart = child.Restart == RestartType.Permanent ? RestartType.Transient : RestartType.Permanent });
                    break;
                default:
                    nextChildren.Add(child);
                    break;
            }
        }

        for (var j = random.Next(3); j > 0; j--)
        {
            nextChildren.Insert(random.Next(nextChildren.Count + 1), Child($"n{j}", "1", broken: random.Next(4) == 0, RestartType.Permanent));
        }

        var next = current with { Children = nextChildren };
        var options = new UpgradeOptions { CanaryCount = random.Next(3), MaxOutOfService = random.Next(1, 4), WatchWindow = TimeSpan.FromSeconds(1) };
        var tree = await Sys.StartTreeAsync(current, new TreeOptions { Name = name, TimeProvider = Time });
        var before = await RefsAsync(tree.Root);
        var drops = CreateTestProbe();
        Sys.EventStream.Subscribe(drops.Ref, typeof(MessageDropped));
        var answers = CreateTestProbe();
        var addresses = new Dictionary<string, ChildAddress>();
        foreach (var id in before.Keys)
        {
            addresses[id] = await tree.Root.GetChildAsync(id);
        }

        var plan = await tree.Root.PlanUpgradeAsync(next);
        var upgrading = tree.Root.UpgradeAsync(next, options);
        var sent = 0;
        for (var step = 0; step < 300 && !upgrading.IsCompleted; step++)
        {
            switch (random.Next(4))
            {
                case 0:
                    var running = (await tree.Root.WhichChildrenAsync()).Where(c => c.Child is not null).ToList();
                    if (running.Count > 0)
                    {
                        running[random.Next(running.Count)].Child!.Tell(new Crash("a random fault during the upgrade"));
                    }

                    break;
                case 1:
                    Time.Advance(TimeSpan.FromMilliseconds(400));
                    break;
                default:
                    var address = addresses.Values.ElementAt(random.Next(addresses.Count));
                    address.Tell(new Echo(++sent), answers.Ref);
                    break;
            }

            await tree.WhenSettledAsync();
        }

        for (var i = 0; i < 20 && !upgrading.IsCompleted; i++)
        {
            Time.Advance(TimeSpan.FromSeconds(1));
            await tree.WhenSettledAsync();
        }

        Assert.True(upgrading.IsCompleted, $"the upgrade did not end; plan:\n{plan}");
        var result = await upgrading;
        var expected = result switch
        {
            UpgradeResult.Completed => next.Children,
            UpgradeResult.RolledBack => current.Children,
            _ => throw new InvalidOperationException($"unexpected result {result}"),
        };
        var running1 = await tree.Root.WhichChildrenAsync();
        Assert.True(expected.Select(c => c.Id).SequenceEqual(running1.Select(c => c.Id)), $"expected [{string.Join(", ", expected.Select(c => c.Id))}], running [{string.Join(", ", running1.Select(c => c.Id))}] after {result}; plan:\n{plan}");
        foreach (var spec in expected)
        {
            var found = Assert.IsType<ChildSpecResult.Found>(await tree.Root.GetChildSpecAsync(spec.Id)).Spec;
            Assert.True((spec.Id, spec.Version, spec.Restart) == (found.Id, found.Version, found.Restart), $"{spec.Id} runs {found.Version}/{found.Restart}, expected {spec.Version}/{spec.Restart} after {Describe(result)}; plan:\n{plan}");
        }

        var after = await RefsAsync(tree.Root);
        foreach (var kept in plan.Kept)
        {
            Assert.True(Equals(before[kept], after[kept]), $"{kept} is outside the plan but its reference changed ({result.GetType().Name}; plan:\n{plan})");
        }

        // Every tracked message answered or reported dropped: sent = answered + reported.
        await AwaitAssertAsync(() =>
        {
            var answered = Drain(answers, _ => true);
            var reported = Drain(drops, m => m is MessageDropped { Message: Echo });
            Interlocked.Add(ref _accounted, answered + reported);
            Assert.Equal(sent, Volatile.Read(ref _accounted));
        });
        _accounted = 0;
        await tree.StopAsync();
    }

    private int _accounted;

    private static string Describe(UpgradeResult result) => result switch
    {
        UpgradeResult.RolledBack r => $"rolled back after {r.Failure}; restored [{string.Join(", ", r.Restored)}]; failures [{string.Join("; ", r.Failures)}]",
        UpgradeResult.Completed c => $"completed; failures [{string.Join("; ", c.Failures)}]",
        _ => result.ToString(),
    };

    /// <summary>Takes every message <paramref name="probe"/> holds now; counts those <paramref name="counts"/> says.</summary>
    private static int Drain(TestProbe probe, Func<object, bool> counts)
    {
        var n = 0;
        while (probe.HasMessages)
        {
            n += counts(probe.ReceiveOne(TimeSpan.FromSeconds(1))!) ? 1 : 0;
        }

        return n;
    }

    private static async Task<IReadOnlyDictionary<string, IActorRef?>> RefsAsync(SupervisorHandle supervisor) =>
        (await supervisor.WhichChildrenAsync()).ToDictionary(c => c.Id, c => c.Child);
}
