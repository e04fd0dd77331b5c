using System.Globalization;

namespace Supervise.Benchmarks.Soak;

/// <summary>How long a soak runs and how hard its faults come.</summary>
/// <param name="Duration">How long the chaos run lasts.</param>
/// <param name="MaxFaults">Ends the run after this many faults, if that comes first (0: no limit).</param>
/// <param name="Interval">The mean gap between injection times (a Poisson schedule).</param>
/// <param name="Burst">Faults at each injection time.</param>
/// <param name="Seed">The chaos run's seed (also the seed of which worker each tracked message goes to).</param>
public sealed record SoakSettings(TimeSpan Duration, int MaxFaults, TimeSpan Interval, int Burst, int Seed)
{
    /// <summary>The CI soak: 45 s, a fault every 5 ms on average in twos.</summary>
    public static SoakSettings Default { get; } = new(TimeSpan.FromSeconds(45), 0, TimeSpan.FromMilliseconds(5), 2, 20261205);

    /// <summary>What the command line says.</summary>
    public const string Usage = "soak [--minutes <above 0> | --seconds <above 0>] [--faults <0 or more; 0: no limit>] [--interval-ms <1 or more>] [--burst <1 or more>] [--seed <integer>]";

    /// <summary>
    /// Reads <c>--minutes</c> (or <c>--seconds</c>), <c>--faults</c>, <c>--interval-ms</c>, <c>--burst</c> and <c>--seed</c>;
    /// what is not given keeps <see cref="Default"/>'s value.
    /// </summary>
    /// <exception cref="ArgumentException">An unknown option, a missing value, or a value out of range: the message names it and what was expected.</exception>
    public static SoakSettings Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var settings = Default;
        for (var i = 0; i < args.Count; i += 2)
        {
            var name = args[i];
            if (!Options.Contains(name))
            {
                throw new ArgumentException($"{name}: not an option of the soak. Usage: {Usage}");
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"{name}: expected a value after it. Usage: {Usage}");
            }

            var value = args[i + 1];
            settings = name switch
            {
                "--minutes" => settings with { Duration = TimeSpan.FromMinutes(Positive(name, value, Longest.TotalMinutes)) },
                "--seconds" => settings with { Duration = TimeSpan.FromSeconds(Positive(name, value, Longest.TotalSeconds)) },
                "--faults" => settings with { MaxFaults = Whole(name, value, 0, int.MaxValue) },
                "--interval-ms" => settings with { Interval = TimeSpan.FromMilliseconds(Whole(name, value, 1, 60_000)) },
                "--burst" => settings with { Burst = Whole(name, value, 1, 256) },
                _ => settings with { Seed = Whole(name, value, int.MinValue, int.MaxValue) },
            };
        }

        return settings;
    }

    /// <summary>The CI soak's settings, changed by <c>SUPERVISE_SOAK_SECONDS</c>, <c>SUPERVISE_SOAK_FAULTS</c>, <c>SUPERVISE_SOAK_INTERVAL_MS</c> and <c>SUPERVISE_SOAK_BURST</c> when set.</summary>
    public static SoakSettings FromEnvironment()
    {
        var args = new List<string>();
        foreach (var (variable, option) in new[] { ("SUPERVISE_SOAK_SECONDS", "--seconds"), ("SUPERVISE_SOAK_FAULTS", "--faults"), ("SUPERVISE_SOAK_INTERVAL_MS", "--interval-ms"), ("SUPERVISE_SOAK_BURST", "--burst") })
        {
            if (Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value)
            {
                args.AddRange([option, value]);
            }
        }

        return Parse(args);
    }

    private static readonly string[] Options = ["--minutes", "--seconds", "--faults", "--interval-ms", "--burst", "--seed"];

    /// <summary>The longest run: its ledger of tracked messages (about 80 KB a second) is made before it starts.</summary>
    public static readonly TimeSpan Longest = TimeSpan.FromHours(2);

    private static double Positive(string name, string value, double max) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && number > 0 && number <= max
            ? number
            : throw new ArgumentException(FormattableString.Invariant($"{name}: expected a number above 0 and at most {max:0} (two hours), received '{value}'."));

    private static int Whole(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) && number >= min && number <= max
            ? number
            : throw new ArgumentException($"{name}: expected a whole number{(min == int.MinValue ? "" : max == int.MaxValue ? $" of {min} or more" : $" from {min} to {max}")}, received '{value}'.");
}
