using Microsoft.Extensions.Options;

namespace Supervise.Hosting;

/// <summary>
/// Supervise's configuration is wrong: the host does not start, and every problem found is listed. It is an
/// <see cref="OptionsValidationException"/> of <see cref="SuperviseOptions"/>, as the options' validation on the host's start
/// throws it (its <see cref="OptionsValidationException.Failures"/> are the <see cref="Problems"/>).
/// </summary>
public sealed class SuperviseConfigurationException : OptionsValidationException
{
    /// <summary>Lists <paramref name="problems"/>, one per line.</summary>
    public SuperviseConfigurationException(IReadOnlyList<string> problems)
        : base(Microsoft.Extensions.Options.Options.DefaultName, typeof(SuperviseOptions), problems ?? throw new ArgumentNullException(nameof(problems)))
    {
        Problems = problems;
    }

    /// <summary>Each problem: what was wrong, where, what was expected and what was received.</summary>
    public IReadOnlyList<string> Problems { get; }

    /// <inheritdoc/>
    public override string Message =>
        $"Supervise cannot start: {Problems.Count} configuration problem(s):{Environment.NewLine}" + string.Join(Environment.NewLine, Problems.Select(p => "  - " + p));
}
