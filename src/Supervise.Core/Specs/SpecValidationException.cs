namespace Supervise;

/// <summary>Thrown before anything starts when a tree spec is invalid; lists every problem at once.</summary>
public sealed class SpecValidationException : Exception
{
    /// <summary>Creates the exception from the problems found.</summary>
    public SpecValidationException(IReadOnlyList<SpecProblem> problems)
        : base(Describe(problems))
    {
        Problems = problems;
    }

    /// <summary>Every problem found, in tree order.</summary>
    public IReadOnlyList<SpecProblem> Problems { get; }

    private static string Describe(IReadOnlyList<SpecProblem> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        var noun = problems.Count == 1 ? "problem" : "problems";
        return $"The supervision spec has {problems.Count} {noun}:{Environment.NewLine}"
            + string.Join(Environment.NewLine, problems.Select(p => "  - " + p));
    }
}
