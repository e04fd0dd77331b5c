using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Supervise;

/// <summary>One fault in the journal: what was done, where and when; enough to replay it.</summary>
/// <param name="Sequence">Its number in the run, from 1.</param>
/// <param name="At">When, from the start of the run, on the tree's clock.</param>
/// <param name="Target">The child's path, <c>supervisor/child</c>.</param>
/// <param name="Kind">The kind of fault.</param>
/// <param name="Duration">For delay and hang: how long.</param>
/// <param name="Count">For drop: how many messages.</param>
/// <param name="Skipped">Why it was not carried out (its target had stopped, ...); <see langword="null"/> if it was.</param>
public sealed record FaultRecord(long Sequence, TimeSpan At, string Target, FaultKind Kind, TimeSpan Duration, int Count, string? Skipped)
{
    /// <summary>
    /// For crashes, poison and failing restarts: the full name of the exception's type. A replay throws an
    /// <see cref="InjectedFaultException"/> unless its <see cref="FaultChoice.Exception"/> says otherwise.
    /// </summary>
    public string? Exception { get; init; }
}

/// <summary>What a run did, in order: its seed and every fault. Saved as JSON, it can be replayed (<see cref="ChaosOptions.Replay"/>).</summary>
public sealed record FaultJournal(int Seed, IReadOnlyList<FaultRecord> Faults)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>Records made after <see cref="ChaosOptions.JournalCapacity"/> was reached: counted, not kept (a replay replays those kept).</summary>
    public long Omitted { get; init; }

    /// <summary>The journal as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a journal written by <see cref="ToJson"/>.</summary>
    /// <exception cref="ArgumentException">The text is not such a journal; the message says what was wrong.</exception>
    public static FaultJournal FromJson(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<FaultJournal>(json, Json) ?? throw new ArgumentException("Expected a fault journal; received JSON null.", nameof(json));
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"Expected a fault journal as written by FaultJournal.ToJson; {e.Message}", nameof(json), e);
        }
    }
}

/// <summary>Whether a fault's effect stayed where its supervisor's strategy allows.</summary>
public enum IsolationVerdict
{
    /// <summary>Only children in the strategy's blast radius were restarted.</summary>
    Isolated,

    /// <summary>The supervisor exceeded its intensity and gave up: the failure went up a level, as OTP says it must.</summary>
    Escalated,

    /// <summary>A child outside the blast radius was restarted because of this fault.</summary>
    Leaked,
}

/// <summary>One fault and what came of it.</summary>
/// <param name="Fault">The fault.</param>
/// <param name="RecoveredAfter">How long until its target ran again; <see langword="null"/> if it did not within the recovery timeout (or was contained by a policy).</param>
/// <param name="AllowedBlastRadius">The children its supervisor's strategy may restart for it.</param>
/// <param name="Restarted">The children actually restarted because of it.</param>
/// <param name="Verdict">Whether <paramref name="Restarted"/> stayed within <paramref name="AllowedBlastRadius"/>.</param>
public sealed record FaultOutcome(FaultRecord Fault, TimeSpan? RecoveredAfter, IReadOnlyList<string> AllowedBlastRadius, IReadOnlyList<string> Restarted, IsolationVerdict Verdict)
{
    /// <summary>
    /// For a fault that stops its child and whose child did not run again: why (a policy contained it, its restart waited
    /// for a backoff or kept failing, its supervisor gave up, it was not restarted, the recovery timeout passed, or the run
    /// ended first); <see langword="null"/> otherwise. It tells a real failure to recover from a measurement's edge.
    /// </summary>
    public string? NotRecoveredBecause { get; init; }
}

/// <summary>Times to recover, over the faults that recovered.</summary>
public sealed record RecoveryTimes(int Recovered, int NotRecovered, TimeSpan P50, TimeSpan P95, TimeSpan P99, TimeSpan Max);

