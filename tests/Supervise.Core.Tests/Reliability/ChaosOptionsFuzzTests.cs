using System.Globalization;
using Supervise.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Supervise.Tests.Reliability;

/// <summary>
/// A seeded fuzz of chaos options, every field drawn from valid values, edge values, nulls and values past the timer
/// limit. Validation never throws; options with problems are refused by <see cref="SupervisionTree.StartChaosAsync"/>
/// with exactly those problems; the others run on a tree in virtual time, and stop when asked. No case hangs.
/// Run another seed with <c>SUPERVISE_FUZZ_SEED=n dotnet test --filter ChaosOptionsFuzz</c>; a failure prints its seed and case.
/// </summary>
public sealed class ChaosOptionsFuzzTests : SuperviseTestKit
{
    private const int Cases = 2_000;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);
    private readonly ITestOutputHelper _output;

    public ChaosOptionsFuzzTests(ITestOutputHelper output)
        : base(output) => _output = output;

    [Fact]
    public async Task Every_set_of_options_is_validated_without_throwing_refused_with_its_problems_or_run_and_stopped()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("SUPERVISE_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 20261205;
        var tree = await NewTreeAsync(0);
        var (refused, ran) = (0, 0);
        for (var i = 0; i < Cases; i++)
        {
            var options = Options(new Random(unchecked((seed * 1_000_003) + i)));
            var context = $"seed {seed}, case {i}";
            try
            {
                var problems = options.Validate().Select(p => p.ToString()).ToList();
                if (problems.Count > 0)
                {
                    var error = await Assert.ThrowsAsync<SpecValidationException>(() => tree.StartChaosAsync(options).WaitAsync(Bound));
                    Assert.Equal(problems, error.Problems.Select(p => p.ToString()));
                    refused++;
                    continue;
                }

                var injector = await tree.StartChaosAsync(options).WaitAsync(Bound);
                for (var step = 0; step < 3; step++)
                {
                    Time.Advance(options.Schedule.Interval);
                }

                var report = await injector.StopAsync().WaitAsync(Bound);
                Assert.False(string.IsNullOrEmpty(report.EndReason), context);
                ran++;
                if (tree.Completion.IsCompleted || !report.RootSurvived)
                {
                    tree = await NewTreeAsync(i + 1); // a run may stop a tree (its intensity); the next one gets a fresh tree
                }
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                throw new Xunit.Sdk.XunitException($"{context}: {e.GetType().Name}: {e.Message}");
            }
        }

        _output.WriteLine($"seed {seed}: {refused} refused, {ran} ran and stopped");
        Assert.True(refused > Cases / 5 && ran > Cases / 5, $"seed {seed}: {refused} refused, {ran} ran: the fuzz lost its balance");
    }

    private Task<SupervisionTree> NewTreeAsync(int generation) => Sys.StartTreeAsync(
        new SupervisorSpec
        {
            Intensity = 1_000,
            Children =
            [
                Worker("w0"),
                Worker("w1") with { Tags = ["db"] },
                ChildSpec.ForSupervisor("g", new SupervisorSpec { Strategy = Strategy.OneForAll, Intensity = 1_000, Children = [Worker("g0"), Worker("g1")] }),
            ],
        },
        new TreeOptions { Name = $"chaos{generation}", TimeProvider = Time }).WaitAsync(Bound);

    private static ChaosOptions Options(Random r)
    {
        T Pick<T>(params T[] values) => values[r.Next(values.Length)];
        TimeSpan Duration() => Pick(TimeSpan.FromMilliseconds(1 + r.Next(2_000)), TimeSpan.FromSeconds(1), TimeSpan.Zero, TimeSpan.FromSeconds(-1), TimeSpan.FromDays(60), TimeSpan.MaxValue);
        string? Pattern() => Pick<string?>("**", "*/w*", "chaos*/g/*", "", null, "  ", new string('x', 300));
        var kinds = Enum.GetValues<FaultKind>();
        FaultChoice? Choice() => r.Next(12) == 0 ? null : new FaultChoice(r.Next(10) == 0 ? (FaultKind)99 : Pick(kinds), Pick(1, 0.5, 3, 0, -1, double.NaN, double.PositiveInfinity))
        {
            Duration = Duration(),
            Count = Pick(1, 2, 0, -3),
            Exception = r.Next(5) == 0 ? path => new TimeoutException(path) : null,
        };
        FaultRecord? Record(int i) => r.Next(15) == 0 ? null : new FaultRecord(i, TimeSpan.FromMilliseconds(r.Next(3_000)), Pick<string>("chaos0/w0", "chaos0/g/g1", "nowhere", null!), Pick(FaultKind.Crash, FaultKind.Drop, FaultKind.Kill), TimeSpan.Zero, 1, null);

        // Each field keeps its default most of the time, so that most cases have few problems and about a half none.
        bool Vary() => r.Next(6) == 0;
        var options = new ChaosOptions { Seed = r.Next(), EnvironmentName = "Test", MaxConcurrentFaults = 1 + r.Next(4), StayBelowIntensity = r.Next(2) == 0 };
        if (Vary())
        {
            options = options with { Faults = r.Next(4) == 0 ? Pick<IReadOnlyList<FaultChoice>>(null!, []) : Enumerable.Range(0, 1 + r.Next(3)).Select(_ => Choice()!).ToList() };
        }
        else
        {
            options = options with { Faults = [new FaultChoice(Pick(FaultKinds.OfChildren.ToArray())) { Duration = TimeSpan.FromMilliseconds(1 + r.Next(500)) }] };
        }

        if (Vary())
        {
            options = options with
            {
                Targets = r.Next(8) == 0 ? null! : new FaultTargets
                {
                    Include = r.Next(5) == 0 ? null! : [Pattern()!],
                    Exclude = r.Next(5) == 0 ? null! : r.Next(2) == 0 ? [] : [Pattern()!],
                    Tags = r.Next(5) == 0 ? null! : r.Next(2) == 0 ? [] : [Pick<string>("db", "", null!)],
                    Rates = r.Next(5) == 0 ? null! : r.Next(2) == 0 ? [] : [(Pattern()!, Pick(0.5, 0, -1, double.NaN))],
                    IncludeSupervisors = r.Next(2) == 0,
                },
            };
        }

        if (Vary())
        {
            options = options with
            {
                Schedule = r.Next(8) == 0 ? null! : new FaultSchedule
                {
                    Interval = Duration(),
                    Random = r.Next(2) == 0,
                    Burst = Pick(1, 3, 0, -2),
                    Windows = r.Next(5) == 0 ? null! : r.Next(2) == 0 ? [] : [(Pick(TimeSpan.Zero, TimeSpan.FromSeconds(-1)), Pick(TimeSpan.FromSeconds(2), TimeSpan.Zero))],
                },
            };
        }
        else
        {
            options = options with { Schedule = FaultSchedule.Fixed(TimeSpan.FromMilliseconds(10 + r.Next(1_000))) };
        }

        if (Vary())
        {
            options = options with { Duration = Pick<TimeSpan?>(null, Duration()), MaxFaults = Pick<int?>(null, 1, 5, 0, -1) };
        }

        if (Vary())
        {
            options = options with { AbortWhenRootNotRunningFor = Pick<TimeSpan?>(null, Duration()), RecoveryTimeout = Duration() };
        }

        if (Vary())
        {
            options = options with { Replay = r.Next(4) == 0 ? new FaultJournal(1, null!) : new FaultJournal(1, Enumerable.Range(1, 1 + r.Next(4)).Select(i => Record(i)!).ToList()) };
        }

        if (Vary())
        {
            options = options with { EnvironmentName = Pick<string?>("Production", "production", null, "Staging"), AllowInProduction = r.Next(2) == 0 };
        }

        return options;
    }
}
