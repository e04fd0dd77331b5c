namespace Supervise.Samples.Common;

/// <summary>
/// One lane of the report's timeline: a supervisor or a child, or the many short-lived children of one supervisor drawn
/// together (<see cref="Summary"/> says how many and what happened to them).
/// </summary>
internal sealed record Lane(string Label, IReadOnlyList<string> Paths, string? Summary = null)
{
    public bool IsGroup => Summary is not null;
}

/// <summary>A stretch of time one child spends in one health state.</summary>
internal readonly record struct Band(TimeSpan From, TimeSpan To, HealthState State);

/// <summary>How many of a group's children were in each state that is not Running, during one slice of the run.</summary>
internal readonly record struct GroupSlice(TimeSpan From, TimeSpan To, int Restarting, int Degraded, int Down)
{
    public int Total => Restarting + Degraded + Down;
}

/// <summary>
/// Which lanes the report draws, and what each shows: decided here from the run's moments, drawn by <see cref="ReportWriter"/>.
/// </summary>
internal static class ReportLanes
{
    /// <summary>The most lanes a report draws; those left out are counted on the page.</summary>
    public const int MaxLanes = 60;

    /// <summary>A supervisor with more children that did something than this gets one lane for them all (a switch's calls).</summary>
    public const int GroupAbove = 8;

    /// <summary>
    /// The lanes to draw, in path order (numbers as numbers), and how many were left out. Supervisors, groups and children
    /// whose health changed come first; then the children with the most happening.
    /// </summary>
    public static (IReadOnlyList<Lane> Lanes, int Cut) Of(IReadOnlyList<Moment> moments) => Of(ByPath(moments));

    /// <summary>The lanes to draw from the run's moments already grouped by path (<see cref="ByPath"/>).</summary>
    public static (IReadOnlyList<Lane> Lanes, int Cut) Of(Dictionary<string, List<Moment>> byPath)
    {
        // A path only stopped (a call that ended quietly) draws nothing of its own.
        var drawn = byPath.Where(p => p.Value.Exists(m => m.Kind != MomentKind.Stopped)).Select(p => p.Key).ToList();
        var parents = drawn.Select(Parent).ToHashSet(StringComparer.Ordinal);
        var groups = drawn
            .Where(p => !parents.Contains(p) && p.Contains('/', StringComparison.Ordinal))
            .GroupBy(Parent, StringComparer.Ordinal)
            .Where(g => g.Count() > GroupAbove)
            .ToDictionary(g => g.Key, g => g.Order(NaturalOrder.Instance).ToList(), StringComparer.Ordinal);
        var grouped = groups.Values.SelectMany(g => g).ToHashSet(StringComparer.Ordinal);
        var lanes = drawn.Where(p => !grouped.Contains(p)).Select(p => new Lane(p, [p]))
            .Concat(groups.Select(g => new Lane(g.Key + "/*", g.Value, Summarise(g.Value, byPath))));
        var ranked = lanes
            .OrderByDescending(l => l.IsGroup || byPath[l.Paths[0]].Exists(m => m.Kind is MomentKind.Health or MomentKind.GaveUp))
            .ThenByDescending(l => l.Paths.Sum(p => byPath[p].Count))
            .ToList();
        var kept = ranked.Take(MaxLanes).OrderBy(l => l.Label, NaturalOrder.Instance).ToList();
        return (kept, ranked.Count - kept.Count);
    }

    /// <summary>The run's moments (not the narration), by path, each in time order.</summary>
    public static Dictionary<string, List<Moment>> ByPath(IEnumerable<Moment> moments) =>
        moments.Where(m => m.Kind != MomentKind.Say && m.Path.Length > 0)
            .GroupBy(m => m.Path, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(m => m.At).ToList(), StringComparer.Ordinal);

    /// <summary>
    /// A child's health over the run, from its moments: Running until told otherwise, each change from when it happened. A
    /// stopped child has no band until it is started again (its lane is not left Down, or Running, for a child that is gone).
    /// </summary>
    public static IEnumerable<Band> Bands(IEnumerable<Moment> ofOnePath, TimeSpan end)
    {
        HealthState? state = HealthState.Running;
        var since = TimeSpan.Zero;
        foreach (var m in ofOnePath)
        {
            var next = m.Kind switch
            {
                MomentKind.Health => m.Health,
                MomentKind.Stopped => null,
                MomentKind.Started or MomentKind.Restart when state is null => HealthState.Running,
                _ => state,
            };
            if (next == state)
            {
                continue;
            }

            if (state is { } was && m.At > since)
            {
                yield return new Band(since, m.At, was);
            }

            state = next;
            since = m.At;
        }

        if (state is { } last && end > since)
        {
            yield return new Band(since, end, last);
        }
    }

    /// <summary>
    /// A group's children's health in <paramref name="slices"/> equal slices from <paramref name="start"/> to
    /// <paramref name="end"/>: in each, how many were Restarting, Degraded or Down at some time during it.
    /// </summary>
    public static IReadOnlyList<GroupSlice> Slices(IEnumerable<IEnumerable<Moment>> children, TimeSpan start, TimeSpan end, int slices)
    {
        var counts = new int[slices, 3];
        var width = (end - start) / slices;
        var seen = new bool[slices, 3];
        foreach (var child in children)
        {
            Array.Clear(seen);
            foreach (var band in Bands(child, end))
            {
                if (band.State == HealthState.Running || width <= TimeSpan.Zero)
                {
                    continue;
                }

                // A band that ends where a slice begins is not in that slice; a child is counted once a slice and state.
                var first = Math.Clamp((int)((band.From - start) / width), 0, slices - 1);
                var last = Math.Clamp((int)Math.Ceiling((band.To - start) / width) - 1, first, slices - 1);
                var state = band.State switch { HealthState.Restarting => 0, HealthState.Degraded => 1, _ => 2 };
                for (var i = first; i <= last; i++)
                {
                    if (!seen[i, state])
                    {
                        seen[i, state] = true;
                        counts[i, state]++;
                    }
                }
            }
        }

        return [.. Enumerable.Range(0, slices).Select(i => new GroupSlice(start + (width * i), start + (width * (i + 1)), counts[i, 0], counts[i, 1], counts[i, 2]))];
    }

    private static string Summarise(List<string> children, Dictionary<string, List<Moment>> byPath)
    {
        var all = children.SelectMany(c => byPath[c]).ToList();
        int Count(MomentKind kind) => all.Count(m => m.Kind == kind);
        var down = children.Count(c => byPath[c].Exists(m => m.Health == HealthState.Down));
        return $"{children.Count} children drawn as one lane: {Count(MomentKind.Fault)} faults, {Count(MomentKind.Crash)} crashes, "
            + $"{Count(MomentKind.Restart)} restarts, {down} ever Down";
    }

    private static string Parent(string path) => path.LastIndexOf('/') is var at and > 0 ? path[..at] : "";
}
