using Supervise.Supervision;
using Supervise.Tests.Runtime;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Supervision;

/// <summary>
/// The randomized hierarchy test's OTP model as a property of the core, with no ActorSystem: random trees (depth up to
/// 5, random strategies, intensities and restart types) under random crashes at random times, decided by the rules that
/// ship (<see cref="SupervisorCore{TChild, TCrash}"/>, with <see cref="ExitRule"/>, <see cref="GroupRestartPlan"/> and <see cref="RestartWindow"/>), must restart exactly the
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
            var random = new Random(unchecked((seed * 1_000_003) + round)); // not HashCode.Combine: it is salted per process, and the seed must replay
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

    /// <summary>
    /// A supervisor's shell reduced to what OTP's model observes: the <see cref="SupervisorCore{TChild, TCrash}"/> that ships
    /// decides each crash, and this shell carries its effects out (a restart marks workers restarted, a nested supervisor
    /// restarts with its children, giving up fails to the parent as a crash of the supervisor there).
    /// </summary>
    private sealed class CoreSupervisor(ModelSupervisor shape, CoreSupervisor? parent) : ISupervisorEffects<CoreChild, CoreCrash>
    {
        public void CrashDecided(CoreChild child)
        {
        }

        private SupervisorCore<CoreChild, CoreCrash> _core = null!;
        private HashSet<string> _restarted = [];
        private List<string> _gaveUp = [];

        public List<CoreChild> Spec { get; } = [];

        public List<CoreChild> Present { get; } = [];

        public bool RootGaveUp { get; private set; }

        public ModelSupervisor Shape => shape;

        public CoreSupervisor? Parent => parent;

        public bool InSequence => false;

        public TimeSpan Elapsed { get; private set; }

        public void Reset()
        {
            Present.Clear();
            Present.AddRange(Spec);
            _core = new(shape.Strategy, Supervise.AutoShutdown.Never, false, new RestartWindow(shape.Intensity, shape.Period), Present, this);
            _core.Started();
            foreach (var child in Spec)
            {
                child.State = ChildLifecycle.Running;
                child.Supervisor?.Reset();
            }
        }

        public (HashSet<string> Restarted, List<string> GaveUp) Crash(string workerPath, TimeSpan now)
        {
            var (supervisor, child) = Find(workerPath);
            var restarted = new HashSet<string>(StringComparer.Ordinal);
            var gaveUp = new List<string>();
            supervisor.CrashOf(child, now, restarted, gaveUp);
            return (restarted, gaveUp);
        }

        private void CrashOf(CoreChild child, TimeSpan now, HashSet<string> restarted, List<string> gaveUp)
        {
            (Elapsed, _restarted, _gaveUp) = (now, restarted, gaveUp);
            _core.Crash(child, new CoreCrash(Boom));
        }

        public void ReportCrash(CoreChild child, CoreCrash crash)
        {
        }

        public void RestartCounted(CoreChild child)
        {
        }

        public void Discard(CoreChild child) => child.State = ChildLifecycle.NotRunning;

        public void Remove(CoreChild child) => Present.Remove(child);

        public void OpenCircuit(CoreChild child) => throw new InvalidOperationException("no breaker in the model");

        public void Isolate(CoreChild child, ExitReason reason) => throw new InvalidOperationException("no isolate policy in the model");

        public void RestartAfterBackoff(CoreChild child, ExitReason reason, bool alive) => throw new InvalidOperationException("no backoff in the model");

        public void AutoShutdown(CoreChild exited, AutoShutdown mode) => throw new InvalidOperationException("no auto-shutdown in the model");

        public void Process(object work) => throw new InvalidOperationException($"no calls in the model: {work}");

        public void Refuse(object work) => throw new InvalidOperationException($"no calls in the model: {work}");

        public void RestartOne(CoreChild child, ExitReason reason, bool alive) => Restart(child);

        public void RestartGroup(CoreChild failed, ExitReason reason, IReadOnlyList<CoreChild> restart, IReadOnlyList<CoreChild> remove)
        {
            foreach (var removed in remove)
            {
                Present.Remove(removed);
            }

            foreach (var child in restart)
            {
                Restart(child);
            }
        }

        /// <summary>Gave up: its children are stopped and it fails to its parent, which handles it like any crash.</summary>
        public void GiveUp(CoreChild child, RestartVerdict verdict, ExitReason reason)
        {
            _gaveUp.Add(shape.Path);
            if (parent is null)
            {
                RootGaveUp = true; // only the root has no parent: this is the root
                return;
            }

            parent.CrashOf(parent.Present.Single(c => c.Supervisor == this), Elapsed, _restarted, _gaveUp);
        }

        private void Restart(CoreChild child)
        {
            child.State = ChildLifecycle.Running;
            if (child.Supervisor is null)
            {
                _restarted.Add(child.Path);
                return;
            }

            child.Supervisor.Reset(); // a nested supervisor restarts with every child of its spec
            Workers(child.Supervisor, _restarted);
        }

        private static void Workers(CoreSupervisor supervisor, HashSet<string> into)
        {
            foreach (var child in supervisor.Present)
            {
                if (child.Supervisor is { } nested)
                {
                    Workers(nested, into);
                }
                else
                {
                    into.Add(child.Path);
                }
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

    private sealed record CoreCrash(Exception Cause) : ICrashReport;

    /// <summary>A child as the core sees it; its moves are checked against <see cref="ChildLifecycleRule"/>.</summary>
    private sealed class CoreChild(string path, RestartType restart, CoreSupervisor? supervisor) : ISupervisedChild<CoreCrash>
    {
        public string Path => path;

        public CoreSupervisor? Supervisor => supervisor;

        public ChildLifecycle State { get; set; } = ChildLifecycle.Running;

        public ChildLifecycle Lifecycle => State;

        public int Generation => 0;

        public RestartType Restart => restart;

        public bool Significant => false;

        public bool Isolates => false;

        public bool BacksOff => false;

        public BreakerState? Breaker => null;

        public CircuitState Circuit => CircuitState.Closed;

        public void MoveTo(ChildLifecycle next)
        {
            if (!ChildLifecycleRule.CanMove(State, next))
            {
                throw new LifecycleViolationException($"{path}: {State} -> {next}");
            }

            State = next;
        }

        public void Crash(CoreCrash? waiting) => MoveTo(ChildLifecycle.Crashed);

        public CoreCrash? TakeFailure() => null;

        public void QueueExit(ExitInLine exit) => throw new InvalidOperationException("the model's supervisors are never busy");
    }
}
