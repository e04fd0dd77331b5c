namespace Supervise;

/// <summary>One kind of fault the injector may choose, with its weight and parameters.</summary>
/// <param name="Kind">The kind.</param>
/// <param name="Weight">How often it is chosen relative to the others; positive.</param>
public sealed record FaultChoice(FaultKind Kind, double Weight = 1)
{
    /// <summary>For <see cref="FaultKind.Delay"/> and <see cref="FaultKind.Hang"/>: how long. Default: 1 second.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>For <see cref="FaultKind.Drop"/>: how many messages. Default: 1.</summary>
    public int Count { get; init; } = 1;

    /// <summary>For crashes, poison and failing restarts: makes the exception. Default: an <see cref="InjectedFaultException"/>.</summary>
    public Func<string, Exception>? Exception { get; init; }
}

/// <summary>Which children the injector may hit.</summary>
public sealed record FaultTargets
{
    /// <summary>
    /// Path patterns a target's path (<c>tree/supervisor/child</c>) must match, one of them: <c>*</c> matches
    /// within one segment, <c>**</c> any number of segments. Default: <c>**</c> (everything).
    /// </summary>
    public IReadOnlyList<string> Include { get; init; } = ["**"];

    /// <summary>Path patterns never hit, even if included. Default: none.</summary>
    public IReadOnlyList<string> Exclude { get; init; } = [];

    /// <summary>If not empty, only children whose spec has one of these tags (<see cref="ChildSpec.Tags"/>). Default: empty.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Whether nested supervisors may be hit (a crash then restarts their whole subtree). Default: false.</summary>
    public bool IncludeSupervisors { get; init; }

    /// <summary>Whether the tree's root supervisor itself may be hit (a simulated bug: the tree stops). Default: false.</summary>
    public bool IncludeRoot { get; init; }

    /// <summary>Relative rates for some targets: a target matching a pattern here is chosen that many times as often (first match wins). Default: all 1.</summary>
    public IReadOnlyList<(string Pattern, double Rate)> Rates { get; init; } = [];
}

/// <summary>When faults are injected, on the tree's clock.</summary>
public sealed record FaultSchedule
{
    /// <summary>Faults arrive at random, on average one per <paramref name="meanInterval"/> (exponential gaps).</summary>
    public static FaultSchedule Poisson(TimeSpan meanInterval) => new() { Interval = meanInterval, Random = true };

    /// <summary>One fault every <paramref name="interval"/>, exactly.</summary>
    public static FaultSchedule Fixed(TimeSpan interval) => new() { Interval = interval };

    /// <summary>The mean or fixed gap between injections.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Whether gaps are random (exponential) rather than fixed.</summary>
    public bool Random { get; init; }

    /// <summary>Faults injected at each injection time (a burst). Default: 1.</summary>
    public int Burst { get; init; } = 1;

    /// <summary>If not empty, injections happen only within these windows, measured from the start of the run. Default: always.</summary>
    public IReadOnlyList<(TimeSpan From, TimeSpan To)> Windows { get; init; } = [];

