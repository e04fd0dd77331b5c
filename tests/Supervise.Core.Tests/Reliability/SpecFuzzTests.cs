using System.Globalization;
using Akka.Actor;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Reliability;

/// <summary>
/// A seeded fuzz of the spec validator and the start: random trees (static and dynamic supervisors, nested, with
/// shutdowns, restart types, significant children and policies), half of them with one defect planted at a random
/// place. A tree with a defect is refused before anything starts, with the defect's supervisor path and field named;
/// a tree without one starts and stops cleanly. No other exception, and no case takes more than its bound.
/// Run another seed with <c>SUPERVISE_FUZZ_SEED=n dotnet test --filter SpecFuzz</c>; a failure prints its seed and case.
/// </summary>
public sealed class SpecFuzzTests : SuperviseTestKit
{
    private readonly ITestOutputHelper _output;

    public SpecFuzzTests(ITestOutputHelper output)
        : base(output) => _output = output;

    private const int Cases = 2_000;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private static readonly Props Echo = Props.Create<EchoActor>();

    [Fact]
    public async Task Every_defective_spec_is_refused_naming_its_place_and_every_valid_one_starts_and_stops()
    {
        var seed = Seed();
        var (refused, started) = (0, 0);
        for (var i = 0; i < Cases; i++)
        {
            var caseSeed = unchecked((seed * 1_000_003) + i); // not HashCode.Combine: it is salted per process, and a seed must replay
            // Half the cases plant one defect, at a place of the tree chosen among all its places (counted by a first pass).
            var places = new Fuzz(new Random(caseSeed), $"fuzz{i}", -1).Count();
            var plantAt = i % 2 == 0 ? -1 : new Random(~caseSeed).Next(places);
            var fuzz = new Fuzz(new Random(caseSeed), $"fuzz{i}", plantAt);
            var spec = fuzz.Tree();
            var context = $"seed {seed}, case {i}: {fuzz.Planted?.ToString() ?? "no defect"}";
            try
            {
                if (fuzz.Planted is { } defect)
                {
                    var error = await Assert.ThrowsAsync<SpecValidationException>(() => StartAsync(spec, fuzz.Root));
                    Assert.True(
                        error.Problems.Any(p => p.Path == defect.Path && p.Field.StartsWith(defect.Field, StringComparison.Ordinal)),
                        $"{context}: the problems do not name it: {string.Join(" | ", error.Problems)}");
                    refused++;
                }
                else
                {
                    var tree = await StartAsync(spec, fuzz.Root);
                    var outcome = await tree.StopAsync().WaitAsync(Bound);
                    Assert.True(outcome.Reason == TreeStopReason.Stopped, $"{context}: stopped as {outcome.Reason} ({outcome.Error?.Message})");
                    started++;
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new Xunit.Sdk.XunitException($"{context}: {e.GetType().Name}: {e.Message}");
            }
        }

        _output.WriteLine($"seed {seed}: {refused} refused, {started} started and stopped");
        Assert.True(refused == Cases / 2 && started == Cases / 2, $"seed {seed}: {refused} refused, {started} started: the fuzz lost its balance");
    }

    private static int Seed() =>
        int.TryParse(Environment.GetEnvironmentVariable("SUPERVISE_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var seed) ? seed : 20261205;

    private Task<SupervisionTree> StartAsync(SupervisionSpec spec, string name) =>
        Sys.StartTreeAsync(spec, new TreeOptions { Name = name, TimeProvider = Time }).WaitAsync(Bound);

    /// <summary>A defect planted in the tree: the supervisor path and the field (its beginning) a problem must name.</summary>
    private sealed record Defect(string Path, string Field, string What)
    {
        public override string ToString() => $"{What} at {Path}: {Field}";
    }

    /// <summary>Makes one random tree; numbers every place a defect could go, and plants one at a place chosen beforehand (or none).</summary>
    private sealed class Fuzz(Random random, string root, int plantAt)
    {
        private readonly int _plantAt = plantAt;
        private int _place;

        /// <summary>How many places the tree has for a defect (generates it once, planting nothing).</summary>
        public int Count()
        {
            Tree();
            return _place;
        }

        public string Root => root;

        public Defect? Planted { get; private set; }

        public SupervisionSpec Tree() => Supervisor(root, depth: 0);

        private bool PlantHere() => _place++ == _plantAt;

        private SupervisionSpec Supervisor(string path, int depth)
        {
            if (random.Next(5) == 0)
            {
                return Dynamic(path);
            }

            var autoShutdown = random.Next(4) == 0 ? AutoShutdown.AnySignificant : AutoShutdown.Never;
            var spec = new SupervisorSpec
            {
                Strategy = (Strategy)random.Next(3),
                Intensity = random.Next(6),
                Period = TimeSpan.FromSeconds(1 + random.Next(10)),
                AutoShutdown = autoShutdown,
            };
            if (PlantHere())
            {
                switch (random.Next(4))
                {
                    case 0:
                        Plant(path, "Intensity", "a negative intensity");
                        return spec with { Intensity = -1 - random.Next(5) };
                    case 1:
                        Plant(path, "Period", "a period of zero or less");
                        return spec with { Period = TimeSpan.FromSeconds(-random.Next(3)) };
                    case 2:
                        Plant(path, "Strategy", "an undefined strategy");
                        return spec with { Strategy = (Strategy)(3 + random.Next(5)) };
                    default:
                        Plant(path, "Children", "a null list of children");
                        return spec with { Children = null! };
                }
            }

            var count = random.Next(depth == 0 ? 6 : 4);
            var children = new List<ChildSpec>(count);
            for (var i = 0; i < count; i++)
            {
                children.Add(depth < 2 && random.Next(4) == 0
                    ? ChildSpec.ForSupervisor($"s{i}", Supervisor($"{path}/s{i}", depth + 1)) with { Restart = (RestartType)random.Next(2) }
                    : Worker(path, i, children, autoShutdown));
            }

            return spec with { Children = children };
        }

        private DynamicSupervisorSpec Dynamic(string path)
        {
            var template = new ChildTemplate(_ => Echo) { Restart = (RestartType)random.Next(3), Shutdown = Shutdowns() };
            var spec = new DynamicSupervisorSpec(template) { Intensity = random.Next(6), MaxChildren = random.Next(2) == 0 ? null : 1 + random.Next(5) };
            if (!PlantHere())
            {
                return spec;
            }

            switch (random.Next(4))
            {
                case 0:
                    Plant(path, "MaxChildren", "no room for a child");
                    return spec with { MaxChildren = -random.Next(3) };
                case 1:
                    Plant(path, "Template", "a null template");
                    return spec with { Template = null! };
                case 2:
                    Plant(path, "Template.Kind", "a template of kind Supervisor");
                    return spec with { Template = template with { Kind = ChildKind.Supervisor } };
                default:
                    Plant(path, "Template.Shutdown", "a shutdown past the timer limit");
                    return spec with { Template = template with { Shutdown = Supervise.Shutdown.Timeout(TimeSpan.FromDays(50 + random.Next(1000))) } };
            }
        }

        private ChildSpec Worker(string path, int index, List<ChildSpec> before, AutoShutdown autoShutdown)
        {
            var restart = (RestartType)random.Next(3);
            var worker = ChildSpec.Worker($"w{index}", () => Echo) with
            {
                Restart = restart,
                Shutdown = Shutdowns(),
                Criticality = (Criticality)random.Next(3),
                Significant = autoShutdown != AutoShutdown.Never && restart != RestartType.Permanent && random.Next(2) == 0,
                Policies = restart == RestartType.Permanent ? Policies() : null,
            };
            if (!PlantHere())
            {
                return worker;
            }

            var field = $"Children[{index}]";
            switch (random.Next(9))
            {
                case 0:
                    Plant(path, field, "a null child");
                    return null!;
                case 1:
                    Plant(path, field + ".Id", "an empty id");
                    return worker with { Id = random.Next(2) == 0 ? "" : "  " };
                case 2:
                    Plant(path, field, "an id that cannot name an actor");
                    return worker with { Id = "a/b" };
                case 3 when before.Count > 0 && before[0] is { } first:
                    Plant(path, field, "a duplicate id");
                    return worker with { Id = first.Id };
                case 4:
                    Plant(path, field, "no props factory");
                    return worker with { Start = null };
                case 5:
                    Plant(path, field, "a shutdown timeout past the timer limit, or negative");
                    return worker with { Shutdown = Supervise.Shutdown.Timeout(random.Next(2) == 0 ? TimeSpan.FromDays(50 + random.Next(1000)) : TimeSpan.FromSeconds(-1 - random.Next(5))) };
                case 6:
                    Plant(path, field, "kind Supervisor for a plain actor");
                    return worker with { Kind = ChildKind.Supervisor };
                case 7:
                    Plant(path, field, "a significant Permanent child");
                    return worker with { Restart = RestartType.Permanent, Significant = true, Policies = null };
                default:
                    Plant(path, field, "a circuit breaker that never opens");
                    return worker with { Restart = RestartType.Permanent, Policies = [Policy.CircuitBreaker(0, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1))] };
            }
        }

        private Shutdown? Shutdowns() => random.Next(4) switch
        {
            0 => null,
            1 => Supervise.Shutdown.BrutalKill,
            2 => Supervise.Shutdown.Infinity,
            _ => Supervise.Shutdown.Timeout(TimeSpan.FromMilliseconds(random.Next(5_000))),
        };

        private IReadOnlyList<DegradationPolicy>? Policies() => random.Next(8) switch
        {
            0 => [Policy.CircuitBreaker(1 + random.Next(5), TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1))],
            1 => [Policy.Backoff(TimeSpan.FromMilliseconds(10), TimeSpan.FromSeconds(1))],
            2 => [Policy.Isolate()],
            3 => [Policy.Buffer(1 + random.Next(100))],
            4 => [Policy.Reject()],
            5 => [Policy.Fallback(Echo)],
            _ => null,
        };

        private void Plant(string path, string field, string what) => Planted = new Defect(path, field, what);
    }

    private sealed class EchoActor : ReceiveActor
    {
        public EchoActor() => ReceiveAny(m => Sender.Tell(m));
    }
}
