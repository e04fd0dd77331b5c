using System.Collections.Concurrent;

namespace Supervise.Dashboard;

/// <summary>A chaos run as the page asks for it. Every field may be left out; the defaults are mild.</summary>
/// <param name="Seed">The run's seed (default: a random one, reported).</param>
/// <param name="IntervalMs">The mean gap between faults, in milliseconds (a Poisson schedule). Default 1000.</param>
/// <param name="Kinds">Fault kinds by name (default: Crash).</param>
/// <param name="Include">Target path patterns (default: every child of the tree).</param>
/// <param name="DurationSeconds">How long it runs (default 60).</param>
/// <param name="StayBelowIntensity">Never take a supervisor past its restart intensity (default: on).</param>
/// <param name="MaxFaults">Ends after this many faults, if that comes first.</param>
internal sealed record ChaosRequest(int? Seed, double? IntervalMs, IReadOnlyList<string>? Kinds, IReadOnlyList<string>? Include, double? DurationSeconds, bool? StayBelowIntensity, int? MaxFaults);

/// <summary>What the page is told about a tree's chaos run: <paramref name="Faults"/> carried out so far (not those skipped).</summary>
internal sealed record ChaosStatus(string Tree, bool Running, int? Seed, int Faults, int InjectionTimes, string? Report);

/// <summary>Chaos runs started from the dashboard, one per tree at a time; the rules that turn a request into options.</summary>
internal sealed class DashboardChaos
{
    private readonly ConcurrentDictionary<string, FaultInjector> _runs = new(StringComparer.Ordinal);

    /// <summary>The longest run the page may start.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromHours(24);

    /// <summary>The request as chaos options for <paramref name="tree"/>, or the problems with it, each naming the field and what was expected.</summary>
    public static (ChaosOptions? Options, IReadOnlyList<string> Problems) ToOptions(ChaosRequest request, string tree, string environmentName, bool allowInProduction)
    {
        var problems = new List<string>();
        var kinds = new List<FaultKind>();
        foreach (var name in request.Kinds is { Count: > 0 } given ? given : ["Crash"])
        {
            if (Enum.TryParse<FaultKind>(name, ignoreCase: true, out var kind) && !int.TryParse(name, out _) && FaultKinds.OfChildren.Contains(kind))
            {
                kinds.Add(kind);
            }
            else
            {
                problems.Add($"kinds: expected fault kinds among {string.Join(", ", FaultKinds.OfChildren)}, received '{TreeViews.Cut(name ?? "null", 50)}'");
            }
        }

        var interval = request.IntervalMs ?? 1000;
        if (!(interval >= 1 && interval <= 3_600_000))
        {
            problems.Add($"intervalMs: expected a mean interval from 1 ms to one hour (3600000), received {interval}");
        }

        var duration = request.DurationSeconds ?? 60;
        if (!(duration > 0 && duration <= Longest.TotalSeconds))
        {
            problems.Add($"durationSeconds: expected a duration above 0 and at most a day ({Longest.TotalSeconds}), received {duration}");
        }

        var include = request.Include is { Count: > 0 } patterns ? patterns.Select(p => string.IsNullOrWhiteSpace(p) ? p : p.Trim()).ToList() : [tree + "/**"];
        if (problems.Count > 0)
        {
            return (null, problems);
        }

        var options = new ChaosOptions
        {
            Seed = request.Seed,
            EnvironmentName = environmentName,
            AllowInProduction = allowInProduction,
            Faults = [.. kinds.Select(k => new FaultChoice(k))],
            Targets = new FaultTargets { Include = include! },
            Schedule = FaultSchedule.Poisson(TimeSpan.FromMilliseconds(interval)),
            Duration = TimeSpan.FromSeconds(duration),
            MaxFaults = request.MaxFaults,
            StayBelowIntensity = request.StayBelowIntensity ?? true,
        };
        return options.Validate() is { Count: > 0 } invalid ? (null, invalid.Select(p => p.ToString()).ToList()) : (options, []);
    }

    /// <summary>Starts a run on <paramref name="tree"/>, unless one started from here still runs there.</summary>
    public async Task<FaultInjector?> StartAsync(SupervisionTree tree, ChaosOptions options, CancellationToken cancellationToken)
    {
        if (_runs.TryGetValue(tree.Name, out var running) && !running.Completion.IsCompleted)
        {
            return null;
        }

        var injector = await tree.StartChaosAsync(options, cancellationToken).ConfigureAwait(false);
        _runs[tree.Name] = injector;
        return injector;
    }

    /// <summary>The last run started from here on <paramref name="tree"/>, if any.</summary>
    public FaultInjector? Last(string tree) => _runs.GetValueOrDefault(tree);

    public static ChaosStatus Status(string tree, FaultInjector? run) => run is null
        ? new ChaosStatus(tree, false, null, 0, 0, null)
        : new ChaosStatus(tree, !run.Completion.IsCompleted, run.Seed, run.Journal.Faults.Count(f => f.Skipped is null), run.InjectionTimes, run.Completion.IsCompletedSuccessfully ? run.Completion.Result.ToText() : null);
}
