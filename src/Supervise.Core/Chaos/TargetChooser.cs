using System.Text.RegularExpressions;

namespace Supervise.Chaos;

/// <summary>
/// Which children a chaos run may hit, how likely each is, and the seeded draws that choose a fault kind and a
/// target. Plain code: given the same seed and the same candidates, it chooses the same, which is what makes a
/// run replayable.
/// </summary>
/// <remarks>
/// What the options say of a target (its patterns, tags and rate) is worked out once per target and kept on it (a
/// supervisor hands out the same target again while its child has not changed); what changes
/// from one fault to the next (a fault under way there, a hold) is looked at only for the target drawn
/// (<see cref="PickTarget"/>), not for every target of the tree: the cost of a fault no longer grows with the tree's
/// size times the faults under way.
/// </remarks>
internal sealed class TargetChooser
{
    private readonly FaultTargets _targets;
    private readonly Random _random;
    private readonly Random _targetDraws;
    private readonly Regex[] _include;
    private readonly Regex[] _exclude;
    private readonly (Regex Pattern, double Rate)[] _rates;
    private double[] _cumulative = [];

    /// <summary>The list <see cref="_cumulative"/> sums the weights of, and their total.</summary>
    private IReadOnlyList<FaultTarget>? _summed;
    private double _total;

    /// <summary>How many draws <see cref="PickTarget"/> makes before it filters every candidate instead.</summary>
    public const int Draws = 16;

    public TargetChooser(FaultTargets targets, int seed)
    {
        _targets = targets;
        _random = new Random(seed);
        _targetDraws = new Random(unchecked((seed * 7919) + 3)); // its own stream: the kinds a seed picks do not depend on how many draws a target took
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
    public bool Allows(FaultTarget target) => WeightOf(target) > 0;

    /// <summary>
    /// How likely <paramref name="target"/> is to be hit, relative to the others: its rate if the options allow it
    /// (see <see cref="Allows"/>), else 0. Kept on the target, for this chooser.
    /// </summary>
    public double WeightOf(FaultTarget target)
    {
        if (target.Running is null)
        {
            return 0;
        }

        if (target.Weighed is { } weighed && ReferenceEquals(weighed.Chooser, this))
        {
            return weighed.Weight;
        }

        var allowed = (target.Kind == ChildKind.Worker || _targets.IncludeSupervisors || target.ChildId == "")
            && _include.Any(r => r.IsMatch(target.Path))
            && !_exclude.Any(r => r.IsMatch(target.Path))
            && (_targets.Tags.Count == 0 || target.Tags.Any(_targets.Tags.Contains));
        var weight = allowed ? RateOf(target.Path) : 0;
        target.Weighed = new Weighing(this, weight);
        return weight;
    }

    /// <summary>
    /// One of <paramref name="candidates"/> that the options allow and <paramref name="eligibleNow"/> accepts, drawn
    /// with probability proportional to its weight; null if there is none. The drawn target alone is checked: up to
    /// <see cref="Draws"/> draws, then every candidate is filtered and one drawn from those left, so the choice is the
    /// same distribution as filtering first (rejection sampling is exact), at the cost of a few checks instead of one
    /// per target.
    /// </summary>
    public FaultTarget? PickTarget(IReadOnlyList<FaultTarget> candidates, Func<FaultTarget, bool> eligibleNow)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(eligibleNow);
        if (!ReferenceEquals(candidates, _summed))
        {
            // A target's weight does not change for this chooser: the sums hold for every draw from the same list (a burst's).
            if (_cumulative.Length < candidates.Count)
            {
                _cumulative = new double[Math.Max(candidates.Count, _cumulative.Length * 2)];
            }

            _total = 0.0;
            for (var i = 0; i < candidates.Count; i++)
            {
                _total += WeightOf(candidates[i]);
                _cumulative[i] = _total;
            }

            _summed = candidates;
        }

        var total = _total;

        if (total <= 0)
        {
            return null;
        }

        for (var draw = 0; draw < Draws; draw++)
        {
            var x = _targetDraws.NextDouble() * total;
            var index = Array.BinarySearch(_cumulative, 0, candidates.Count, x);
            index = index < 0 ? ~index : index + 1; // the first whose cumulative weight is above x
            var target = candidates[Math.Min(index, candidates.Count - 1)];
            if (WeightOf(target) > 0 && eligibleNow(target))
            {
                return target;
            }
        }

        var left = candidates.Where(t => WeightOf(t) > 0 && eligibleNow(t)).ToList();
        return left.Count == 0 ? null : Pick(_targetDraws, left, WeightOf);
    }

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
    public T Pick<T>(IReadOnlyList<T> items, Func<T, double> weight) => Pick(_random, items, weight);

    private static T Pick<T>(Random random, IReadOnlyList<T> items, Func<T, double> weight)
    {
        var total = items.Sum(weight);
        var x = random.NextDouble() * total;
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
