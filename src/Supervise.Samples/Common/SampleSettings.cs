namespace Supervise.Samples.Common;

/// <summary>The options every sample takes, as given on the command line (null: the sample's default).</summary>
/// <param name="Seed">Drives every random choice; drawn and printed when not given.</param>
/// <param name="Duration">How long the sample runs.</param>
/// <param name="FaultsPerSecond">How often the fault injector strikes; 0 turns it off.</param>
/// <param name="Live">The live terminal view, or plain structured log lines.</param>
/// <param name="ReportPath">Where to write the report: JSON, or HTML when the name ends in .html.</param>
internal sealed record SampleSettings(int? Seed, TimeSpan? Duration, double? FaultsPerSecond, bool Live, string? ReportPath)
{
    /// <summary>The sample's own switches given on the command line (see <see cref="ISample.Switches"/>), by name.</summary>
    public IReadOnlySet<string> Switches { get; init; } = new HashSet<string>();

    /// <summary>Whether the dashboard is served on 127.0.0.1 while the sample runs (<c>--dashboard</c>).</summary>
    public bool Dashboard { get; init; }
}

/// <summary>What a sample is: its name, what it teaches, and its defaults.</summary>
internal interface ISample
{
    /// <summary>The sub-command.</summary>
    string Name { get; }

    /// <summary>One line for the help text.</summary>
    string Summary { get; }

    /// <summary>How long it runs unless told.</summary>
    TimeSpan DefaultDuration { get; }

    /// <summary>How often faults strike unless told.</summary>
    double DefaultFaultsPerSecond { get; }

    /// <summary>Why it takes no <c>--faults-per-second</c> (its faults are scripted), or null when it takes one.</summary>
    string? ScriptedFaults => null;

    /// <summary>Why it takes no <c>--duration</c> (it runs its steps, then ends), or null when it takes one.</summary>
    string? FixedLength => null;

    /// <summary>Switches of its own (name without the dashes, and what it does), for example trading's <c>--no-canary</c>.</summary>
    IReadOnlyList<(string Name, string Description)> Switches => [];

    /// <summary>Runs it; the outcome says whether its invariant held.</summary>
    Task<SampleOutcome> RunAsync(SampleRun run);
}

/// <summary>How a sample run ended: whether its invariant held, and what it measured.</summary>
/// <param name="InvariantHeld">Whether what the sample promises held throughout.</param>
/// <param name="Invariant">The invariant, in words.</param>
/// <param name="Findings">What it measured and saw, one line each, for the summary and the report.</param>
/// <param name="Violations">Each way the invariant was broken (empty when it held).</param>
internal sealed record SampleOutcome(bool InvariantHeld, string Invariant, IReadOnlyList<string> Findings, IReadOnlyList<string> Violations)
{
    /// <summary>The chaos run's report, when the sample ran one.</summary>
    public ChaosReport? Chaos { get; init; }
}
