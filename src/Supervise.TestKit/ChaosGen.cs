using System.Globalization;
using System.Text;
using Akka.Actor;
using CsCheck;

namespace Supervise.Testing;

/// <summary>
/// The shape of a generated supervisor: its strategy, intensity and children. Plain data, so that a failing
/// case prints small and CsCheck can shrink it; <see cref="ToSpec"/> makes the spec.
/// </summary>
/// <param name="Strategy">The supervisor's strategy.</param>
/// <param name="Intensity">Its restart intensity.</param>
/// <param name="PeriodSeconds">Its restart period, in seconds.</param>
/// <param name="Children">Its children, in start order.</param>
public sealed record TreeShape(Strategy Strategy, int Intensity, int PeriodSeconds, IReadOnlyList<NodeShape> Children)
{
    /// <summary>Workers anywhere below.</summary>
    public int Workers => Children.Sum(c => c.Subtree?.Workers ?? 1);

    /// <summary>Supervisors, this one included.</summary>
    public int Supervisors => 1 + Children.Sum(c => c.Subtree?.Supervisors ?? 0);

    /// <summary>The spec: workers run <paramref name="worker"/>; ids are <c>w0</c>, <c>s1</c>, ... by position.</summary>
    public SupervisorSpec ToSpec(Props worker) => new()
    {
        Strategy = Strategy,
        Intensity = Intensity,
        Period = TimeSpan.FromSeconds(PeriodSeconds),
        Children = Children.Select((c, i) => c.Subtree is { } sub
            ? ChildSpec.ForSupervisor($"s{i}", sub.ToSpec(worker))
            : ChildSpec.Worker($"w{i}", worker) with { Restart = c.Restart }).ToList(),
    };

    /// <summary>A compact description, for example <c>OneForAll(3/5s)[w, w:Temporary, OneForOne(1/5s)[w]]</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        Write(text);
        return text.ToString();
    }

    private void Write(StringBuilder text)
    {
        text.Append(CultureInfo.InvariantCulture, $"{Strategy}({Intensity}/{PeriodSeconds}s)[");
        for (var i = 0; i < Children.Count; i++)
        {
            text.Append(i == 0 ? "" : ", ");
            if (Children[i].Subtree is { } sub)
            {
                sub.Write(text);
            }
            else
            {
                text.Append(Children[i].Restart == RestartType.Permanent ? "w" : $"w:{Children[i].Restart}");
            }
        }

        text.Append(']');
    }
}

/// <summary>One child of a generated supervisor: a worker with its restart type, or a nested supervisor.</summary>
/// <param name="Restart">For a worker: its restart type.</param>
/// <param name="Subtree">For a nested supervisor: its shape; <see langword="null"/> for a worker.</param>
public sealed record NodeShape(RestartType Restart, TreeShape? Subtree);

/// <summary>One generated chaos case: a tree and a run on it.</summary>
/// <param name="Tree">The tree's shape.</param>
/// <param name="Options">The chaos run.</param>
public sealed record ChaosCase(TreeShape Tree, ChaosOptions Options)
{
    /// <summary>The tree and the run's seed, faults and schedule, on one line.</summary>
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"tree {Tree}; chaos seed {Options.Seed}, faults [{string.Join(", ", Options.Faults.Select(f => $"{f.Kind}×{f.Weight}"))}], every {Options.Schedule.Interval.TotalMilliseconds} ms{(Options.Schedule.Random ? " (Poisson)" : "")}, burst {Options.Schedule.Burst}, at most {Options.MaxConcurrentFaults} at once{(Options.StayBelowIntensity ? ", below intensity" : "")}");
}

