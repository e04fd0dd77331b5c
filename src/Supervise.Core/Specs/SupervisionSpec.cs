namespace Supervise;

/// <summary>What every supervisor spec has: its restart intensity and period.</summary>
public abstract record SupervisionSpec
{
    private protected SupervisionSpec()
    {
    }

    /// <summary>The default restart intensity: 3 restarts.</summary>
    public const int DefaultIntensity = 3;

    /// <summary>The default restart period: 5 seconds.</summary>
    public static readonly TimeSpan DefaultPeriod = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How many restarts the supervisor makes within <see cref="Period"/>. One more and it gives up:
    /// it stops its children and fails to its parent. Default: 3. Must be 0 or more.
    /// </summary>
    public int Intensity { get; init; } = DefaultIntensity;

    /// <summary>The length of the sliding restart window. Default: 5 seconds. Must be positive.</summary>
    public TimeSpan Period { get; init; } = DefaultPeriod;

    /// <summary>
    /// The degradation policies of children whose own <see cref="ChildSpec.Policies"/> is <see langword="null"/>.
    /// Default: none, which is OTP's behaviour (escalate when the intensity is exceeded).
    /// </summary>
    public IReadOnlyList<DegradationPolicy> DefaultPolicies { get; init; } = [];

    /// <summary>Every problem in this spec and the specs nested in it; empty when it is valid.</summary>
    /// <param name="rootName">The name the root is reported under in each problem's path.</param>
    public IReadOnlyList<SpecProblem> Validate(string rootName = "root") => SpecValidator.Validate(this, rootName);

    /// <summary>Throws a <see cref="SpecValidationException"/> listing every problem, if there is any.</summary>
    /// <param name="rootName">The name the root is reported under in each problem's path.</param>
    public void EnsureValid(string rootName = "root")
    {
        var problems = Validate(rootName);
        if (problems.Count > 0)
        {
            throw new SpecValidationException(problems);
        }
    }
}
