using System.Text.RegularExpressions;

namespace Supervise.Chaos;

/// <summary>
/// Which children a chaos run may hit, how likely each is, and the seeded draws that choose a fault kind and a
/// target. Plain code: given the same seed and the same candidates, it chooses the same, which is what makes a
/// run replayable.
/// </summary>
internal sealed class TargetChooser
{
    private readonly FaultTargets _targets;
    private readonly Random _random;
    private readonly Regex[] _include;
    private readonly Regex[] _exclude;
    private readonly (Regex Pattern, double Rate)[] _rates;

    public TargetChooser(FaultTargets targets, int seed)
    {
        _targets = targets;
        _random = new Random(seed);
        _include = targets.Include.Select(Glob).ToArray();
        _exclude = targets.Exclude.Select(Glob).ToArray();
        _rates = targets.Rates.Select(r => (Glob(r.Pattern), r.Rate)).ToArray();
    }

    /// <summary>A path pattern: <c>**</c> any number of segments, <c>*</c> within one segment.</summary>
    public static Regex Glob(string pattern) => new(
        "^" + Regex.Escape(pattern).Replace(@"\*\*", "\u0001", StringComparison.Ordinal).Replace(@"\*", "[^/]*", StringComparison.Ordinal).Replace("\u0001", ".*", StringComparison.Ordinal) + "$",
        RegexOptions.CultureInvariant);

    /// <summary>
    /// Whether the options allow hitting <paramref name="target"/>: it runs, it is a worker (or supervisors are
    /// included, or it is the root asked for), its path is included and not excluded, it carries a tag asked for,
    /// and its rate is above zero.
    /// </summary>
    public bool Allows(FaultTarget target) =>
        target.Running is not null
        && (target.Kind == ChildKind.Worker || _targets.IncludeSupervisors || target.ChildId == "")
        && _include.Any(r => r.IsMatch(target.Path))
        && !_exclude.Any(r => r.IsMatch(target.Path))
        && (_targets.Tags.Count == 0 || target.Tags.Any(_targets.Tags.Contains))
        && RateOf(target.Path) > 0;

    /// <summary>The rate of the first pattern that matches <paramref name="path"/>; 1 if none does.</summary>
    public double RateOf(string path)
    {
        foreach (var (pattern, rate) in _rates)
        {
            if (pattern.IsMatch(path))
            {
                return rate;
            }
        }

        return 1;
    }

    /// <summary>One of <paramref name="items"/>, drawn with probability proportional to its weight.</summary>
    public T Pick<T>(IReadOnlyList<T> items, Func<T, double> weight)
    {
        var total = items.Sum(weight);
        var x = _random.NextDouble() * total;
        foreach (var item in items)
        {
            x -= weight(item);
            if (x < 0)
            {
                return item;
            }
        }

        return items[^1];
    }
}