/// <summary>
/// CsCheck generators for property-based chaos: random trees × random fault schedules. Sizes shrink toward
/// small trees (few children, shallow, one strategy) and simple runs (one fault kind, one at a time).
/// </summary>
public static class ChaosGen
{
    /// <summary>Supervisor shapes up to <paramref name="maxDepth"/> levels deep with 1 to <paramref name="maxChildren"/> children each.</summary>
    public static Gen<TreeShape> Trees(int maxDepth = 3, int maxChildren = 5)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDepth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChildren, 1);
        return Shape(maxDepth, maxChildren);
    }

    /// <summary>
    /// Chaos runs: a seed, a weighted mix of some of <paramref name="kinds"/> (all kinds if none are given),
    /// a Poisson or fixed schedule of 100 ms to 2 s, bursts of 1 to 3, 1 to 4 faults at once, and whether to
    /// stay below the intensity. Every run is in environment "Test".
    /// </summary>
    public static Gen<ChaosOptions> Runs(params FaultKind[] kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        var choices = kinds.Length == 0 ? FaultKinds.OfChildren.ToArray() : kinds;
        var fault = from kind in Gen.Int[0, choices.Length - 1]
                    from weight in Gen.Int[1, 4]
                    select new FaultChoice(choices[kind], weight) { Duration = TimeSpan.FromMilliseconds(300), Count = 2 };
        return from faults in fault.Array[1, Math.Min(4, choices.Length)]
               from intervalMs in Gen.Int[100, 2000]
               from poisson in Gen.Bool
               from burst in Gen.Int[1, 3]
               from concurrent in Gen.Int[1, 4]
               from below in Gen.Bool
               from seed in Gen.Int[0, 1_000_000]
               select new ChaosOptions
               {
                   Seed = seed,
                   EnvironmentName = "Test",
                   Faults = faults.DistinctBy(f => f.Kind).ToList(),
                   Schedule = (poisson ? FaultSchedule.Poisson(TimeSpan.FromMilliseconds(intervalMs)) : FaultSchedule.Fixed(TimeSpan.FromMilliseconds(intervalMs))) with { Burst = burst },
                   MaxConcurrentFaults = concurrent,
                   StayBelowIntensity = below,
               };
    }

    /// <summary>
    /// Cases: a tree from <paramref name="trees"/> with a run from <paramref name="runs"/>. A case is smaller
    /// than another when it has fewer workers, then fewer supervisors, then fewer fault kinds and a smaller
    /// burst: what CsCheck shrinks a failing case toward.
    /// </summary>
    public static Gen<ChaosCase> Cases(Gen<TreeShape>? trees = null, Gen<ChaosOptions>? runs = null) => new Sized<ChaosCase>(
        from tree in trees ?? Trees()
        from run in runs ?? Runs()
        select new ChaosCase(tree, run),
        c => (ulong)((((c.Tree.Workers * 100) + c.Tree.Supervisors) * 10 + c.Options.Faults.Count) * 10 + c.Options.Schedule.Burst));

    // CsCheck orders cases by the values drawn, first drawn first: the number of children comes first, so a
    // failing case shrinks toward fewer children before anything else.
    private static Gen<TreeShape> Shape(int depth, int maxChildren) =>
        from count in Gen.Int[1, maxChildren]
        from children in Node(depth, maxChildren).Array[count]
        from strategy in Gen.Enum<Strategy>()
        from intensity in Gen.Int[0, 5]
        from period in Gen.Int[1, 10]
        select new TreeShape(strategy, intensity, period, children);

    /// <summary>Orders the values of <paramref name="inner"/> by <paramref name="key"/> first, then by what they were drawn from.</summary>
    private sealed class Sized<T>(Gen<T> inner, Func<T, ulong> key) : Gen<T>
    {
        public override T Generate(PCG pcg, Size? min, out Size size)
        {
            var value = inner.Generate(pcg, null, out var drawn);
            size = new Size(key(value), drawn);
            return value;
        }
    }

    private static Gen<NodeShape> Node(int depth, int maxChildren)
    {
        var worker = Gen.Enum<RestartType>().Select(r => new NodeShape(r, null));
        return depth <= 1
            ? worker
            : Gen.Frequency((3, worker), (1, Shape(depth - 1, maxChildren).Select(s => new NodeShape(RestartType.Permanent, s))));
    }
}
