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

    /// <summary>The whole journal of the run, skipped faults included, for replay (the same as <see cref="FaultInjector.Journal"/> at the end).</summary>
    public FaultJournal Journal { get; init; } = new(Seed, []);

    /// <summary>The report as JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>The report as a short text for people.</summary>
    public string ToText()
    {
        var text = new StringBuilder();
        text.AppendLine(FormattableString.Invariant($"Chaos run (seed {Seed}): {Faults.Count} faults in {Elapsed.TotalSeconds:0.###} s, ended: {EndReason}"));
        text.AppendLine("  by kind: " + string.Join(", ", FaultsByKind.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}")));
        text.AppendLine(FormattableString.Invariant($"  restarts {Restarts}, escalations {Escalations}, messages lost {MessagesLost}, skipped {Skipped}"));
        text.AppendLine(FormattableString.Invariant($"  recovery: {Recovery.Recovered} recovered, {Recovery.NotRecovered} not; p50 {Ms(Recovery.P50)}, p95 {Ms(Recovery.P95)}, p99 {Ms(Recovery.P99)}, max {Ms(Recovery.Max)}"));
        var why = Faults.Where(f => f.NotRecoveredBecause is not null).GroupBy(f => f.NotRecoveredBecause!).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal).ToList();
        if (why.Count > 0)
        {
            text.AppendLine("  not recovered: " + string.Join("; ", why.Select(g => string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{g.Count()} because {g.Key}"))));
        }

        var verdicts = Faults.GroupBy(f => f.Verdict).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}");
        text.AppendLine("  isolation: " + string.Join(", ", verdicts));
        foreach (var leaked in Faults.Where(f => f.Verdict == IsolationVerdict.Leaked).Take(10))
        {
            text.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"    leaked: fault {leaked.Fault.Sequence} ({leaked.Fault.Kind} on {leaked.Fault.Target}) restarted {string.Join(", ", leaked.Restarted.Except(leaked.AllowedBlastRadius))}, outside [{string.Join(", ", leaked.AllowedBlastRadius)}]");
        }

        text.Append("  root ").Append(RootSurvived ? "survived" : "did NOT survive");
        return text.ToString();
    }

    private static string Ms(TimeSpan t) => FormattableString.Invariant($"{t.TotalMilliseconds:0.#} ms");
}
