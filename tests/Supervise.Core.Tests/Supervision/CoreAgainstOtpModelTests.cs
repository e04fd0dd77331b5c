using Supervise.Supervision;
using Supervise.Tests.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Supervision;

/// <summary>
/// The randomized hierarchy test's OTP model as a property of the core, with no ActorSystem: random trees (depth up to
/// 5, random strategies, intensities and restart types) under random crashes at random times, decided by the rules that
/// ship (<see cref="ExitRule"/>, <see cref="GroupRestartPlan"/>, <see cref="RestartWindow"/>), must restart exactly the
/// workers <see cref="OtpModel"/> predicts and give up exactly where it predicts. The seed is printed on failure.
/// </summary>
public sealed class CoreAgainstOtpModelTests(ITestOutputHelper output)
{
    private static readonly Exception Boom = new InvalidOperationException("boom");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(20261205)]
    public void The_core_decides_every_crash_of_a_random_tree_as_the_otp_model_does(int seed)
    {
        for (var round = 0; round < 200; round++)
        {
            var random = new Random(HashCode.Combine(seed, round));
            var model = new ModelSupervisor("r", RandomStrategy(random), random.Next(0, 4), TimeSpan.FromSeconds(random.Next(1, 10)), parent: null);
            var core = new CoreSupervisor(model, parent: null);
            Build(random, model, core, depth: 1);
            var otp = new OtpModel(model);
            ResetAll(model);
            core.Reset();
            var now = TimeSpan.Zero;
            for (var crash = 0; crash < 40 && !otp.RootGaveUp; crash++)
            {
                var workers = model.PresentWorkers().ToList();
                if (workers.Count == 0)
                {
                    break;
                }

                now += TimeSpan.FromMilliseconds(random.Next(0, 3_000));
                var victim = workers[random.Next(workers.Count)];
                var expected = otp.Crash(victim, now);
                var actual = core.Crash(victim.Path, now);
                var where = $"seed {seed}, round {round}, crash {crash} of {victim.Path} at {now}";
                if (!expected.Restarted.SetEquals(actual.Restarted) || !expected.GaveUp.SequenceEqual(actual.GaveUp))
                {
                    output.WriteLine(where);
                }

                Assert.True(expected.Restarted.SetEquals(actual.Restarted), $"{where}: OTP restarts [{string.Join(", ", expected.Restarted.Order())}], the core [{string.Join(", ", actual.Restarted.Order())}]");
                Assert.Equal(expected.GaveUp, actual.GaveUp);
                Assert.Equal(otp.RootGaveUp, core.RootGaveUp);
            }
        }
    }

    private static void Build(Random random, ModelSupervisor model, CoreSupervisor core, int depth)
    {
        var count = random.Next(1, 5);
        for (var i = 0; i < count; i++)
        {
            var path = model.Path + "/c" + i;
            var restart = random.Next(10) switch { < 6 => RestartType.Permanent, < 9 => RestartType.Transient, _ => RestartType.Temporary };
            if (depth < 5 && random.Next(3) == 0)
            {
                var nested = new ModelSupervisor(path, RandomStrategy(random), random.Next(0, 4), TimeSpan.FromSeconds(random.Next(1, 10)), model);
                var child = new ModelChild(path, restart, model, nested);
                nested.AsChild = child;
                model.Spec.Add(child);
                var nestedCore = new CoreSupervisor(nested, core);
                core.Spec.Add(new CoreChild(path, restart, nestedCore));
                Build(random, nested, nestedCore, depth + 1);
            }
            else
            {
                model.Spec.Add(new ModelChild(path, restart, model, null));
                core.Spec.Add(new CoreChild(path, restart, null));
            }
        }
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

    /// <summary>A supervisor as the core sees it: its children in start order, its window, and the shell's escalation to its parent.</summary>
    private sealed class CoreSupervisor(ModelSupervisor shape, CoreSupervisor? parent)
    {
        private RestartWindow _window = new(shape.Intensity, shape.Period);

        public List<CoreChild> Spec { get; } = [];

        public List<CoreChild> Present { get; } = [];

        public bool RootGaveUp { get; private set; }

        public void Reset()
        {
            _window = new RestartWindow(shape.Intensity, shape.Period);
            Present.Clear();
            Present.AddRange(Spec);
            foreach (var nested in Spec.Where(c => c.Supervisor is not null))
            {
                nested.Supervisor!.Reset();
            }
        }

        public (HashSet<string> Restarted, List<string> GaveUp) Crash(string workerPath, TimeSpan now)
        {
            var restarted = new HashSet<string>(StringComparer.Ordinal);
            var gaveUp = new List<string>();
            var (supervisor, child) = Find(workerPath);
            while (true)
            {
                var decision = ExitRule.Decide(new ExitFacts(child.Restart, ExitReason.Crash(Boom), false, false, false, false), supervisor._window, null, child, now);
                switch (decision.Outcome)
                {
                    case ExitOutcome.Remove or ExitOutcome.Leave:
                        supervisor.Present.Remove(child);
                        return (restarted, gaveUp);
                    case ExitOutcome.Restart:
                        var plan = GroupRestartPlan.Plan(supervisor.Shape.Strategy, supervisor.Present.IndexOf(child), supervisor.Present.Select(c => new SiblingFacts(c.Restart, false)).ToList());
                        var toRestart = plan.Restart.Select(i => supervisor.Present[i]).ToList();
                        foreach (var removed in plan.Remove.Select(i => supervisor.Present[i]).ToList())
                        {
                            supervisor.Present.Remove(removed);
                        }

                        foreach (var restartedChild in toRestart)
                        {
                            Restart(restartedChild, restarted);
                        }

                        return (restarted, gaveUp);
                    default:
                        // Gave up: its children are stopped and it fails to its parent, which handles it like any crash.
                        gaveUp.Add(supervisor.Shape.Path);
                        if (supervisor.Parent is null)
                        {
                            RootGaveUp = true; // only the root has no parent: this is the root
                            return (restarted, gaveUp);
                        }

                        child = supervisor.Parent.Present.Single(c => c.Supervisor == supervisor);
                        supervisor = supervisor.Parent;
                        break;
                }
            }
        }

        public ModelSupervisor Shape => shape;

        public CoreSupervisor? Parent => parent;

        private static void Restart(CoreChild child, HashSet<string> restarted)
        {
            if (child.Supervisor is null)
            {
                restarted.Add(child.Path);
                return;
            }

            child.Supervisor.Reset();
            foreach (var grandchild in child.Supervisor.Present)
            {
                Restart(grandchild, restarted);
            }
        }

        private (CoreSupervisor Supervisor, CoreChild Child) Find(string path)
        {
            foreach (var child in Present)
            {
                if (child.Path == path)
                {
                    return (this, child);
                }

                if (child.Supervisor is { } nested && path.StartsWith(child.Path + "/", StringComparison.Ordinal))
                {
                    return nested.Find(path);
                }
            }

            throw new InvalidOperationException($"{path} is not present");
        }
    }

    private sealed record CoreChild(string Path, RestartType Restart, CoreSupervisor? Supervisor);
}
