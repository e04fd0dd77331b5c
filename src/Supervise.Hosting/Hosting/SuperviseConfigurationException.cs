namespace Supervise.Hosting;

/// <summary>Supervise's configuration is wrong: the host does not start, and every problem found is listed.</summary>
public sealed class SuperviseConfigurationException : Exception
{
    /// <summary>Lists <paramref name="problems"/>, one per line.</summary>
    public SuperviseConfigurationException(IReadOnlyList<string> problems)
        : base(Describe(problems ?? throw new ArgumentNullException(nameof(problems))))
    {
        Problems = problems;
    }

    /// <summary>Each problem: what was wrong, where, what was expected and what was received.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Describe(IReadOnlyList<string> problems) =>
        $"Supervise cannot start: {problems.Count} configuration problem(s):{Environment.NewLine}" + string.Join(Environment.NewLine, problems.Select(p => "  - " + p));
}