/// <summary>The report of a chaos run.</summary>
/// <param name="Seed">The seed: the same seed in virtual time gives the same run.</param>
/// <param name="Elapsed">How long the run lasted on the tree's clock.</param>
/// <param name="EndReason">Why it ended: its duration was over, it was halted, aborted (and on what condition), or the tree stopped.</param>
/// <param name="FaultsByKind">Faults carried out, by kind.</param>
/// <param name="FaultsByTarget">Faults carried out, by target path.</param>
/// <param name="Skipped">Faults chosen but not carried out (their target was not running, or the intensity guard refused).</param>
/// <param name="Restarts">Child restarts anywhere in the tree during the run.</param>
/// <param name="Escalations">Supervisors that gave up during the run.</param>
/// <param name="MessagesLost">Messages reported dropped during the run (dead letters into the tree, in-flight messages, drops).</param>
/// <param name="RootSurvived">Whether the tree was still running at the end.</param>
/// <param name="Recovery">Times to recover.</param>
/// <param name="Faults">Each fault carried out and what came of it, in order.</param>
public sealed record ChaosReport(
    int Seed,
    TimeSpan Elapsed,
    string EndReason,
    IReadOnlyDictionary<FaultKind, int> FaultsByKind,
    IReadOnlyDictionary<string, int> FaultsByTarget,
    int Skipped,
    int Restarts,
    int Escalations,
    long MessagesLost,
    bool RootSurvived,
    RecoveryTimes Recovery,
    IReadOnlyList<FaultOutcome> Faults)
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true, Converters = { new JsonStringEnumConverter() } };

    /// <summary>Messages reported lost during the run, by the path of the child they were for.</summary>
    public IReadOnlyDictionary<string, long> MessagesLostByChild { get; init; } = new Dictionary<string, long>();

    /// <summary>The journal of the run, skipped faults included, for replay (the same as <see cref="FaultInjector.Journal"/> at the end); its first <see cref="ChaosOptions.JournalCapacity"/> records.</summary>
    public FaultJournal Journal { get; init; } = new(Seed, []);

    /// <summary>
    /// Of <see cref="Restarts"/>, <see cref="Escalations"/> and <see cref="MessagesLost"/> (everything in the tree during the
    /// run), what this run's own faults caused: restarts triggered by a faulted child or by a supervisor that gave up for
    /// one, give-ups of a faulted child's supervisor (and above), and messages lost where one of its faults was in effect.
    /// With several runs at once on one tree, these are each run's; their sum is at most the tree's.
    /// </summary>
    public CausedCounts Caused { get; init; } = new(0, 0, 0);

    /// <summary>Faults carried out, all of them (<see cref="Faults"/> keeps the first <see cref="ChaosOptions.JournalCapacity"/>).</summary>
    public int CarriedOut { get; init; }

    /// <summary>Outcomes of faults past <see cref="ChaosOptions.JournalCapacity"/>: counted in every figure, not kept in <see cref="Faults"/>.</summary>
    public int OutcomesOmitted { get; init; }

    /// <summary>How many faults done to children ended with each isolation verdict, all of them (a node fault gets none: see <see cref="ToText"/>).</summary>
    public IReadOnlyDictionary<IsolationVerdict, int> Verdicts { get; init; } = new Dictionary<IsolationVerdict, int>();

    /// <summary>Why faults did not recover, and how many for each reason, all of them.</summary>
    public IReadOnlyDictionary<string, int> NotRecoveredBecause { get; init; } = new Dictionary<string, int>();

    /// <summary>Why faults chosen were not carried out (see <see cref="Skipped"/>), and how many for each reason, all of them.</summary>
    public IReadOnlyDictionary<string, int> SkippedBecause { get; init; } = new Dictionary<string, int>();

    /// <summary>
    /// How far behind its schedule the injector was when the run ended (zero when it kept up): an injection time's faults are
    /// carried out once the supervisors asked for them have answered (in real time a burst's at once; in virtual time one
    /// after another), so a schedule faster than the tree can take is served late, and the injection times past this point
    /// were never reached.
    /// </summary>
    public TimeSpan BehindSchedule { get; init; }

    /// <summary>The report as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The report as a short text for people.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.AppendLine(FormattableString.Invariant($"Chaos run (seed {Seed}): {Math.Max(CarriedOut, Faults.Count)} faults in {Elapsed.TotalSeconds:0.###} s, ended: {EndReason}"));
        text.AppendLine("  by kind: " + string.Join(", ", FaultsByKind.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}")));
        text.AppendLine(FormattableString.Invariant($"  restarts {Restarts}, escalations {Escalations}, messages lost {MessagesLost}, skipped {Skipped}"));
        var skipped = SkippedBecause.OrderByDescending(g => g.Value).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (skipped.Count > 0)
        {
            text.AppendLine("  skipped because: " + string.Join("; ", skipped.Select(g => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{g.Value} {g.Key}"))));
        }

        text.AppendLine(FormattableString.Invariant($"  caused by this run's faults: restarts {Caused.Restarts}, escalations {Caused.Escalations}, messages lost {Caused.MessagesLost}"));
        if (BehindSchedule.TotalSeconds >= Math.Max(0.1, Elapsed.TotalSeconds / 100))
        {
            text.AppendLine(FormattableString.Invariant($"  pace: {CarriedOut / Elapsed.TotalSeconds:0} faults a second carried out; the injector ended {BehindSchedule.TotalSeconds:0.###} s behind its schedule (an injection time's faults go once the supervisors asked for them answered: a faster schedule does not make it faster)"));
        }

        text.AppendLine(FormattableString.Invariant($"  recovery: {Recovery.Recovered} recovered, {Recovery.NotRecovered} not; p50 {Ms(Recovery.P50)}, p95 {Ms(Recovery.P95)}, p99 {Ms(Recovery.P99)}, max {Ms(Recovery.Max)}"));
        var why = NotRecoveredBecause.OrderByDescending(g => g.Value).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (why.Count > 0)
        {
            text.AppendLine("  not recovered: " + string.Join("; ", why.Select(g => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{g.Value} because {g.Key}"))));
        }

        if (OutcomesOmitted > 0 || Journal.Omitted > 0)
        {
            text.AppendLine(FormattableString.Invariant($"  kept: the first {Faults.Count} outcomes ({OutcomesOmitted} more counted, not kept; recovery percentiles are over those kept) and {Journal.Faults.Count} journal records ({Journal.Omitted} more); see ChaosOptions.JournalCapacity and JournalSink"));
        }

        // A node fault has no supervisor whose blast radius it could stay in: it is told by how its cluster came through, not
        // counted as "Isolated" (a node's death is no child's restart).
        var nodeFaults = Faults.Where(f => f.Fault.Kind.IsNodeFault()).ToList();
        var verdicts = Verdicts.Where(g => g.Value > 0).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Value}").ToList();
        if (verdicts.Count > 0 || nodeFaults.Count == 0)
        {
            text.AppendLine("  isolation: " + string.Join(", ", verdicts));
        }

        foreach (var node in nodeFaults.Take(10))
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"  node fault {node.Fault.Sequence}: {node.Fault.Kind} of {node.Fault.Target}, {(node.RecoveredAfter is { } after ? FormattableString.Invariant($"the nodes left agreed on the cluster again {after.TotalSeconds:0.0} s later") : "the nodes left did not agree on the cluster again within the recovery timeout")}");
        }

        foreach (var leaked in Faults.Where(f => f.Verdict == IsolationVerdict.Leaked).Take(10))
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"    leaked: fault {leaked.Fault.Sequence} ({leaked.Fault.Kind} on {leaked.Fault.Target}) restarted {string.Join(", ", leaked.Restarted.Except(leaked.AllowedBlastRadius))}, outside [{string.Join(", ", leaked.AllowedBlastRadius)}]");
        }

        text.Append("  root ").Append(RootSurvived ? "survived" : "did NOT survive");
        return text.ToString();
    }

    private static string Ms(TimeSpan t) => FormattableString.Invariant($"{t.TotalMilliseconds:0.#} ms");
}

/// <summary>What one chaos run's own faults caused (see <see cref="ChaosReport.Caused"/>).</summary>
/// <param name="Restarts">Restarts triggered by a faulted child, or by a supervisor that gave up for one of its faults.</param>
/// <param name="Escalations">Supervisors that gave up for one of its faults (the faulted child's supervisor, and those above it that gave up in turn).</param>
/// <param name="MessagesLost">Messages reported lost at a child one of its faults was in effect on, or below a supervisor that gave up for one.</param>
public sealed record CausedCounts(int Restarts, int Escalations, long MessagesLost);