    /// <summary>Every problem with this schedule, its fields named under <paramref name="field"/>.</summary>
    internal void Validate(Action<string, string, string> problem, string field)
    {
        PolicyChecks.TimerDuration((n, e, r) => problem($"{field}.{n}", e, r), "Interval", Interval);
        if (Burst < 1)
        {
            problem($"{field}.Burst", "1 or more faults per injection", Burst.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (Windows is null)
        {
            problem($"{field}.Windows", "a list of windows (empty: always)", "null");
            return;
        }

        foreach (var (from, to) in Windows)
        {
            if (from < TimeSpan.Zero || to <= from)
            {
                problem($"{field}.Windows", "windows with 0 ≤ From < To", $"({from}, {to})");
            }
        }
    }
}

/// <summary>A chaos run: what to inject, where, when, and when to stop.</summary>
public sealed record ChaosOptions
{
    /// <summary>The seed of every random choice; the same seed in virtual time gives the same run. Default: a random seed, reported.</summary>
    public int? Seed { get; init; }

    /// <summary>The faults to choose from. Default: crashes only.</summary>
    public IReadOnlyList<FaultChoice> Faults { get; init; } = [new FaultChoice(FaultKind.Crash)];

    /// <summary>Which children may be hit.</summary>
    public FaultTargets Targets { get; init; } = new();

    /// <summary>
    /// The nodes node faults (<see cref="FaultKind.NodeLeave"/>, <see cref="FaultKind.NodeDown"/>,
    /// <see cref="FaultKind.NodeDeath"/>, <see cref="FaultKind.NodePartition"/>) are done to; needed when
    /// <see cref="Faults"/> has one. Default: none.
    /// </summary>
    public INodeFaults? Nodes { get; init; }

    /// <summary>When. Default: one fault per second on average.</summary>
    public FaultSchedule Schedule { get; init; } = FaultSchedule.Poisson(TimeSpan.FromSeconds(1));

    /// <summary>How long the run lasts on the tree's clock; <see langword="null"/> until halted. Default: null.</summary>
    public TimeSpan? Duration { get; init; }

    /// <summary>
    /// The run ends after this many faults have been carried out (skipped ones do not count), once they have
    /// recovered or their recovery timeout has passed; <see langword="null"/>: no limit. Default: null.
    /// </summary>
    public int? MaxFaults { get; init; }

    /// <summary>At most this many faults whose target has not recovered yet; injections wait. Default: 1; 1 or more.</summary>
    public int MaxConcurrentFaults { get; init; } = 1;

    /// <summary>
    /// Never hit a child whose restart would exceed its supervisor's intensity (the count in its window is
    /// kept by the injector from the restarts it sees). Default: false.
    /// </summary>
    public bool StayBelowIntensity { get; init; }

    /// <summary>
    /// With <see cref="StayBelowIntensity"/>: the share of each supervisor's intensity the run may fill. A fault is refused
    /// once the restarts in its supervisor's window (whatever caused them) and those of faults not landed yet would pass
    /// this share; what is left is the application's own. At 1 the run fills every window to the brim, and one crash of the
    /// application's own then makes that supervisor give up. Default: 1; above 0, at most 1.
    /// </summary>
    public double IntensityShare { get; init; } = 1;

    /// <summary>Stop injecting when the root has been below Running for this long (the reason is recorded). Default: never.</summary>
    public TimeSpan? AbortWhenRootNotRunningFor { get; init; }

    /// <summary>
    /// How long after a fault its target may take to run again before the fault counts as not recovered
    /// (and no longer holds a place under <see cref="MaxConcurrentFaults"/>). Default: 30 seconds.
    /// </summary>
    public TimeSpan RecoveryTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Replays a journal instead of choosing at random: the same faults at the same times on the same
    /// targets (a target that is not running then is skipped, and recorded so). Default: none.
    /// </summary>
    public FaultJournal? Replay { get; init; }

    /// <summary>
    /// How many records the journal (<see cref="ChaosReport.Journal"/>, <see cref="FaultInjector.Journal"/>) and the report's
    /// per-fault outcomes (<see cref="ChaosReport.Faults"/>) keep: the first ones (the journal's in the order they were made,
    /// so that a replay of it replays the run's beginning; the outcomes in the order they finished). Those after are counted (<see cref="FaultJournal.Omitted"/>, <see cref="ChaosReport.OutcomesOmitted"/>),
    /// never kept, so a long run's memory stays flat; every count in the report stays exact. To keep every record, give
    /// <see cref="JournalSink"/>. Default: 100,000 (about 50 MB at most); 0 or more.
    /// </summary>
    public int JournalCapacity { get; init; } = 100_000;

    /// <summary>
    /// Given every journal record as it is made, in order, kept or not (to stream a long run to a file, say). Called on the
    /// injector's thread: it must not block. If it throws, the run ends, saying so. Default: none.
    /// </summary>
    public Action<FaultRecord>? JournalSink { get; init; }

    /// <summary>The environment this runs in. Default: <c>DOTNET_ENVIRONMENT</c>, else <c>ASPNETCORE_ENVIRONMENT</c>, else <c>Production</c> (as .NET hosting does).</summary>
    public string? EnvironmentName { get; init; }

    /// <summary>Whether the injector may run in an environment named Production. Default: false.</summary>
    public bool AllowInProduction { get; init; }

    /// <summary>The environment in force.</summary>
    public string EffectiveEnvironment => EnvironmentName
        ?? Environment.GetEnvironmentVariable("DOTNET_ENVIRONMENT")
        ?? Environment.GetEnvironmentVariable("ASPNETCORE_ENVIRONMENT")
        ?? "Production";

    /// <summary>Every problem with these options, as <c>field: expected X, received Y</c>.</summary>
    public IReadOnlyList<SpecProblem> Validate()
    {
        var problems = new List<SpecProblem>();
        void Problem(string field, string expected, string received) => problems.Add(new("chaos", field, expected, received));
        if (string.Equals(EffectiveEnvironment, "Production", StringComparison.OrdinalIgnoreCase) && !AllowInProduction)
        {
            Problem("AllowInProduction", "true to inject faults in an environment named Production (set EnvironmentName, or DOTNET_ENVIRONMENT, for others)", $"false in environment \"{EffectiveEnvironment}\"");
        }

        if (Faults is null || Faults.Count == 0)
        {
            Problem("Faults", "at least one fault choice", Faults is null ? "null" : "none");
        }
        else
        {
            for (var i = 0; i < Faults.Count; i++)
            {
                var f = Faults[i];
                if (f is null)
                {
                    Problem($"Faults[{i}]", "a fault choice", "null");
                    continue;
                }

                if (!Enum.IsDefined(f.Kind))
                {
                    Problem($"Faults[{i}].Kind", "a FaultKind", f.Kind.ToString());
                }

                if (!(f.Weight > 0) || double.IsInfinity(f.Weight))
                {
                    Problem($"Faults[{i}].Weight", "a positive weight", f.Weight.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }

                if (f.Kind is FaultKind.Delay or FaultKind.Hang)
                {
                    PolicyChecks.TimerDuration((n, e, r) => Problem($"Faults[{i}].{n}", e, r), "Duration", f.Duration);
                }

                if (f.Kind == FaultKind.Drop && f.Count < 1)
                {
                    Problem($"Faults[{i}].Count", "1 or more messages", f.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        var nodeKinds = (Faults ?? []).Where(f => f is not null && f.Kind.IsNodeFault()).Select(f => f.Kind)
            .Concat(Replay?.Faults?.Where(f => f is not null && f.Skipped is null && f.Kind.IsNodeFault()).Select(f => f.Kind) ?? [])
            .ToHashSet();
        if (nodeKinds.Count > 0 && Nodes is null)
        {
            Problem("Nodes", $"the nodes to fault (Supervise.Cluster's ClusterNodeFaults) for {string.Join(", ", nodeKinds.Order())}", "null");
        }
        else if (nodeKinds.Count > 0)
        {
            problems.AddRange(Nodes!.Validate(nodeKinds));
        }

        if (Targets is null)
        {
            Problem("Targets", "fault targets", "null");
        }
        else
        {
            if (Targets.Include is null || Targets.Include.Count == 0 || Targets.Include.Any(string.IsNullOrWhiteSpace))
            {
                Problem("Targets.Include", "one or more non-empty path patterns", Targets.Include is null ? "null" : $"[{string.Join(", ", Targets.Include.Select(Show.Quoted))}]");
            }

            if (Targets.Exclude is null || Targets.Exclude.Any(string.IsNullOrWhiteSpace))
            {
                Problem("Targets.Exclude", "a list of non-empty path patterns (empty: exclude none)", Targets.Exclude is null ? "null" : $"[{string.Join(", ", Targets.Exclude.Select(Show.Quoted))}]");
            }

            if (Targets.Tags is null || Targets.Tags.Any(string.IsNullOrWhiteSpace))
            {
                Problem("Targets.Tags", "a list of non-empty tags (empty: any child)", Targets.Tags is null ? "null" : $"[{string.Join(", ", Targets.Tags.Select(Show.Quoted))}]");
            }

            if (Targets.Rates is null)
            {
                Problem("Targets.Rates", "a list of (pattern, rate) pairs (empty: the same rate for all)", "null");
            }

            foreach (var (pattern, rate) in Targets.Rates ?? [])
            {
                if (string.IsNullOrWhiteSpace(pattern) || !(rate >= 0) || double.IsInfinity(rate))
                {
                    Problem("Targets.Rates", "patterns with rates of 0 or more", $"({Show.Quoted(pattern)}, {rate})");
                }
            }
        }

        if (Schedule is null)
        {
            Problem("Schedule", "a fault schedule", "null");
        }
        else
        {
            Schedule.Validate(Problem, "Schedule");
        }

        PolicyChecks.TimerDuration((n, e, r) => Problem(n, e, r), "RecoveryTimeout", RecoveryTimeout);
        if (Replay is { Faults: null })
        {
            Problem("Replay.Faults", "the journal's faults", "null");
        }
        else if (Replay is { Faults: { } journal })
        {
            for (var i = 0; i < journal.Count; i++)
            {
                var record = journal[i];
                if (record is null)
                {
                    Problem($"Replay.Faults[{i}]", "a fault record", "null");
                }
                else if (record.Target is null)
                {
                    Problem($"Replay.Faults[{i}].Target", "a target path (empty for the root)", "null");
                }
                else if (!Enum.IsDefined(record.Kind))
                {
                    Problem($"Replay.Faults[{i}].Kind", "a FaultKind", record.Kind.ToString());
                }
                else if (record.At < TimeSpan.Zero || record.At > PolicyChecks.MaxTimer)
                {
                    Problem($"Replay.Faults[{i}].At", "a time from 0 to 49 days after the start of the run", record.At.ToString());
                }
                else if (record.Skipped is null && record.Kind is FaultKind.Delay or FaultKind.Hang)
                {
                    PolicyChecks.TimerDuration((n, e, r) => Problem($"Replay.Faults[{i}].{n}", e, r), "Duration", record.Duration);
                }
                else if (record.Skipped is null && record.Kind == FaultKind.Drop && record.Count < 1)
                {
                    Problem($"Replay.Faults[{i}].Count", "1 or more messages", record.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        }

        if (JournalCapacity < 0)
        {
            Problem("JournalCapacity", "0 or more records", JournalCapacity.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (!(IntensityShare > 0 && IntensityShare <= 1))
        {
            Problem("IntensityShare", "above 0 and at most 1", IntensityShare.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (MaxConcurrentFaults < 1)
        {
            Problem("MaxConcurrentFaults", "1 or more", MaxConcurrentFaults.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (MaxFaults is { } max && max < 1)
        {
            Problem("MaxFaults", "1 or more, or null (no limit)", max.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (Duration is { } d && (d <= TimeSpan.Zero || d > PolicyChecks.MaxTimer))
        {
            Problem("Duration", "a positive duration of at most 49 days, or null (until halted)", d.ToString());
        }

        if (AbortWhenRootNotRunningFor is { } a && (a <= TimeSpan.Zero || a > PolicyChecks.MaxTimer))
        {
            Problem("AbortWhenRootNotRunningFor", "a positive duration of at most 49 days, or null (never)", a.ToString());
        }

        return problems;
    }
}

/// <summary>The exception an injected crash throws unless its <see cref="FaultChoice.Exception"/> says otherwise.</summary>
public sealed class InjectedFaultException(string message) : Exception(message);
