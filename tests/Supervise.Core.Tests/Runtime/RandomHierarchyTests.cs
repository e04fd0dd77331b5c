using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Runtime;

/// <summary>
/// Random trees (depth up to 5, random strategies, intensities and restart types) against random
/// crashes, checked against <see cref="OtpModel"/>: exactly the predicted workers restart, exactly the
/// predicted supervisors give up, and the root's fate matches. The seed is printed on failure.
/// </summary>
public sealed class RandomHierarchyTests : SuperviseTestKit
{
    private readonly ITestOutputHelper _output;

    public RandomHierarchyTests(ITestOutputHelper output)
        : base(output)
    {
        _output = output;
    }

    private const int Trees = 12;
    private const int CrashesPerTree = 25;

    [Fact]
    public Task Random_trees_under_random_crashes_behave_as_otp_says() =>
        SeededRounds.RunAsync(_output, "Random hierarchy test", Trees, (random, round) => RunRoundAsync(random, "r" + round));

    private async Task RunRoundAsync(Random random, string name)
    {
        var root = new ModelSupervisor(name, RandomStrategy(random), random.Next(0, 4), TimeSpan.FromSeconds(random.Next(1, 10)), parent: null);
        var spec = BuildSupervisor(random, root, depth: 1);
        var model = new OtpModel(root);
        root.Reset();
        ResetAll(root);
        var refs = new Dictionary<string, IActorRef>(StringComparer.Ordinal);
        var origin = Time.GetUtcNow();

        var tree = await Sys.StartTreeAsync(spec, new TreeOptions { Name = name, TimeProvider = Time });
        foreach (var worker in root.PresentWorkers())
        {
            var up = ExpectLife<Up>();
            refs[up.Id] = up.Ref;
        }

        for (var step = 0; step < CrashesPerTree && !model.RootGaveUp; step++)
        {
            var workers = root.PresentWorkers().ToList();
            if (workers.Count == 0)
            {
                break;
            }

            Time.Advance(TimeSpan.FromMilliseconds(random.Next(0, 2500)));
            var victim = workers[random.Next(workers.Count)];
            var (restarted, gaveUp) = model.Crash(victim, Time.GetUtcNow() - origin);

            refs[victim.Path].Tell(new Crash("random"));

            var pending = new HashSet<string>(restarted, StringComparer.Ordinal);
            while (pending.Count > 0)
            {
                var up = ExpectLife<Up>();
                Assert.True(pending.Remove(up.Id), $"step {step}: crash of {victim.Path} restarted {up.Id}, which OTP does not; expected only [{string.Join(", ", restarted)}]");
                refs[up.Id] = up.Ref;
            }

            foreach (var supervisor in gaveUp)
            {
                Assert.Equal(supervisor, ExpectEvent<SupervisorGaveUp>().SupervisorPath);
            }

            if (!model.RootGaveUp)
            {
                // Every restarted supervisor has finished starting (its children are up before it has
                // confirmed them): the next crash must not land in a start, which OTP's model does not have.
                await AwaitAssertAsync(async () => Assert.True(NothingRestarting(await tree.GetHealthAsync()), "tree still restarting"), interval: TimeSpan.FromMilliseconds(5));
            }
        }

        if (model.RootGaveUp)
        {
            Assert.Equal(TreeStopReason.GaveUp, (await tree.Completion).Reason);
        }
        else
        {
            // Nothing restarts late: once the tree has settled, what is left holds no new incarnation.
            Assert.True(await tree.WhenSettledAsync(), "the tree did not settle");
            Assert.DoesNotContain(ReceivedSoFar(Life), late => late is Up);

            await tree.StopAsync();
        }

    }

    private SupervisorSpec BuildSupervisor(Random random, ModelSupervisor model, int depth)
    {
        var children = new List<ChildSpec>();
        var count = random.Next(1, 5);
        for (var i = 0; i < count; i++)
        {
            var id = "c" + i;
            var path = model.Path + "/" + id;
            var restart = random.Next(10) switch
            {
                < 6 => RestartType.Permanent,
                < 9 => RestartType.Transient,
                _ => RestartType.Temporary,
            };
            if (depth < 5 && random.Next(3) == 0)
            {
                var nested = new ModelSupervisor(path, RandomStrategy(random), random.Next(0, 4), TimeSpan.FromSeconds(random.Next(1, 10)), model);
                var child = new ModelChild(path, restart, model, nested);
                nested.AsChild = child;
                model.Spec.Add(child);
                children.Add(ChildSpec.ForSupervisor(id, BuildSupervisor(random, nested, depth + 1)) with { Restart = restart });
            }
            else
            {
                model.Spec.Add(new ModelChild(path, restart, model, null));
                var script = new WorkerScript();
                children.Add(ChildSpec.Worker(id, () => TestWorker.Props(path, Life.Ref, script)) with { Restart = restart });
            }
        }

        return new SupervisorSpec { Strategy = model.Strategy, Intensity = model.Intensity, Period = model.Period, Children = children };
    }

    private static void ResetAll(ModelSupervisor supervisor)
    {
        supervisor.Reset();
        foreach (var child in supervisor.Spec.Where(c => c.Supervisor is not null))
        {
            ResetAll(child.Supervisor!);
        }
    }

    private static Strategy RandomStrategy(Random random) => (Strategy)random.Next(3);
}
